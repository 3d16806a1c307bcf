"""What identifies one webhook delivery, so that a replayed delivery is applied once.

A signature check proves who sent a call, not that it is the first time it arrives: a
captured call stays genuine. Each relay gives something that is unique per delivery and
covered by its proof, and that is what is remembered (as a SHA-256 digest, so no token or
body is stored):

- SendGrid signs ``timestamp + body`` (ECDSA); the digest of exactly that is the identity.
  The signature itself is not used: ECDSA signatures are malleable (``(r, s)`` and
  ``(r, n - s)`` both verify), so a replay could carry a different valid signature.
- Mailgun signs ``timestamp + token``, and the token is unique per call. The body is *not*
  signed, so a second call with a used token is refused, whatever it carries.
- Amazon SNS signs the message including its ``MessageId``, which stays the same when SNS
  retries a delivery.
- Postmark does not sign; a record is identified by its ``RecordType`` and ``ID`` (bounces
  and spam complaints), else its ``MessageID`` (deliveries).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

DEFAULT_RETENTION = timedelta(days=2)  # longer than SNS and Postmark keep retrying a delivery


@dataclass(frozen=True, slots=True)
class Delivery:
    """One webhook delivery: its identity, when it was applied, and until when to remember it."""

    key: str
    provider: str
    seen_at: datetime
    expires_at: datetime


def _key(provider: str, *parts: str | bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big"))  # length-prefixed: no ambiguous joins
        digest.update(data)
    return f"{provider}:{digest.hexdigest()}"


def sendgrid_key(timestamp: str, body: bytes) -> str:
    """The identity of a SendGrid delivery: what its signature covers."""
    return _key("sendgrid", timestamp, body)


def mailgun_key(token: str) -> str:
    """The identity of a Mailgun delivery: its one-time token."""
    return _key("mailgun", token)


def sns_key(message_id: str) -> str:
    """The identity of an SNS delivery: its (signed) MessageId."""
    return _key("ses", message_id)


def postmark_key(record: Mapping[str, object]) -> str | None:
    """The identity of a Postmark record, or ``None`` when it carries no ID or MessageID."""
    kind = str(record.get("RecordType") or "")
    record_id = record.get("ID")
    if record_id is not None and str(record_id):
        return _key("postmark", kind, "id", str(record_id))
    message_id = record.get("MessageID")
    if message_id:
        return _key("postmark", kind, "message", str(message_id))
    return None


def delivery(key: str, now: datetime, retention: timedelta = DEFAULT_RETENTION) -> Delivery:
    """The record of a delivery seen ``now``, kept for ``retention``."""
    return Delivery(key, key.split(":", 1)[0], now, now + retention)
