"""Turning a message submitted over SMTP (RFC 6409) into queue drafts, one per recipient.

The submission endpoint accepts text and HTML mail (text/plain, text/html, or
multipart/alternative of the two); the queue rebuilds headers and signs at send time, so other
content (attachments, calendar parts) is refused with 554 5.6.1 rather than silently dropped.
"""

from __future__ import annotations

import email
import email.policy
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import getaddresses

from mailfleet.core.sending.model import MessageDraft

# Headers a client may set that survive into the queued message.
KEPT_HEADERS = ("Reply-To", "In-Reply-To", "References")


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a submitted message was not queued, as an SMTP reply."""

    reply: str


def drafts_from_submission(
    data: bytes, recipients: Sequence[str], *, authenticated_as: str
) -> list[MessageDraft] | Refusal:
    """Drafts for every envelope recipient, or the refusal to send back."""
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    senders = getaddresses([str(message.get("From", ""))])
    if len(senders) != 1 or "@" not in senders[0][1]:
        return Refusal("550 5.6.0 exactly one From address is required")
    name, sender = senders[0]
    if sender.lower() != authenticated_as.lower():
        return Refusal(f"553 5.7.1 From <{sender}> is not the mailbox you logged in as")
    text, html = _bodies(message)
    if text is None and html is None:
        return Refusal("554 5.6.1 only text/plain and text/html content can be queued")
    bulk = message.get("Precedence", "").lower() in ("bulk", "list") or bool(
        message.get("List-Unsubscribe")
    )
    headers = {h: str(message[h]) for h in KEPT_HEADERS if message.get(h)}
    return [
        MessageDraft(
            sender=sender,
            recipient=recipient,
            subject=str(message.get("Subject", "")),
            text=text or "",
            html=html or "",
            sender_name=name,
            bulk=bulk,
            headers=headers,
        )
        for recipient in recipients
    ]


def _content(part: EmailMessage) -> str:
    return str(part.get_content()).replace("\r\n", "\n")


def _bodies(message: EmailMessage) -> tuple[str | None, str | None]:
    kind = message.get_content_type()
    if kind in ("text/plain", "text/html"):
        content = _content(message)
        return (content, None) if kind == "text/plain" else (None, content)
    if kind != "multipart/alternative":
        return None, None
    text = html = None
    for part in message.iter_parts():
        assert isinstance(part, EmailMessage)
        if part.get_content_type() == "text/plain" and text is None:
            text = _content(part)
        elif part.get_content_type() == "text/html" and html is None:
            html = _content(part)
        else:
            return None, None
    return text, html
