"""What an alert looks like on each channel, and who sends alert email. Pure functions."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass

from mailfleet.core.fleet import Fleet
from mailfleet.core.reputation.engine import AlertEvent, EventKind
from mailfleet.core.reputation.rules import Severity

SIGNATURE_HEADER = "X-Mailfleet-Signature"
TIMESTAMP_HEADER = "X-Mailfleet-Timestamp"
_ICONS = {Severity.CRITICAL: ":rotating_light:", Severity.WARNING: ":warning:"}


@dataclass(frozen=True, slots=True)
class Delivery:
    """The outcome of sending one event on one channel."""

    channel: str
    ok: bool
    detail: str = ""


def subject_line(event: AlertEvent) -> str:
    """A one-line summary: the email subject and the first line of every channel."""
    state = "RESOLVED" if event.kind == EventKind.RESOLVED else event.severity.value.upper()
    return f"[mailfleet] {state}: {event.title}: {event.subject}"


def text_body(event: AlertEvent) -> str:
    """The plain-text body of an alert email or log line."""
    lines = [
        event.message,
        "",
        f"rule: {event.rule}",
        f"subject: {event.subject_kind.value} {event.subject}",
        f"at: {event.at.isoformat()}",
    ]
    return "\n".join(lines) + "\n"


def slack_payload(event: AlertEvent) -> dict[str, object]:
    """A Slack incoming-webhook body: ``text`` for notifications, one mrkdwn block for show."""
    icon = (
        ":white_check_mark:"
        if event.kind == EventKind.RESOLVED
        else _ICONS.get(event.severity, ":information_source:")
    )
    text = f"{icon} {subject_line(event)}"
    return {
        "text": text,
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": f"*{text}*\n{event.message}"}},
            {
                "type": "context",
                "elements": [
                    {"type": "mrkdwn", "text": f"rule `{event.rule}` at {event.at.isoformat()}"}
                ],
            },
        ],
    }


def json_body(event: AlertEvent) -> bytes:
    """The generic webhook body: the event as compact JSON, keys sorted (what is signed)."""
    return json.dumps(event.as_dict(), sort_keys=True, separators=(",", ":")).encode()


def sign(key: bytes, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 over ``timestamp.body``, as ``sha256=<hex>``.

    The timestamp is part of what is signed, so a receiver can refuse replays of old bodies.
    """
    mac = hmac.new(key, timestamp.encode() + b"." + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def verify(key: bytes, timestamp: str, body: bytes, signature: str) -> bool:
    """True when ``signature`` is ours for this timestamp and body (constant-time compare)."""
    return hmac.compare_digest(sign(key, timestamp, body), signature)


def monitoring_sender(fleet: Fleet, segment: str = "monitoring") -> str | None:
    """The address alert email comes from: the first mailbox of the monitoring segment.

    Alerts travel on the segment built for them, so a pool's trouble cannot stop the news of
    it. None when the segment has no domain with a mailbox.
    """
    for domain in fleet.domains:
        if domain.segment == segment and domain.mailboxes:
            return domain.mailboxes[0].address
    return None
