"""The cheap signals that tell what kind of message arrived, read from headers and subject."""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import Message

from mailfleet.core.feedback.mime import all_headers, header
from mailfleet.core.feedback.rules import DetectRules

_AUTO_HEADERS = ("x-autoreply", "x-autorespond", "x-autoresponder", "x-auto-reply")


@dataclass(frozen=True, slots=True)
class Signals:
    """What the envelope of a message suggests, before its body is read."""

    subject: str
    bounce_subject: bool
    daemon_sender: bool
    autoreply_subject: bool
    autoreply_header: bool
    complaint_subject: bool
    failed_recipients: tuple[str, ...]
    report_type: str


_ADDRESS = re.compile(r"[^\s<>\"'(),;:@]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")


def _addresses(message: Message, name: str) -> list[str]:
    # A regular expression rather than getaddresses(): several times faster, and these
    # addresses only serve to recognise parties, not to reply to them.
    return [a for value in all_headers(message, name) for a in _ADDRESS.findall(value)]


def read_signals(message: Message, detect: DetectRules) -> Signals:
    """Read the header-level signals of ``message``."""
    subject = header(message, "Subject")
    lowered = subject.lower()
    sender = " ".join(header(message, n) for n in ("From", "Sender", "Return-Path")).lower()
    auto_submitted = header(message, "Auto-Submitted").lower()
    precedence = header(message, "Precedence").lower()
    autoreply_header = (
        auto_submitted.startswith("auto-replied")
        or precedence == "auto_reply"
        or any(header(message, name) for name in _AUTO_HEADERS)
    )
    failed = tuple(
        address
        for value in all_headers(message, "X-Failed-Recipients")
        for item in value.replace(";", ",").split(",")
        if "@" in (address := item.strip().strip("<> \t\n"))
    )
    try:
        report_type = (message.get_param("report-type") or "").__str__().lower()
    except Exception:  # a malformed Content-Type parameter
        report_type = ""
    return Signals(
        subject=subject,
        bounce_subject=bool(detect.bounce_subjects.matches(lowered)),
        daemon_sender=bool(detect.bounce_senders.matches(sender)),
        autoreply_subject=bool(detect.autoreply_subjects.matches(lowered)),
        autoreply_header=autoreply_header,
        complaint_subject=bool(detect.complaint_subjects.matches(lowered)),
        failed_recipients=failed,
        report_type=report_type,
    )


def own_parties(message: Message, original: Message | None) -> set[str]:
    """Addresses that are the report's sender/receiver or the original's sender (lower case)."""
    parties: set[str] = set()
    for name in (
        "From",
        "To",
        "Cc",
        "Sender",
        "Reply-To",
        "Return-Path",
        "Delivered-To",
        "X-Original-To",
        "Envelope-To",
        "Errors-To",
    ):
        parties.update(a.lower() for a in _addresses(message, name))
    if original is not None:
        for name in ("From", "Sender", "Reply-To", "Return-Path", "Errors-To"):
            parties.update(a.lower() for a in _addresses(original, name))
    return parties


def addresses_in(message: Message, names: tuple[str, ...]) -> list[str]:
    """Addresses in the given headers of ``message``, in order."""
    return [a for name in names for a in _addresses(message, name)]
