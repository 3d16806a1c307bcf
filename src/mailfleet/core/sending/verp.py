"""VERP return paths: every bounce names the message it belongs to, and cannot be forged.

The envelope sender of a queued message is::

    bounces+<id>-<mac>@<return-path-domain>

``<id>`` is the queue's message id in decimal; ``<mac>`` is the first 10 bytes of
HMAC-SHA256(key, "mailfleet-verp:" + id), base32-encoded, lower case, without padding
(16 characters). Local parts stay within ``[a-z0-9+-]``, which every MTA passes through
unchanged (RFC 5321 §4.1.2 dot-atom).

The feedback side decodes a bounce's recipient address with ``decode_verp`` and the same key;
a wrong or missing MAC gives ``None``, so a forged bounce cannot suppress anyone.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

VERP_PREFIX = "bounces"
_MAC_BYTES = 10


def _mac(key: bytes, message_id: int) -> str:
    digest = hmac.new(key, f"mailfleet-verp:{message_id}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest[:_MAC_BYTES]).decode("ascii").lower().rstrip("=")


def encode_verp(message_id: int, return_path_domain: str, key: bytes) -> str:
    """The envelope sender address carrying ``message_id``."""
    if message_id < 0:
        raise ValueError("message ids are not negative")
    return f"{VERP_PREFIX}+{message_id}-{_mac(key, message_id)}@{return_path_domain.lower()}"


def decode_verp(address: str, key: bytes) -> int | None:
    """The message id inside a VERP address, or ``None`` when it is not ours or not genuine."""
    local, at, _domain = address.strip().strip("<>").rpartition("@")
    if not at:
        return None
    prefix, plus, token = local.lower().partition("+")
    if prefix != VERP_PREFIX or not plus:
        return None
    number, dash, mac = token.partition("-")
    if not dash or not number.isdigit():
        return None
    message_id = int(number)
    return message_id if hmac.compare_digest(mac, _mac(key, message_id)) else None
