"""Building the bytes of an outgoing message, and choosing who sends it.

Headers follow RFC 5322; non-ASCII subjects and names are RFC 2047 encoded; bodies are
quoted-printable when they are not plain ASCII (RFC 2045), so no relay needs 8BITMIME.
Attachments make the message multipart/mixed (``mailfleet.core.sending.attachments``).
Bulk mail carries List-Unsubscribe with a mailto and an https URI and
``List-Unsubscribe-Post: List-Unsubscribe=One-Click`` (RFC 2369, RFC 8058).
"""

from __future__ import annotations

import binascii
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.header import Header
from email.utils import format_datetime, formataddr

from mailfleet.core.sending.attachments import mixed_body
from mailfleet.core.sending.model import QueuedMessage

_BOUNDARY_PREFIX = "=_mailfleet_"
MAX_LINE = 998


def new_message_id(token: str, domain: str) -> str:
    """A Message-ID (RFC 5322 §3.6.4) from a unique token, under the sender's domain."""
    return f"<{token}@{domain.lower()}>"


@dataclass(frozen=True, slots=True)
class BuildContext:
    """What the message needs beyond its draft: time, unsubscribe links, feedback tag."""

    now: datetime
    unsubscribe_mailto: str = ""
    unsubscribe_url: str = ""
    feedback_sender_id: str = "mailfleet"


def feedback_id(message: QueuedMessage, sender_id: str) -> str:
    """Gmail's Feedback-ID, ``campaign:segment:domain:sender`` (fields without colons)."""
    fields = (message.draft.campaign, message.draft.segment, message.sender_domain, sender_id)
    return ":".join(f.replace(":", "-") or "none" for f in fields)


def _header_text(value: str) -> str:
    if value.isascii():
        return value
    return Header(value, "utf-8").encode()


def _address(name: str, address: str) -> str:
    return formataddr((name, address), charset="utf-8") if name else address


def _has_long_line(text: str) -> bool:
    # split + max runs in C; a regex for "999 non-newlines" backtracks at every position.
    return len(text) > MAX_LINE and max(map(len, text.split("\n"))) > MAX_LINE


def _part(text: str, subtype: str) -> tuple[list[str], bytes]:
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    # RFC 5322 §2.1.1: no line over 998 characters; quoted-printable soft-wraps long ones.
    if text.isascii() and not _has_long_line(text):
        return [
            f"Content-Type: text/{subtype}; charset=us-ascii",
            "Content-Transfer-Encoding: 7bit",
        ], text.encode("ascii").replace(b"\n", b"\r\n")
    encoded = binascii.b2a_qp(text.encode("utf-8"), istext=True).replace(b"\n", b"\r\n")
    return [
        f"Content-Type: text/{subtype}; charset=utf-8",
        "Content-Transfer-Encoding: quoted-printable",
    ], encoded


def _body(message: QueuedMessage) -> tuple[list[str], bytes]:
    draft = message.draft
    if not draft.html:
        return _part(draft.text, "plain")
    boundary = _BOUNDARY_PREFIX + str(message.id)
    chunks: list[bytes] = []
    for text, subtype in ((draft.text, "plain"), (draft.html, "html")):
        headers, payload = _part(text, subtype)
        chunks.append(
            f"--{boundary}\r\n".encode()
            + "\r\n".join(headers).encode()
            + b"\r\n\r\n"
            + payload
            + b"\r\n"
        )
    body = b"".join(chunks) + f"--{boundary}--\r\n".encode()
    return [f'Content-Type: multipart/alternative; boundary="{boundary}"'], body


def unsubscribe_headers(context: BuildContext) -> list[str]:
    """List-Unsubscribe and, with an https URI, the RFC 8058 one-click marker."""
    links = []
    if context.unsubscribe_mailto:
        links.append(f"<mailto:{context.unsubscribe_mailto}?subject=unsubscribe>")
    if context.unsubscribe_url:
        links.append(f"<{context.unsubscribe_url}>")
    if not links:
        return []
    headers = [f"List-Unsubscribe: {', '.join(links)}"]
    if context.unsubscribe_url.startswith("https://"):
        headers.append("List-Unsubscribe-Post: List-Unsubscribe=One-Click")
    return headers


def build_message(message: QueuedMessage, context: BuildContext) -> bytes:
    """The RFC 5322 bytes of ``message`` (CRLF line ends), ready to be DKIM-signed."""
    draft = message.draft
    headers = [
        f"From: {_address(draft.sender_name, draft.sender)}",
        f"To: {draft.recipient}",
        f"Subject: {_header_text(draft.subject)}",
        f"Date: {format_datetime(context.now)}",
        f"Message-ID: {message.message_id}",
        "MIME-Version: 1.0",
    ]
    if draft.bulk:
        headers += unsubscribe_headers(context)
        headers.append(f"Feedback-ID: {feedback_id(message, context.feedback_sender_id)}")
    headers += [f"{name}: {_header_text(value)}" for name, value in sorted(draft.headers.items())]
    content_headers, body = _body(message)
    if draft.attachments:
        boundary = f"{_BOUNDARY_PREFIX}mixed_{message.id}"
        content_headers, body = mixed_body(boundary, content_headers, body, draft.attachments)
    head = "\r\n".join(headers + content_headers).encode("ascii")
    return head + b"\r\n\r\n" + body


def least_used(candidates: Sequence[str], usage: Mapping[str, int]) -> str:
    """The candidate sent from least so far; ties go to the earliest in the list.

    Used to spread a segment's mail over its mailboxes (and so over its domains).
    """
    if not candidates:
        raise ValueError("no sender to choose from")
    return min(candidates, key=lambda c: (usage.get(c, 0), candidates.index(c)))


def rotate(candidates: Sequence[str], count: int) -> list[str]:
    """Round-robin assignment of ``count`` messages over ``candidates``, domains interleaved.

    Mailboxes are ordered so that consecutive picks alternate between domains where possible.
    """
    if not candidates:
        raise ValueError("no sender to choose from")
    by_domain: dict[str, list[str]] = {}
    for address in candidates:
        by_domain.setdefault(address.rpartition("@")[2].lower(), []).append(address)
    order: list[str] = []
    queues = [list(v) for v in by_domain.values()]
    while any(queues):
        for queue in queues:
            if queue:
                order.append(queue.pop(0))
    return [order[i % len(order)] for i in range(count)]
