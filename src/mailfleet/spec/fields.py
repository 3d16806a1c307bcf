"""Field types for the spec: domain names, local parts, rates, time zones, secret references.

Each validator raises ``ValueError`` with a message a person can act on; pydantic attaches the
location, and the loader turns the location into a file and line.
"""

from __future__ import annotations

import re
import zoneinfo
from typing import Annotated

import idna
from pydantic import AfterValidator, BeforeValidator

from mailfleet.core.secrets import parse_secret_ref

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
# RFC 5322 dot-atom-text, the unquoted local parts any provider accepts.
_ATOM = r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LOCAL_PART = re.compile(rf"^{_ATOM}(?:\.{_ATOM})*$", re.IGNORECASE)
# Keys of provider settings that hold credentials and so must be references.
SECRET_KEY_PATTERN = re.compile(
    r"(password|passwd|secret|token|api[_-]?key|private[_-]?key|credentials?)$", re.IGNORECASE
)


def normalize_domain(value: str) -> str:
    """Return the lowercase A-label form of a domain name (RFC 1035 lengths, RFC 5891 IDNA)."""
    name = value.strip().rstrip(".").lower()
    if not name:
        raise ValueError("a domain name cannot be empty")
    try:
        ascii_name = idna.encode(name, uts46=True).decode("ascii")
    except idna.IDNAError as exc:
        raise ValueError(f"{value!r} is not a valid domain name: {exc}") from None
    labels = ascii_name.split(".")
    if len(labels) < 2:
        raise ValueError(f"{value!r} is not a domain name: it needs at least two labels")
    if len(ascii_name) > 253:
        raise ValueError(f"{value!r} is longer than 253 characters")
    for label in labels:
        if not _LABEL.match(label):
            raise ValueError(
                f"{value!r} is not a valid domain name: label {label!r} must be 1-63 letters, "
                "digits or hyphens, not starting or ending with a hyphen"
            )
    if labels[-1].isdigit():
        raise ValueError(f"{value!r} is not a domain name: its last label is numeric")
    return ascii_name


def check_local_part(value: str) -> str:
    """Validate a mailbox username: an RFC 5322 dot-atom of at most 64 characters."""
    name = value.strip().lower()
    if not name or len(name) > 64 or not _LOCAL_PART.match(name):
        raise ValueError(
            f"{value!r} is not a valid mailbox username: use letters, digits and . _ - + "
            "(no leading, trailing or double dots), at most 64 characters"
        )
    return name


def check_address(value: str) -> str:
    """Validate an email address: a dot-atom local part, ``@``, a domain name."""
    local, sep, domain = value.strip().rpartition("@")
    if not sep:
        raise ValueError(f"{value!r} is not an email address")
    return f"{check_local_part(local)}@{normalize_domain(domain)}"


def check_timezone(value: str) -> str:
    """Validate an IANA time zone name such as ``Europe/Berlin``."""
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"{value!r} is not an IANA time zone: use a name such as 'Europe/Berlin' or "
            "'America/New_York'"
        ) from None
    return value


def parse_rate(value: object) -> object:
    """Accept a fraction (``0.02``) or a percentage string (``"2%"``, ``"0.08 %"``)."""
    if isinstance(value, str):
        text = value.strip()
        if text.endswith("%"):
            try:
                return float(text[:-1].strip()) / 100
            except ValueError:
                raise ValueError(f"{value!r} is not a percentage") from None
    return value


def check_rate(value: float) -> float:
    """A rate is a fraction between 0 and 1."""
    if not 0 <= value <= 1:
        raise ValueError(f"{value} is not a rate: write a fraction (0.02) or a percentage ('2%')")
    return value


def check_secret_ref(value: str) -> str:
    """Validate a secret reference (``env:NAME`` or ``file:PATH``)."""
    parse_secret_ref(value)
    return value


DomainName = Annotated[str, AfterValidator(normalize_domain)]
LocalPart = Annotated[str, AfterValidator(check_local_part)]
EmailAddress = Annotated[str, AfterValidator(check_address)]
TimeZoneName = Annotated[str, AfterValidator(check_timezone)]
Rate = Annotated[float, BeforeValidator(parse_rate), AfterValidator(check_rate)]
SecretReference = Annotated[str, AfterValidator(check_secret_ref)]
