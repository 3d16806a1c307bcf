"""VERP return paths: ``bounces+<token>@<bounce-domain>`` carrying a signed message id.

Every message mailfleet sends uses a return path unique to it, so a bounce delivered to that
address names the message without trusting anything in the bounce's body. The token is the
message id in base32 followed by a truncated HMAC-SHA256 over it, so a forged bounce (someone
mailing ``bounces+anything@``) is recognised and ignored. Base32 in lower case survives MTAs
that change the case of local parts; the token stays within RFC 5321's 64-octet local part
for ids up to 30 bytes.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re

from mailfleet.core.secrets import Secret

DEFAULT_PREFIX = "bounces"
_SIGNATURE_BYTES = 10  # 80 bits: forging one needs about 2**79 tries per message id
_TOKEN = re.compile(r"^([a-z2-7]+)\.([a-z2-7]{16})$")


def _b32(data: bytes) -> str:
    return base64.b32encode(data).decode("ascii").rstrip("=").lower()


def _unb32(text: str) -> bytes:
    padded = text.upper() + "=" * (-len(text) % 8)
    return base64.b32decode(padded)


def _signature(message_id: str, key: Secret) -> str:
    digest = hmac.new(key.reveal().encode(), message_id.encode(), hashlib.sha256).digest()
    return _b32(digest[:_SIGNATURE_BYTES])


def encode_verp(
    message_id: str, key: Secret, bounce_domain: str, *, prefix: str = DEFAULT_PREFIX
) -> str:
    """The return path for ``message_id``: ``bounces+<id>.<signature>@<bounce_domain>``."""
    token = f"{_b32(message_id.encode())}.{_signature(message_id, key)}"
    return f"{prefix}+{token}@{bounce_domain.lower()}"


def verp_token(address: str, *, prefix: str = DEFAULT_PREFIX) -> str | None:
    """The token of a VERP address (unverified), or ``None`` if it is not one of ours."""
    address = address.strip().strip("<>").lower()
    local, _, _domain = address.rpartition("@")
    head, plus, token = local.partition("+")
    if not plus or head != prefix.lower() or not _TOKEN.match(token):
        return None
    return token


def decode_verp(address: str, key: Secret, *, prefix: str = DEFAULT_PREFIX) -> str | None:
    """The message id in a VERP address, or ``None`` when it is not ours or is forged."""
    token = verp_token(address, prefix=prefix)
    if token is None:
        return None
    encoded, _, signature = token.partition(".")
    try:
        message_id = _unb32(encoded).decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    if not hmac.compare_digest(signature, _signature(message_id, key)):
        return None
    return message_id
