"""Defensive MIME reading: any bytes become a message, any part becomes text.

Inbound reports are written by every MTA ever shipped, so nothing here trusts the input:
line endings are normalised (CR-only mail exists), charsets that Python does not know fall
back to UTF-8 with replacement then Latin-1, and every accessor returns a value, not an error.
"""

from __future__ import annotations

import email
import re
from collections.abc import Iterator
from email.header import decode_header, make_header
from email.message import Message

_MAX_TEXT = 64_000  # enough for any report's human part; the rest is attached originals
_TAGS = re.compile(r"<(script|style)\b.*?</\1>|<[^>]{0,2000}>", re.IGNORECASE | re.DOTALL)
_ENTITIES = {"&nbsp;": " ", "&lt;": "<", "&gt;": ">", "&amp;": "&", "&quot;": '"', "&#39;": "'"}


def message_from_raw(raw: bytes) -> Message:
    """Parse ``raw`` (RFC 5322) into a message, whatever its line endings."""
    if b"\r" in raw:
        raw = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    return email.message_from_bytes(raw)


# Parsing reads the same headers and content types many times; compat32 messages look them
# up by a linear scan each time. These memos live on the message object itself, so they go
# away with it and never leak between messages.
_HEADERS_MEMO = "_mailfleet_headers"
_TYPE_MEMO = "_mailfleet_type"


def _header_index(message: Message) -> dict[str, list[str]]:
    memo: dict[str, list[str]] | None = message.__dict__.get(_HEADERS_MEMO)
    if memo is None:
        memo = {}
        for key, value in getattr(message, "_headers", ()):
            # The raw (name, value) pairs: compat32 returns them as they were parsed, and
            # reading them directly cannot fail on a malformed header.
            memo.setdefault(str(key).lower(), []).append(clean_text(str(value)))
        message.__dict__[_HEADERS_MEMO] = memo
    return memo


def header(message: Message, name: str) -> str:
    """A header's decoded value (RFC 2047), or ``""``; never raises."""
    values = _header_index(message).get(name.lower())
    if not values:
        return ""
    value = values[0]
    if "=?" not in value:
        return value.strip()
    try:
        return str(make_header(decode_header(str(value)))).strip()
    except Exception:  # undecodable encoded-words: keep the raw text
        return str(value).strip()


def all_headers(message: Message, name: str) -> list[str]:
    """Every value of a header, raw."""
    return list(_header_index(message).get(name.lower(), ()))


def clean_text(text: str) -> str:
    """``text`` without the lone surrogates that 8-bit header bytes become when parsed."""
    if text.isascii():
        return text
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Bytes to text with the declared charset, else UTF-8, else Latin-1 (never fails)."""
    for candidate in (charset, "utf-8"):
        if not candidate:
            continue
        try:
            return data.decode(candidate)
        except (LookupError, UnicodeDecodeError, ValueError):
            continue
    return data.decode("latin-1")


def part_text(part: Message) -> str:
    """A leaf part's content as text (transfer encoding and charset undone)."""
    try:
        payload = part.get_payload(decode=True)
    except Exception:  # broken base64 or quoted-printable
        payload = None
    if isinstance(payload, bytes):
        try:
            charset = part.get_content_charset()
        except Exception:  # a malformed Content-Type parameter
            charset = None
        text = decode_bytes(payload[:_MAX_TEXT], charset)
    else:
        raw = part.get_payload()
        text = raw if isinstance(raw, str) else ""
    return text[:_MAX_TEXT]


def content_type(part: Message) -> str:
    """The part's content type, lower case; ``text/plain`` when missing or unreadable."""
    memo: str | None = part.__dict__.get(_TYPE_MEMO)
    if memo is None:
        try:
            memo = part.get_content_type()
        except Exception:  # a malformed Content-Type header
            memo = "text/plain"
        part.__dict__[_TYPE_MEMO] = memo
    return memo


def walk(message: Message, *, into_messages: bool = False) -> Iterator[Message]:
    """Every part, depth first; attached messages are entered only if ``into_messages``."""
    yield message
    if content_type(message).startswith("message/") and not into_messages:
        return
    try:
        children = message.get_payload() if message.is_multipart() else []
    except Exception:  # a structure the parser half-built
        children = []
    for child in children if isinstance(children, list) else []:
        if isinstance(child, Message):
            yield from walk(child, into_messages=into_messages)


def html_to_text(html: str) -> str:
    """Crude HTML to text, for reports sent as HTML only (some Exchange and Domino versions)."""
    text = re.sub(r"<br\s*/?>|</p>|</div>|</tr>", "\n", html, flags=re.IGNORECASE)
    text = _TAGS.sub(" ", text)
    for entity, char in _ENTITIES.items():
        text = text.replace(entity, char)
    return text


_TEXT_MEMO = "_mailfleet_text"


def human_text(message: Message) -> str:
    """The readable text of a report: its text parts, outside attached messages."""
    memo: str | None = message.__dict__.get(_TEXT_MEMO)
    if memo is None:
        memo = message.__dict__[_TEXT_MEMO] = _human_text(message)
    return memo


def _human_text(message: Message) -> str:
    plain: list[str] = []
    html: list[str] = []
    for part in walk(message):
        kind = content_type(part)
        if part.is_multipart() or kind.startswith("message/"):
            continue
        if kind == "text/html":
            html.append(part_text(part))
        elif kind.startswith("text/") and kind != "text/rfc822-headers":
            plain.append(part_text(part))
    text = "\n".join(plain) if plain else html_to_text("\n".join(html))
    return text[:_MAX_TEXT]


def attached_original(message: Message) -> Message | None:
    """The returned original message (``message/rfc822`` or ``text/rfc822-headers`` part)."""
    for part in walk(message):
        kind = content_type(part)
        if kind in ("message/rfc822", "message/global", "message/rfc822-headers"):
            inner = part.get_payload()
            if isinstance(inner, list) and inner and isinstance(inner[0], Message):
                return inner[0]
            if isinstance(inner, str):
                return email.message_from_string(inner)
        if kind in ("text/rfc822-headers", "message/global-headers"):
            return email.message_from_string(part_text(part))
    return None
