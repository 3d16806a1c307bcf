"""Test helpers that sign webhook calls the way each relay does, with locally made keys."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID

CERT_URL = "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-test.pem"
TOPIC = "arn:aws:sns:eu-west-1:123456789012:ses-feedback"


def sns_certificate() -> tuple[rsa.RSAPrivateKey, bytes]:
    """A fresh RSA key and a self-signed certificate for it (PEM)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.amazonaws.com")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    return key, cert.public_bytes(serialization.Encoding.PEM)


def sns_message(
    key: rsa.RSAPrivateKey,
    notification: dict[str, object] | None = None,
    *,
    kind: str = "Notification",
    version: str = "2",
    cert_url: str = CERT_URL,
    message_id: str | None = None,
) -> dict[str, object]:
    """An SNS message carrying ``notification``, signed as SNS signs (v1 SHA1, v2 SHA256).

    Each message gets a new MessageId unless one is given, as each SNS delivery has one.
    """
    message: dict[str, object] = {
        "Type": kind,
        "MessageId": message_id or str(uuid.uuid4()),
        "TopicArn": TOPIC,
        "Message": json.dumps(notification or {}),
        "Timestamp": "2026-03-02T12:00:00.000Z",
        "SignatureVersion": version,
        "SigningCertURL": cert_url,
    }
    if kind == "SubscriptionConfirmation":
        message["Token"] = "2336412f37fb687f5d51e6e2425"
        message["SubscribeURL"] = (
            "https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&Token=2336412f"
        )
    names = (
        ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
        if kind == "Notification"
        else ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type")
    )
    text = "".join(f"{n}\n{message[n]}\n" for n in names if n in message)
    algorithm = hashes.SHA1() if version == "1" else hashes.SHA256()  # noqa: S303
    signature = key.sign(text.encode(), padding.PKCS1v15(), algorithm)
    message["Signature"] = base64.b64encode(signature).decode()
    return message


def sendgrid_keys() -> tuple[ec.EllipticCurvePrivateKey, str]:
    """A P-256 key and its public half as SendGrid shows it (base64 DER)."""
    key = ec.generate_private_key(ec.SECP256R1())
    der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return key, base64.b64encode(der).decode()


def sendgrid_headers(
    key: ec.EllipticCurvePrivateKey, body: bytes, timestamp: int
) -> dict[str, str]:
    """The two headers of a signed SendGrid event webhook call."""
    signature = key.sign(str(timestamp).encode() + body, ec.ECDSA(hashes.SHA256()))
    return {
        "X-Twilio-Email-Event-Webhook-Signature": base64.b64encode(signature).decode(),
        "X-Twilio-Email-Event-Webhook-Timestamp": str(timestamp),
    }


def mailgun_signature(
    key: str,
    timestamp: int,
    token: str = "a8ce0edb2dd8301dee6c",  # noqa: S107 - a nonce
) -> dict[str, str]:
    """Mailgun's ``signature`` object for ``timestamp``."""
    digest = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    return {"timestamp": str(timestamp), "token": token, "signature": digest}
