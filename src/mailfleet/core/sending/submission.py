"""Turning a message submitted over SMTP (RFC 6409) into queue drafts, one per recipient.

The submission endpoint accepts text and HTML mail (text/plain, text/html, or
multipart/alternative of the two), optionally as the first part of a multipart/mixed whose
other parts are attachments (RFC 2046 §5.1.3), within the attachment limits. The queue rebuilds
headers and signs at send time, so other shapes (nested mixed parts, calendar invitations) are
refused with 554 5.6.1 rather than silently dropped, and attachments over the limits with
552 5.3.4.
"""

from __future__ import annotations

import email
import email.policy
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import getaddresses

from mailfleet.core.sending.attachments import attachment_problems
from mailfleet.core.sending.model import Attachment, MessageDraft

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
    body, attachments = _split_mixed(message)
    text, html = _bodies(body) if body is not None else (None, None)
    if text is None and html is None:
        return Refusal("554 5.6.1 only text/plain and text/html content can be queued")
    if attachments is None:
        return Refusal("554 5.6.1 only files can follow the text of a multipart/mixed message")
    problems = attachment_problems(attachments)
    if problems:
        return Refusal(f"552 5.3.4 {problems[0]}")
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
            attachments=tuple(attachments),
        )
        for recipient in recipients
    ]


def _split_mixed(message: EmailMessage) -> tuple[EmailMessage | None, list[Attachment] | None]:
    """The body part and the attachments; ``None`` for attachments when a part is not a file."""
    if message.get_content_type() != "multipart/mixed":
        return message, []
    parts = [p for p in message.iter_parts() if isinstance(p, EmailMessage)]
    if not parts:
        return None, []
    files: list[Attachment] = []
    for part in parts[1:]:
        payload = part.get_payload(decode=True)
        if part.is_multipart() or not isinstance(payload, bytes):
            return parts[0], None
        name = part.get_filename() or "attachment"
        files.append(Attachment(name, part.get_content_type(), payload))
    return parts[0], files


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
