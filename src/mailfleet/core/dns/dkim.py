"""DKIM key records (RFC 6376 3.6.1; ed25519 per RFC 8463).

The core only formats and parses: keys are generated and stored by the service, through the
vault, and arrive here as DER-encoded public keys (base64).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

MIN_RSA_BITS = 2048


class KeyAlgorithm(StrEnum):
    """The ``k=`` tag: RSA (RFC 6376) or Ed25519 (RFC 8463)."""

    RSA = "rsa"
    ED25519 = "ed25519"


def selector_name(selector: str, domain: str) -> str:
    """Where a selector's key lives: ``<selector>._domainkey.<domain>`` (RFC 6376 3.6.2.1)."""
    return f"{selector}._domainkey.{domain}"


def vault_name(domain: str, selector: str) -> str:
    """The vault entry that holds the private key of ``selector`` on ``domain``."""
    return f"dkim/{domain}/{selector}"


def dkim_txt(algorithm: KeyAlgorithm, public_key_b64: str) -> str:
    """The TXT value publishing a key: ``v=DKIM1; k=rsa; p=...`` (RFC 6376 3.6.1).

    For RSA, ``p=`` is the DER SubjectPublicKeyInfo; for Ed25519 it is the raw 32-byte key
    (RFC 8463 4.2). Values longer than 255 bytes are split on the wire (``txt_chunks``).
    """
    return f"v=DKIM1; k={algorithm}; p={public_key_b64}"


@dataclass(frozen=True, slots=True)
class DkimKeyRecord:
    """A parsed key record: its algorithm and the base64 public key (empty when revoked)."""

    algorithm: KeyAlgorithm
    public_key_b64: str


def parse_dkim_txt(text: str) -> DkimKeyRecord:
    """Parse a key record's tag list (RFC 6376 3.2, 3.6.1); raise ``ValueError`` if invalid."""
    tags: dict[str, str] = {}
    for part in text.split(";"):
        if not part.strip():
            continue
        name, sep, value = part.partition("=")
        if not sep:
            raise ValueError(f"DKIM tag {part.strip()!r} has no '='")
        tags[name.strip().lower()] = "".join(value.split())
    if tags.get("v", "DKIM1") != "DKIM1":
        raise ValueError("v= must be DKIM1")
    if "p" not in tags:
        raise ValueError("a DKIM key record needs p=")
    try:
        algorithm = KeyAlgorithm(tags.get("k", "rsa").lower())
    except ValueError:
        raise ValueError(f"unknown key type k={tags['k']}") from None
    return DkimKeyRecord(algorithm, tags["p"])
