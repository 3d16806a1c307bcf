"""DKIM signing (RFC 6376) with RSA-SHA256 and Ed25519-SHA256 (RFC 8463) through OpenSSL.

Canonicalization is relaxed/relaxed (RFC 6376 §3.4.2 and §3.4.4), written here so that the
only expensive step left is the private-key operation, which ``cryptography`` hands to OpenSSL
(dkimpy does RSA in pure Python, about twenty times slower).

A message is signed as bytes; lines are normalised to CRLF first, and the caller must send the
returned bytes, which are exactly what was signed.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

# Headers worth protecting (RFC 6376 §5.4.1), in the order they go into h=.
SIGNED_HEADERS: tuple[str, ...] = (
    "from",
    "to",
    "cc",
    "subject",
    "date",
    "message-id",
    "reply-to",
    "mime-version",
    "content-type",
    "content-transfer-encoding",
    "list-unsubscribe",
    "list-unsubscribe-post",
    "feedback-id",
)
# Signed once more than present, so that nobody can add a second From after signing
# (RFC 6376 §8.15, "oversigning").
OVERSIGNED_HEADERS: tuple[str, ...] = ("from",)

_LINE_END = re.compile(rb"\r?\n")
# Only runs that change: a lone space stays as it is, which keeps the regex cheap on 10 KB bodies.
_WSP_RUN = re.compile(rb"[ \t]{2,}|\t")
_TRAILING_WSP = re.compile(rb" \r\n")


class DkimAlgorithm(StrEnum):
    """The signing algorithms mailfleet emits (the ``a=`` tag)."""

    RSA_SHA256 = "rsa-sha256"
    ED25519_SHA256 = "ed25519-sha256"


@dataclass(frozen=True, slots=True)
class Header:
    """One header field as it appears on the wire: its name and raw ``name:value`` bytes."""

    name: str
    raw: bytes


def normalise_line_ends(message: bytes) -> bytes:
    """Turn bare LF into CRLF and end with CRLF, as SMTP transmits it (RFC 5321 §2.3.8, §4.1.1.4).

    Signing what will be on the wire keeps sender and verifier on the same bytes: a last line
    without CRLF gets one in transit, which would otherwise change its trailing whitespace.
    """
    if message.count(b"\n") != message.count(b"\r\n"):  # counting is 10x cheaper than a sub
        message = _LINE_END.sub(b"\r\n", message)
    return message if message.endswith(b"\r\n") else message + b"\r\n"


def split_message(message: bytes) -> tuple[list[Header], bytes]:
    """Split a CRLF message into its header fields (folding kept) and its body.

    RFC 5322 §2.2.3: a line starting with space or tab continues the previous field.
    """
    head, separator, body = message.partition(b"\r\n\r\n")
    if not separator and head.endswith(b"\r\n"):
        head = head[:-2]
    headers: list[Header] = []
    for line in head.split(b"\r\n"):
        if line[:1] in (b" ", b"\t") and headers:
            last = headers[-1]
            headers[-1] = Header(last.name, last.raw + b"\r\n" + line)
        elif line:
            name = line.split(b":", 1)[0].decode("ascii", "replace")
            headers.append(Header(name.strip(), line))
    return headers, body


def relaxed_header(raw: bytes) -> bytes:
    """RFC 6376 §3.4.2: lowercase name, unfold, compress WSP, trim around the colon."""
    name, _, value = raw.partition(b":")
    value = _WSP_RUN.sub(b" ", value.replace(b"\r\n", b"")).strip(b" ")
    return name.strip(b" \t").lower() + b":" + value


def relaxed_body(body: bytes) -> bytes:
    """RFC 6376 §3.4.4: compress WSP, drop WSP at line ends, drop empty lines at the end.

    A body that is empty (or only blank lines) canonicalizes to nothing; any other body ends
    in exactly one CRLF.
    """
    if b"\t" in body or b"  " in body:
        body = _WSP_RUN.sub(b" ", body)
    if b" \r\n" in body:
        body = _TRAILING_WSP.sub(b"\r\n", body)
    body = body.rstrip(b" \r\n")
    return body + b"\r\n" if body else b""


def body_hash(body: bytes) -> str:
    """The ``bh=`` value: base64 of SHA-256 over the relaxed body."""
    return base64.b64encode(hashlib.sha256(relaxed_body(body)).digest()).decode("ascii")


def select_headers(
    headers: Sequence[Header],
    wanted: Sequence[str] = SIGNED_HEADERS,
    oversigned: Sequence[str] = OVERSIGNED_HEADERS,
) -> tuple[list[str], list[bytes]]:
    """The ``h=`` names and the canonical fields they cover, in signing order.

    RFC 6376 §5.4.2: several instances of a name are signed from the bottom up; a name listed
    once more than it occurs stands for a null field, which blocks additions.
    """
    by_name: dict[str, list[bytes]] = {}
    for header in headers:
        by_name.setdefault(header.name.lower(), []).append(header.raw)
    names: list[str] = []
    fields: list[bytes] = []
    for name in wanted:
        present = by_name.get(name, [])
        for raw in reversed(present):
            names.append(name)
            fields.append(relaxed_header(raw) + b"\r\n")
        if name in oversigned and present:
            names.append(name)
    return names, fields


@dataclass(frozen=True, slots=True)
class DkimKey:
    """A private key that signs for ``domain`` under ``selector``."""

    domain: str
    selector: str
    algorithm: DkimAlgorithm
    private_pem: bytes


class DkimSigner:
    """Signs messages for one domain with one or two keys (RSA, optionally Ed25519 too).

    Keys are parsed once, at construction: parsing a PEM costs more than a signature.
    """

    def __init__(self, keys: Sequence[DkimKey]) -> None:
        if not keys:
            raise ValueError("a DKIM signer needs at least one key")
        self._keys = [(key, _load_private_key(key)) for key in keys]

    @property
    def domain(self) -> str:
        """The signing domain (``d=``) of the first key."""
        return self._keys[0][0].domain

    def sign(self, message: bytes, timestamp: int | None = None) -> bytes:
        """The message with its DKIM-Signature fields prepended (one per key).

        ``timestamp`` becomes ``t=`` (seconds since the epoch) when given.
        """
        message = normalise_line_ends(message)
        headers, body = split_message(message)
        names, fields = select_headers(headers)
        signed_fields = b"".join(fields)
        bh = body_hash(body)
        signatures = [
            _signature_field(key, private, names, signed_fields, bh, timestamp)
            for key, private in self._keys
        ]
        return b"".join(signatures) + message


def _signature_field(
    key: DkimKey,
    private: rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey,
    names: list[str],
    signed_fields: bytes,
    bh: str,
    timestamp: int | None,
) -> bytes:
    tags = [
        "v=1",
        f"a={key.algorithm.value}",
        "c=relaxed/relaxed",
        f"d={key.domain}",
        f"s={key.selector}",
    ]
    if timestamp is not None:
        tags.append(f"t={timestamp}")
    tags += [f"h={':'.join(names)}", f"bh={bh}"]
    # Folded for readers; relaxed canonicalization unfolds it again before hashing.
    unsigned = ("DKIM-Signature: " + ";\r\n\t".join(tags) + ";\r\n\tb=").encode("ascii")
    data = signed_fields + relaxed_header(unsigned)
    if isinstance(private, rsa.RSAPrivateKey):
        signature = private.sign(data, padding.PKCS1v15(), hashes.SHA256())
    else:
        # RFC 8463 §3: Ed25519 signs the SHA-256 digest of the data, not the data itself.
        signature = private.sign(hashlib.sha256(data).digest())
    return unsigned + base64.b64encode(signature) + b"\r\n"


def _load_private_key(key: DkimKey) -> rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey:
    private = serialization.load_pem_private_key(key.private_pem, password=None)
    wanted = (
        rsa.RSAPrivateKey
        if key.algorithm is DkimAlgorithm.RSA_SHA256
        else ed25519.Ed25519PrivateKey
    )
    if not isinstance(private, wanted):
        raise ValueError(
            f"the key for {key.selector}._domainkey.{key.domain} is not {key.algorithm}"
        )
    return private


def public_key_record(key: DkimKey) -> str:
    """The TXT value to publish at ``<selector>._domainkey.<domain>`` (RFC 6376 §3.6.1)."""
    private = _load_private_key(key)
    if isinstance(private, rsa.RSAPrivateKey):
        der = private.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return f"v=DKIM1; k=rsa; p={base64.b64encode(der).decode('ascii')}"
    raw = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return f"v=DKIM1; k=ed25519; p={base64.b64encode(raw).decode('ascii')}"
