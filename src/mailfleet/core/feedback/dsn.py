"""RFC 3464 delivery status notifications (and RFC 6533's internationalised variant).

A DSN is a ``multipart/report; report-type=delivery-status`` whose second part holds one
per-message block (Reporting-MTA, Arrival-Date, ...) and one block per recipient
(Final-Recipient, Original-Recipient, Action, Status, Diagnostic-Code, Remote-MTA). Many MTAs
bend the format: the part is mislabelled ``text/plain``, the blank line between blocks is
missing, the address type is left out. This reader accepts all of that.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import Message

from mailfleet.core.feedback.fields import (
    Block,
    blocks_from_part,
    blocks_from_text,
    clean,
    first,
    typed_address,
)
from mailfleet.core.feedback.mime import content_type, part_text, walk

_DSN_TYPES = ("message/delivery-status", "message/global-delivery-status")


@dataclass(frozen=True, slots=True)
class DsnRecipient:
    """One per-recipient block of a DSN."""

    address: str
    original: str | None
    action: str | None
    status: str | None
    diagnostic: str
    remote_mta: str | None


@dataclass(frozen=True, slots=True)
class DsnReport:
    """The per-message fields of a DSN and its recipients."""

    reporting_mta: str | None
    envelope_id: str | None
    arrival_date: str | None
    recipients: tuple[DsnRecipient, ...]


def _is_mailbox(address: str) -> bool:
    """A plain internet mailbox, not an X.400 form or Exchange's IMCEA encapsulation."""
    local, at, domain = address.rpartition("@")
    if not at or not local or "." not in domain or " " in address or len(local) > 64:
        return False
    return not local.upper().startswith(("IMCEA", "/"))


def _recipient(block: Block) -> DsnRecipient | None:
    final = typed_address(first(block, "final-recipient"))
    original = typed_address(first(block, "original-recipient"))
    actual = typed_address(first(block, "x-actual-recipient"))
    # Original-Recipient is the address as the sender gave it (RFC 3464 section 2.3.1); the
    # final one may be an alias target or an X.400 form, useless for suppression.
    address = next((a for a in (original, final, actual) if a and _is_mailbox(a)), None)
    address = address or final or original or actual
    if not address:
        return None
    diagnostic = first(block, "diagnostic-code") or ""
    kind, semicolon, rest = diagnostic.partition(";")
    if semicolon and len(kind) < 20:  # "smtp; 550 ...", "X-Postfix; ...": drop the type
        diagnostic = rest
    return DsnRecipient(
        address=address,
        original=original,
        action=(first(block, "action") or "").strip().lower() or None,
        status=first(block, "status"),
        diagnostic=clean(diagnostic),
        remote_mta=typed_address(first(block, "remote-mta")),
    )


def _status_blocks(message: Message) -> list[Block]:
    for part in walk(message):
        if content_type(part) in _DSN_TYPES:
            return blocks_from_part(part)
    # Mislabelled reports: a text part that reads like a delivery-status body.
    for part in walk(message):
        if content_type(part) == "text/plain" and not part.is_multipart():
            text = part_text(part)
            lowered = text.lower()
            if "final-recipient:" in lowered and ("status:" in lowered or "action:" in lowered):
                start = lowered.find("reporting-mta:")
                if start < 0:
                    start = lowered.find("final-recipient:")

                return blocks_from_text(text[start:])
    return []


def find_dsn(message: Message) -> DsnReport | None:
    """The DSN in ``message``, or ``None`` when it carries no delivery-status fields."""
    blocks = _status_blocks(message)
    if not blocks:
        return None
    per_message: Block = []
    recipients: list[DsnRecipient] = []
    for block in blocks:
        recipient = _recipient(block)
        if recipient is None:
            per_message.extend(block)
        else:
            recipients.append(recipient)
    return DsnReport(
        reporting_mta=typed_address(first(per_message, "reporting-mta")),
        envelope_id=first(per_message, "original-envelope-id"),
        arrival_date=first(per_message, "arrival-date"),
        recipients=tuple(recipients),
    )
