"""Presentation-format values shared by the adapters that speak zone-file text."""

from __future__ import annotations

from mailfleet.core.dns.records import InvalidRecord, Record, RecordType, quote_txt, unquote_txt

SUPPORTED = frozenset(RecordType)


def to_content(rtype: RecordType, value: str) -> str:
    """One canonical value as zone-file text (TXT quoted and split into 255-byte strings)."""
    return quote_txt(value) if rtype is RecordType.TXT else value


def from_rrset(name: str, rtype: str, ttl: int, contents: list[str]) -> Record | None:
    """A ``Record`` from zone-file text, or ``None`` for types and values we do not manage."""
    if rtype not in SUPPORTED:
        return None
    kind = RecordType(rtype)
    values = [unquote_txt(c) if kind is RecordType.TXT else c for c in contents]
    try:
        return Record.of(name, kind, ttl, values)
    except InvalidRecord:
        return None  # a foreign value we could not have written: leave it alone


def dotted(name: str) -> str:
    """``name`` with the trailing dot APIs and zone files want."""
    return name.rstrip(".") + "."
