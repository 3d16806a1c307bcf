"""DNS record values as mailfleet compares and writes them.

A ``Record`` is one RRset: a name, a type, a TTL and its values. Names are absolute,
lowercase A-labels without the trailing dot. Values are kept in one canonical text form per
type so that what a provider returns compares equal to what the templates produce:

- MX: ``"10 mx.example.net."`` (preference, a space, the exchange with its trailing dot);
  RFC 7505's null MX is ``"0 ."``
- CNAME: ``"target.example.net."``
- TXT: the logical string, unquoted and unsplit; ``txt_chunks`` splits it for the wire
- A / AAAA: the address in its compressed text form
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from ipaddress import ip_address

import idna

# RFC 1123 2.1 host labels, plus the underscore that service labels (_dmarc, _domainkey) use
_LABEL = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?$")

TXT_CHUNK_BYTES = 255  # RFC 1035 3.3: a <character-string> holds at most 255 octets
TXT_MAX_BYTES = 4000  # well under the 65535-byte RDATA limit; providers reject far less
MAX_NAME_BYTES = 253


class RecordType(StrEnum):
    """The record types mailfleet writes."""

    A = "A"
    AAAA = "AAAA"
    CNAME = "CNAME"
    MX = "MX"
    TXT = "TXT"


class InvalidRecord(ValueError):
    """A name or value that cannot be published; the message names the record."""


def normalize_name(name: str) -> str:
    """The A-label, lowercase, dot-less form of ``name`` (IDNA 2008, UTS 46 mapping).

    Raise ``InvalidRecord`` for names that cannot be encoded or are too long (RFC 1035 2.3.4).
    Underscore labels (``_dmarc``, ``_domainkey``) are allowed: they are not host names.
    """
    text = name.strip().rstrip(".")
    if not text:
        raise InvalidRecord("an empty name cannot be published")
    labels = []
    for label in text.split("."):
        if not label:
            raise InvalidRecord(f"{name!r}: empty label")
        if label.startswith("_") or label.isascii():
            encoded = label.lower()
        else:
            try:
                encoded = idna.encode(label, uts46=True).decode("ascii")
            except idna.IDNAError as exc:
                raise InvalidRecord(f"{name!r}: {exc}") from None
        if not _LABEL.match(encoded) and encoded != "*":
            raise InvalidRecord(f"{name!r}: label {label!r} is not letters, digits and hyphens")
        if len(encoded) > 63:
            raise InvalidRecord(f"{name!r}: label {label!r} is longer than 63 bytes")
        labels.append(encoded)
    result = ".".join(labels)
    if len(result) > MAX_NAME_BYTES:
        raise InvalidRecord(f"{name!r}: longer than {MAX_NAME_BYTES} bytes")
    return result


def absolute(host: str) -> str:
    """A host name in canonical absolute form, with its trailing dot."""
    return normalize_name(host) + "."


def txt_chunks(value: str) -> tuple[str, ...]:
    """Split a TXT value into <character-string>s of at most 255 bytes (RFC 1035 3.3).

    RFC 7208 3.3 and RFC 6376 3.6.2.2: receivers concatenate the strings without separators,
    so a long SPF or DKIM value survives the split unchanged. Splits never cut a UTF-8
    sequence (our values are ASCII, but a foreign record may not be).
    """
    data = value.encode("utf-8")
    chunks: list[str] = []
    start = 0
    while start < len(data):
        end = min(start + TXT_CHUNK_BYTES, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:
            end -= 1
        chunks.append(data[start:end].decode("utf-8"))
        start = end
    return tuple(chunks) or ("",)


def quote_txt(value: str) -> str:
    """Zone-file presentation of a TXT value: quoted chunks separated by spaces."""
    parts = []
    for chunk in txt_chunks(value):
        escaped = chunk.replace("\\", "\\\\").replace('"', '\\"')
        parts.append(f'"{escaped}"')
    return " ".join(parts)


def unquote_txt(text: str) -> str:
    """Join the quoted strings of a presentation-format TXT value back into one string."""
    text = text.strip()
    if not text.startswith('"'):
        return text
    out: list[str] = []
    inside = False
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\" and inside and i + 1 < len(text):
            nxt = text[i + 1]
            if nxt.isdigit() and i + 3 < len(text) and text[i + 1 : i + 4].isdigit():
                out.append(chr(int(text[i + 1 : i + 4])))
                i += 4
                continue
            out.append(nxt)
            i += 2
            continue
        if char == '"':
            inside = not inside
        elif inside:
            out.append(char)
        i += 1
    return "".join(out)


def canonical_value(rtype: RecordType, value: str) -> str:
    """The canonical text of one value of ``rtype`` (see the module docstring)."""
    if rtype is RecordType.TXT:
        if len(value.encode("utf-8")) > TXT_MAX_BYTES:
            raise InvalidRecord(f"TXT value is longer than {TXT_MAX_BYTES} bytes")
        return value
    if rtype is RecordType.MX:
        preference, _, exchange = value.strip().partition(" ")
        if not preference.isdigit() or not exchange.strip():
            raise InvalidRecord(f"MX value {value!r} is not 'preference exchange'")
        if exchange.strip() == ".":  # RFC 7505 null MX: the domain accepts no mail
            return f"{int(preference)} ."
        return f"{int(preference)} {absolute(exchange.strip())}"
    if rtype is RecordType.CNAME:
        return absolute(value)
    try:
        return str(ip_address(value.strip()))
    except ValueError:
        raise InvalidRecord(f"{rtype} value {value!r} is not an IP address") from None


@dataclass(frozen=True, slots=True)
class Record:
    """One RRset. Build with ``Record.of`` so that name and values are canonical."""

    name: str
    type: RecordType
    ttl: int
    values: tuple[str, ...]

    @classmethod
    def of(cls, name: str, rtype: RecordType, ttl: int, values: Iterable[str]) -> Record:
        """A canonical record; raise ``InvalidRecord`` naming it when anything is wrong."""
        try:
            fqdn = normalize_name(name)
            canonical = tuple(sorted({canonical_value(rtype, v) for v in values}))
        except InvalidRecord as exc:
            raise InvalidRecord(f"{name} {rtype}: {exc}") from None
        if not canonical:
            raise InvalidRecord(f"{name} {rtype}: a record needs at least one value")
        if rtype is RecordType.CNAME and len(canonical) != 1:
            raise InvalidRecord(f"{name} CNAME: a CNAME has exactly one target (RFC 1034 3.6.2)")
        if not 1 <= ttl <= 2_147_483_647:
            raise InvalidRecord(f"{name} {rtype}: TTL {ttl} is out of range")
        return cls(fqdn, rtype, ttl, canonical)

    @property
    def key(self) -> tuple[str, RecordType]:
        """What identifies the RRset in a zone: its name and type."""
        return (self.name, self.type)

    def label(self) -> str:
        """``name TYPE`` for messages."""
        return f"{self.name} {self.type}"

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready form."""
        return {"name": self.name, "type": str(self.type), "ttl": self.ttl, "values": self.values}
