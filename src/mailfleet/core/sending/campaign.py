"""Campaign import: a recipient list (CSV or JSON Lines) and a template with per-recipient fields.

Templates use ``$field`` / ``${field}`` placeholders (``string.Template``): a recipient's value
can never reach attributes or code, unlike ``str.format``. Every row needs an ``email`` field;
a placeholder no row provides is reported with the row number, all problems at once.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from string import Template

from mailfleet.core.errors import MailfleetError
from mailfleet.core.sending.message import rotate
from mailfleet.core.sending.model import MessageDraft


@dataclass(frozen=True, slots=True)
class CampaignTemplate:
    """Subject and bodies with placeholders."""

    subject: str
    text: str
    html: str = ""


class CampaignError(MailfleetError):
    """The recipient list or the template is not usable; ``problems`` lists every reason."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the campaign: " + "; ".join(problems[:5]))


def parse_recipients(text: str, kind: str) -> list[dict[str, str]]:
    """Rows of ``text``: ``csv`` (header line first) or ``jsonl`` (one object a line)."""
    if kind == "csv":
        return [
            {k.strip(): (v or "").strip() for k, v in row.items() if k}
            for row in csv.DictReader(io.StringIO(text))
        ]
    if kind == "jsonl":
        rows: list[dict[str, str]] = []
        problems: list[str] = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError as exc:
                problems.append(f"line {number}: invalid JSON ({exc.msg})")
                continue
            if not isinstance(value, dict):
                problems.append(f"line {number}: expected an object")
                continue
            rows.append({str(k): "" if v is None else str(v) for k, v in value.items()})
        if problems:
            raise CampaignError(problems)
        return rows
    raise CampaignError([f"unknown recipient list format {kind!r} (csv or jsonl)"])


def build_drafts(
    rows: Sequence[Mapping[str, str]],
    template: CampaignTemplate,
    senders: Sequence[str],
    *,
    segment: str = "",
    campaign: str = "",
    not_before: datetime | None = None,
    bulk: bool = True,
) -> list[MessageDraft]:
    """One draft per row, senders assigned round-robin across domains; all problems at once."""
    if not senders:
        raise CampaignError(["no sending mailbox: give --from or a segment with mailboxes"])
    parts = [Template(template.subject), Template(template.text), Template(template.html)]
    problems: list[str] = []
    drafts: list[MessageDraft] = []
    assigned = rotate(senders, len(rows))
    for number, (row, sender) in enumerate(zip(rows, assigned, strict=True), start=1):
        email = row.get("email", "").strip()
        if "@" not in email:
            problems.append(f"row {number}: no valid 'email' field")
            continue
        try:
            subject, text, html = (p.substitute(row) for p in parts)
        except KeyError as exc:
            problems.append(f"row {number}: the template uses ${exc.args[0]}, which the row lacks")
            continue
        except ValueError as exc:
            problems.append(f"row {number}: bad placeholder in the template ({exc})")
            continue
        drafts.append(
            MessageDraft(
                sender=sender,
                recipient=email,
                subject=subject,
                text=text,
                html=html,
                segment=segment,
                campaign=campaign,
                bulk=bulk,
                not_before=not_before,
                sender_name=row.get("sender_name", ""),
            )
        )
    if problems:
        raise CampaignError(problems)
    return drafts
