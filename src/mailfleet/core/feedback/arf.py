"""Complaint reports: RFC 5965 ARF (with RFC 6650's rules) and the non-ARF look-alikes.

An ARF report is a ``multipart/report; report-type=feedback-report`` with a human part, a
``message/feedback-report`` part (Feedback-Type, User-Agent, Version, Original-Mail-From,
Original-Rcpt-To, Arrival-Date, Source-IP, Reported-Domain) and the original message or its
headers. Feedback loops often redact the recipient, so it is also recovered from the original
message: Microsoft's JMRP ``X-HmXmrOriginalRecipient``, mailfleet's own ``X-Mailfleet-*``
headers, or the ``To`` header when it is not redacted.
"""

from __future__ import annotations

import email
import re
from dataclasses import dataclass
from email.message import Message
from email.utils import getaddresses

from mailfleet.core.feedback.fields import Block, blocks_from_part, blocks_from_text, first
from mailfleet.core.feedback.mime import all_headers, content_type, header, part_text, walk

_REPORT_TYPES = ("message/feedback-report",)
_REDACTED = re.compile(r"^(x+|redacted|\*+|removed|anonymi[sz]ed|hidden)$", re.IGNORECASE)
# Headers that name the recipient in the original message, most trusted first.
RECIPIENT_HEADERS = (
    "x-hmxmroriginalrecipient",
    "x-mailfleet-recipient",
    "x-original-to",
    "delivered-to",
    "x-rcpt-to",
    "to",
)


@dataclass(frozen=True, slots=True)
class ArfReport:
    """The machine-readable fields of a feedback report."""

    feedback_type: str
    user_agent: str | None
    original_mail_from: str | None
    original_rcpt_to: tuple[str, ...]
    arrival_date: str | None
    source_ip: str | None
    reported_domain: str | None


def _fields(blocks: list[Block]) -> Block:
    return [item for block in blocks for item in block]


def _report_from(fields: Block) -> ArfReport | None:
    feedback_type = first(fields, "feedback-type")
    if feedback_type is None:
        return None
    return ArfReport(
        feedback_type=feedback_type.strip().lower() or "abuse",
        user_agent=first(fields, "user-agent"),
        original_mail_from=first(fields, "original-mail-from"),
        original_rcpt_to=tuple(
            value.strip().strip("<>") for key, value in fields if key == "original-rcpt-to"
        ),
        arrival_date=first(fields, "arrival-date") or first(fields, "received-date"),
        source_ip=first(fields, "source-ip"),
        reported_domain=first(fields, "reported-domain"),
    )


def find_arf(message: Message) -> ArfReport | None:
    """The feedback report in ``message``, or ``None``."""
    for part in walk(message):
        if content_type(part) in _REPORT_TYPES:
            report = _report_from(_fields(blocks_from_part(part)))
            if report is not None:
                return report
    # ARF sent without its MIME structure: the fields are in the text.
    for part in walk(message):
        if content_type(part) == "text/plain" and not part.is_multipart():
            text = part_text(part)
            if re.search(r"^feedback-type:", text, re.IGNORECASE | re.MULTILINE):
                report = _report_from(_fields(blocks_from_text(text)))
                if report is not None:
                    return report
    return None


def usable_address(value: str) -> str | None:
    """An address from a header value, unless it is missing or redacted."""
    for _name, found in getaddresses([value]):
        address = found.strip()
        local, at, domain = address.rpartition("@")
        if at and local and domain and "." in domain and not _REDACTED.match(local):
            return address
    return None


def recipient_from_original(original: Message | None) -> str | None:
    """The recipient named by the original message's headers, if any is usable."""
    if original is None:
        return None
    for name in RECIPIENT_HEADERS:
        for value in all_headers(original, name):
            address = usable_address(value)
            if address:
                return address
    return None


_FORWARDED = re.compile(
    r"^[ \t>]*-{2,}\s*(forwarded message|original message|begin forwarded message)\s*-*\s*$"
    r"|^[ \t>]*begin forwarded message:\s*$",
    re.IGNORECASE | re.MULTILINE,
)


def inline_forwarded(text: str) -> Message | None:
    """The headers of a message forwarded inline ("---------- Forwarded message ---------")."""
    match = _FORWARDED.search(text)
    if match is None:
        return None
    block = text[match.end() :].lstrip("\n")
    lines = [line.lstrip("> \t").replace("*", "") for line in block.splitlines()[:40]]
    return email.message_from_string("\n".join(lines))


def is_jmrp(original: Message | None) -> bool:
    """Microsoft's JMRP attaches the original with the recipient in a header of its own."""
    return original is not None and bool(header(original, "X-HmXmrOriginalRecipient"))
