"""Is a relay's webhook call genuine? Signature checks for SES/SNS, SendGrid, Mailgun, Postmark.

Each check is a pure function over the request (headers lower-cased, raw body) and the keys;
the outcome is a :class:`Verdict`, never an exception. Fetching the SNS signing certificate is
I/O and happens in the service, which passes the PEM bytes in.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import load_der_public_key, load_pem_public_key

# Amazon SNS signs with certificates served from its regional endpoints only.
_SNS_HOST = re.compile(r"sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?")
_SNS_NOTIFICATION_FIELDS = ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
_SNS_SUBSCRIPTION_FIELDS = (
    "Message",
    "MessageId",
    "SubscribeURL",
    "Timestamp",
    "Token",
    "TopicArn",
    "Type",
)
SENDGRID_SIGNATURE = "x-twilio-email-event-webhook-signature"
SENDGRID_TIMESTAMP = "x-twilio-email-event-webhook-timestamp"


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether a call is genuine, and if not why (never containing a secret)."""

    ok: bool
    reason: str = ""


GENUINE = Verdict(True)


def _reject(reason: str) -> Verdict:
    return Verdict(False, reason)


def _within(timestamp: str, now: datetime, window_seconds: int) -> bool:
    """Whether a Unix ``timestamp`` is within ``window_seconds`` of ``now`` (replays refused)."""
    try:
        sent = int(timestamp)
    except ValueError:
        return False
    return abs(now.timestamp() - sent) <= window_seconds


def sns_url_allowed(url: str) -> bool:
    """Whether ``url`` is https on an SNS regional host (``sns.<region>.amazonaws.com``)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return False
    host = (parts.hostname or "").lower()
    return (
        parts.scheme == "https"
        and _SNS_HOST.fullmatch(host) is not None
        and port in (None, 443)
        and not parts.username
    )


def sns_cert_url_allowed(url: str) -> bool:
    """Whether ``url`` may serve an SNS signing certificate: an SNS URL to a ``.pem`` file."""
    return sns_url_allowed(url) and urlsplit(url).path.endswith(".pem")


def sns_string_to_sign(message: Mapping[str, object]) -> bytes | None:
    """The canonical text SNS signs: name/value lines of the message's signed fields, in order.

    Notifications sign Message, MessageId, Subject (when present), Timestamp, TopicArn and
    Type; subscription messages add SubscribeURL and Token. ``None`` for an unknown type.
    """
    kind = message.get("Type")
    names: tuple[str, ...]
    if kind == "Notification":
        names = _SNS_NOTIFICATION_FIELDS
    elif kind in ("SubscriptionConfirmation", "UnsubscribeConfirmation"):
        names = _SNS_SUBSCRIPTION_FIELDS
    else:
        return None
    lines = []
    for name in names:
        value = message.get(name)
        if value is None:
            if name == "Subject":
                continue
            return None
        lines.append(f"{name}\n{value}\n")
    return "".join(lines).encode("utf-8")


def verify_sns(message: Mapping[str, object], certificate_pem: bytes) -> Verdict:
    """Check an SNS message's signature (SignatureVersion 1: SHA1, 2: SHA256, RSA PKCS#1 v1.5)."""
    version = str(message.get("SignatureVersion", ""))
    algorithm: hashes.HashAlgorithm
    if version == "1":
        algorithm = hashes.SHA1()  # noqa: S303 - SNS SignatureVersion 1 is SHA1withRSA
    elif version == "2":
        algorithm = hashes.SHA256()
    else:
        return _reject(f"unsupported SignatureVersion {version!r}")
    signed = sns_string_to_sign(message)
    if signed is None:
        return _reject("not a signable SNS message")
    try:
        signature = base64.b64decode(str(message.get("Signature", "")), validate=True)
        key = x509.load_pem_x509_certificate(certificate_pem).public_key()
    except (ValueError, binascii.Error):
        return _reject("unreadable signature or certificate")
    if not isinstance(key, rsa.RSAPublicKey):
        return _reject("certificate key is not RSA")
    try:
        key.verify(signature, signed, padding.PKCS1v15(), algorithm)
    except InvalidSignature:
        return _reject("bad SNS signature")
    return GENUINE


def verify_sendgrid(
    headers: Mapping[str, str],
    body: bytes,
    public_key: str,
    now: datetime,
    window_seconds: int,
) -> Verdict:
    """Check SendGrid's signed event webhook: ECDSA P-256 / SHA-256 over timestamp + body.

    ``public_key`` is the verification key SendGrid shows (base64 DER, or PEM).
    """
    signature_b64 = headers.get(SENDGRID_SIGNATURE, "")
    timestamp = headers.get(SENDGRID_TIMESTAMP, "")
    if not signature_b64 or not timestamp:
        return _reject("unsigned SendGrid call")
    if not _within(timestamp, now, window_seconds):
        return _reject("SendGrid timestamp outside the replay window")
    try:
        signature = base64.b64decode(signature_b64, validate=True)
        text = public_key.strip()
        key = (
            load_pem_public_key(text.encode())
            if text.startswith("-----")
            else load_der_public_key(base64.b64decode(text))
        )
    except (ValueError, binascii.Error):
        return _reject("unreadable SendGrid signature or key")
    if not isinstance(key, ec.EllipticCurvePublicKey):
        return _reject("SendGrid key is not an EC key")
    try:
        key.verify(signature, timestamp.encode() + body, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return _reject("bad SendGrid signature")
    return GENUINE


def verify_mailgun(
    signature: Mapping[str, object],
    signing_key: str,
    now: datetime,
    window_seconds: int,
) -> Verdict:
    """Check Mailgun's ``signature`` object: HMAC-SHA256 of timestamp + token, hex encoded."""
    timestamp, token = str(signature.get("timestamp", "")), str(signature.get("token", ""))
    given = str(signature.get("signature", ""))
    if not timestamp or not token or not given:
        return _reject("unsigned Mailgun call")
    if not _within(timestamp, now, window_seconds):
        return _reject("Mailgun timestamp outside the replay window")
    expected = hmac.new(
        signing_key.encode(), (timestamp + token).encode(), hashlib.sha256
    ).hexdigest()
    if not hmac.compare_digest(expected, given.lower()):
        return _reject("bad Mailgun signature")
    return GENUINE


def verify_postmark(
    headers: Mapping[str, str],
    *,
    user: str | None,
    password: str | None,
    token_header: str,
    token: str | None,
) -> Verdict:
    """Check a Postmark call: HTTP basic auth (set in the webhook URL) or a secret header.

    Postmark does not sign its webhooks, so the URL's credentials or a custom header are the
    proof; either configured one must match (compared in constant time).
    """
    if token and hmac.compare_digest(
        headers.get(token_header.lower(), "").encode(), token.encode()
    ):
        return GENUINE
    auth = headers.get("authorization", "")
    if user is not None and password is not None and auth[:6].lower() == "basic ":
        expected = base64.b64encode(f"{user}:{password}".encode()).decode()
        if hmac.compare_digest(auth[6:].strip().encode(), expected.encode()):
            return GENUINE
    if not auth and not headers.get(token_header.lower()):
        return _reject("unauthenticated Postmark call")
    return _reject("bad Postmark credentials")
