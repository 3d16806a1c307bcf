"""Classification of one failed recipient: RFC 3463 status, permanence and reason.

The enhanced status code is taken from the report (RFC 3464 ``Status``), or recovered from
the diagnostic text, or derived from a bare RFC 5321 reply code (``550`` gives ``5.0.0``), or
implied by the reason when a non-standard bounce names no code at all. The reason comes from
the rules table (see ``bounce_rules.toml`` for the order in which its tables apply).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mailfleet.core.feedback.model import Reason
from mailfleet.core.feedback.rules import BounceRules

# An enhanced code not embedded in a dotted number (an IP address or a version string).
_ENHANCED = re.compile(r"(?<![\d.])([45])\.(\d{1,3})\.(\d{1,3})(?![\d]|\.\d)")
_STATUS_FIELD = re.compile(r"([245])\.(\d{1,3})\.(\d{1,3})")
_BASIC = re.compile(r"(?<![\d.\-])([45][0-5]\d)(?=[ \-]|$)", re.MULTILINE)
_TEXT_LIMIT = 2000  # diagnostics longer than this are prose dumps; their start says enough


@dataclass(frozen=True, slots=True)
class Classification:
    """What the rules made of one recipient's failure."""

    status: str
    smtp_code: str | None
    permanent: bool
    reason: Reason


def _status_field(value: str | None) -> str | None:
    match = _STATUS_FIELD.search(value or "")
    return ".".join(match.groups()) if match else None


def find_status(text: str) -> str | None:
    """The first RFC 3463 code of class 4 or 5 in ``text``, ignoring IP-like numbers."""
    match = _ENHANCED.search(text)
    return ".".join(match.groups()) if match else None


def find_smtp_code(text: str) -> str | None:
    """The first RFC 5321 reply code of class 4 or 5 in ``text``."""
    match = _BASIC.search(text)
    return match.group(1) if match else None


def _best_status(field: str | None, text_status: str | None) -> str | None:
    """Prefer the DSN field, unless it is generic and the text carries a specific code."""
    if field is None:
        return text_status
    if text_status and field.endswith(".0.0") and field[0] == text_status[0]:
        return text_status
    return field


def _reason(rules: BounceRules, status: str | None, text: str) -> tuple[Reason, bool | None]:
    rule = rules.status.get(status.split(".", 1)[1]) if status else None
    if rule is not None and rule.strong:
        return rule.reason, None
    if text:
        lowered = text.lower()
        present = rules.text_index.present(lowered)  # one pass for every rule's guards
        for text_rule in rules.text:
            if text_rule.pattern.matches(lowered, present):
                return text_rule.reason, text_rule.permanent
    if rule is not None:
        return rule.reason, None
    return Reason.OTHER, None


def classify(
    rules: BounceRules,
    *,
    diagnostic: str,
    status: str | None = None,
    action: str | None = None,
    smtp_code: str | None = None,
    transient_hint: bool = False,
) -> Classification:
    """Classify one recipient's failure from what the report says about it.

    ``action`` is the RFC 3464 Action (``failed``/``delayed``), ``transient_hint`` tells that a
    non-standard report reads as a delay warning ("will keep trying").
    """
    text = diagnostic[:_TEXT_LIMIT]
    code = smtp_code or find_smtp_code(text)
    found = _best_status(_status_field(status), find_status(text))
    if found is None and code is not None:
        found = rules.basic_codes.get(code, f"{code[0]}.0.0")
    if found is not None and found[0] == "2":
        found = None  # a success code on a failure report says nothing about the failure
    reason, rule_permanent = _reason(rules, found, text)
    action = (action or "").strip().lower()
    if action == "delayed" or (action != "failed" and transient_hint):
        permanent = False
        if reason is Reason.EXPIRED:  # "delivery time expired" in a delay notice: not yet
            reason = Reason.OTHER
    elif found is not None and found[0] == "4" and action == "failed":
        # A temporary failure reported as final: the reporting MTA ran out of retries. The
        # reason stays when the reply says why (a block, a full mailbox); plain trouble
        # getting through is what "expired" means.
        permanent = True
        if reason in (Reason.OTHER, Reason.ROUTING):
            reason = Reason.EXPIRED
    elif found is not None:
        permanent = found[0] == "5"
    elif rule_permanent is not None:
        permanent = rule_permanent
    else:
        permanent = not transient_hint
    if found is None:
        detail = rules.implied_status.get(reason, "0.0")
        found = f"{'5' if permanent else '4'}.{detail}"
    return Classification(found, code, permanent, reason)
