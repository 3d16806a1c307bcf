"""Reading of RFC 822-style field blocks, as used by RFC 3464 DSNs and RFC 5965 ARF reports."""

from __future__ import annotations

import re
from email.message import Message

from mailfleet.core.feedback.mime import part_text

Block = list[tuple[str, str]]

_FIELD = re.compile(r"^([A-Za-z][A-Za-z0-9\-]{0,60})[ \t]*:[ \t]*(.*)$")
_SPACE = re.compile(r"\s+")


def blocks_from_text(text: str) -> list[Block]:
    """Split ``text`` into blank-line separated blocks of unfolded ``Name: value`` fields."""
    blocks: list[Block] = []
    current: Block = []
    for line in text.splitlines():
        if not line.strip():
            if current:
                blocks.append(current)
                current = []
            continue
        if line[:1] in (" ", "\t") and current:
            name, value = current[-1]
            current[-1] = (name, f"{value} {line.strip()}")
            continue
        match = _FIELD.match(line)
        if match:
            current.append((match.group(1).lower(), match.group(2).strip()))
    if current:
        blocks.append(current)
    return blocks


def blocks_from_part(part: Message) -> list[Block]:
    """The field blocks of a ``message/delivery-status``-like part, however it was parsed."""
    try:
        payload = part.get_payload()
    except Exception:  # a structure the parser half-built
        return []
    if isinstance(payload, list):
        blocks = []
        for sub in payload:
            if isinstance(sub, Message):
                try:
                    items = [(str(k).lower(), clean(str(v))) for k, v in sub.items()]
                except Exception:  # an undecodable header
                    items = []
                if items:
                    blocks.append(items)
                # some MTAs omit the blank line: later blocks end up in the body
                body = sub.get_payload()
                if isinstance(body, str) and body.strip():
                    blocks.extend(blocks_from_text(body))
        return blocks
    return blocks_from_text(part_text(part))


def clean(value: str) -> str:
    """Collapse whitespace (folded lines) to single spaces."""
    return _SPACE.sub(" ", value).strip()


def first(block: Block, name: str) -> str | None:
    """The first value of field ``name`` (lower case) in a block."""
    for key, value in block:
        if key == name:
            return value
    return None


def typed_address(value: str | None) -> str | None:
    """The address of an RFC 3464 ``address-type; address`` value (``rfc822; a@b``)."""
    if not value:
        return None
    _, semicolon, rest = value.partition(";")
    address = (rest if semicolon else value).strip().strip("<>\"' ").strip()
    if address.lower().startswith("rfc822;"):
        address = address[7:].strip()
    return address or None
