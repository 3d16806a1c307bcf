"""Replay protection: each genuine webhook delivery is applied once, whatever repeats it."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from webhook_signing import (
    CERT_URL,
    TOPIC,
    mailgun_signature,
    sendgrid_headers,
    sendgrid_keys,
    sns_certificate,
    sns_message,
)

from mailfleet.adapters.clock import FakeClock
from mailfleet.adapters.feedback.memory import InMemoryFeedbackStore, StaticSnsClient
from mailfleet.core.feedback import replay
from mailfleet.core.secrets import Secret
from mailfleet.policy.rules import suppression_policy
from mailfleet.services.feedback_webhooks import WebhookKeys, WebhookOutcome, handle_webhook

# The order of the P-256 group: (r, n - s) is a second valid ECDSA signature for (r, s).
_P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
MAILGUN_KEY = "key-replay-test"
SENDGRID_EVENTS = [{"email": "kim@client.example", "event": "bounce", "status": "5.1.1"}]


def _store() -> InMemoryFeedbackStore:
    return InMemoryFeedbackStore(suppression_policy().hard_reasons)


def _malleated(signature_b64: str) -> str:
    r, s = decode_dss_signature(base64.b64decode(signature_b64))
    return base64.b64encode(encode_dss_signature(r, _P256_ORDER - s)).decode()


def test_sendgrid_delivery_is_applied_once_even_with_another_valid_signature(
    clock: FakeClock,
) -> None:
    """The same timestamp and body again (same signature, a fresh signature, or the
    malleated twin of the first) is a duplicate: 200, nothing stored twice."""
    key, public = sendgrid_keys()
    body = json.dumps(SENDGRID_EVENTS).encode()
    now = int(clock.now().timestamp())
    first = sendgrid_headers(key, body, now)
    resigned = sendgrid_headers(key, body, now)
    malleated = dict(first)
    name = "X-Twilio-Email-Event-Webhook-Signature"
    malleated[name] = _malleated(first[name])
    assert malleated[name] != first[name]
    store, keys = _store(), WebhookKeys(sendgrid_public_key=Secret(public))
    results = [
        handle_webhook("sendgrid", h, body, keys=keys, store=store, clock=clock)
        for h in (first, first, resigned, malleated)
    ]
    assert [r.outcome for r in results] == [
        WebhookOutcome.ACCEPTED,
        WebhookOutcome.DUPLICATE,
        WebhookOutcome.DUPLICATE,
        WebhookOutcome.DUPLICATE,
    ]
    assert [r.http_status for r in results] == [200, 200, 200, 200]
    assert len(store.events) == 1
    later = sendgrid_headers(key, body, now + 1)  # a new delivery of the same events
    result = handle_webhook("sendgrid", later, body, keys=keys, store=store, clock=clock)
    assert result.outcome is WebhookOutcome.ACCEPTED
    assert len(store.events) == 2


def _mailgun(recipient: str, signature: dict[str, str]) -> bytes:
    return json.dumps(
        {
            "signature": signature,
            "event-data": {
                "event": "failed",
                "severity": "permanent",
                "recipient": recipient,
                "delivery-status": {"code": 550, "message": "5.1.1 No such user here"},
            },
        }
    ).encode()


def test_mailgun_token_reuse_is_refused_whatever_the_body(clock: FakeClock) -> None:
    """A used token with a valid signature is refused with 406 (Mailgun stops retrying):
    the signature does not cover the body, so the second body could be anything."""
    signature = mailgun_signature(MAILGUN_KEY, int(clock.now().timestamp()), "tok-1")
    store, keys = _store(), WebhookKeys(mailgun_signing_key=Secret(MAILGUN_KEY))
    first = handle_webhook(
        "mailgun",
        {},
        _mailgun("kim@client.example", signature),
        keys=keys,
        store=store,
        clock=clock,
    )
    assert first.outcome is WebhookOutcome.ACCEPTED
    for recipient in ("kim@client.example", "ceo@client.example"):
        again = handle_webhook(
            "mailgun", {}, _mailgun(recipient, signature), keys=keys, store=store, clock=clock
        )
        assert (again.outcome, again.http_status) == (WebhookOutcome.REJECTED, 406)
    assert [e.recipient for e in store.events] == ["kim@client.example"]
    assert [s.address for s in store.suppressions()] == ["kim@client.example"]
    other = mailgun_signature(MAILGUN_KEY, int(clock.now().timestamp()), "tok-2")
    result = handle_webhook(
        "mailgun", {}, _mailgun("lee@client.example", other), keys=keys, store=store, clock=clock
    )
    assert result.outcome is WebhookOutcome.ACCEPTED


@pytest.fixture(scope="module")
def sns_cert() -> tuple[rsa.RSAPrivateKey, bytes]:
    """One RSA key and self-signed certificate for the module's SNS messages."""
    return sns_certificate()


SES_BOUNCE = {
    "notificationType": "Bounce",
    "bounce": {
        "bounceType": "Permanent",
        "bouncedRecipients": [{"emailAddress": "kim@client.example", "status": "5.1.1"}],
    },
    "mail": {"messageId": "0102018e-ses-id"},
}


def test_sns_message_id_is_applied_once(
    sns_cert: tuple[rsa.RSAPrivateKey, bytes], clock: FakeClock
) -> None:
    """SNS redelivering a MessageId is a duplicate; another MessageId is a new delivery."""
    key, cert = sns_cert
    sns = StaticSnsClient({CERT_URL: cert})
    keys = WebhookKeys(ses_enabled=True, ses_topic_arns=frozenset({TOPIC}))
    store = _store()
    message = sns_message(key, SES_BOUNCE)
    body = json.dumps(message).encode()
    outcomes = [
        handle_webhook("ses", {}, body, keys=keys, store=store, clock=clock, sns=sns).outcome
        for _ in range(2)
    ]
    assert outcomes == [WebhookOutcome.ACCEPTED, WebhookOutcome.DUPLICATE]
    assert len(store.events) == 1
    renamed = sns_message(key, SES_BOUNCE)
    assert renamed["MessageId"] != message["MessageId"]
    result = handle_webhook(
        "ses", {}, json.dumps(renamed).encode(), keys=keys, store=store, clock=clock, sns=sns
    )
    assert result.outcome is WebhookOutcome.ACCEPTED
    assert len(store.events) == 2


def _postmark(record: dict[str, object]) -> bytes:
    return json.dumps(record).encode()


def test_postmark_records_are_applied_once_by_id_or_message_id_and_type(
    clock: FakeClock,
) -> None:
    """The same bounce ID twice is a duplicate; a complaint about the same message is not."""
    keys = WebhookKeys(postmark_token=Secret("tok"))
    headers = {"X-Mailfleet-Webhook-Token": "tok"}
    store = _store()
    bounce = {
        "RecordType": "Bounce",
        "ID": 4323372036854775807,
        "Type": "HardBounce",
        "Email": "kim@client.example",
        "Details": "smtp;550 5.1.1 no such user",
        "MessageID": "pm-1",
    }
    complaint = {"RecordType": "SpamComplaint", "Email": "kim@client.example", "MessageID": "pm-1"}
    calls = [bounce, bounce, complaint, complaint]
    outcomes = [
        handle_webhook(
            "postmark", headers, _postmark(r), keys=keys, store=store, clock=clock
        ).outcome
        for r in calls
    ]
    assert outcomes == [
        WebhookOutcome.ACCEPTED,
        WebhookOutcome.DUPLICATE,
        WebhookOutcome.ACCEPTED,
        WebhookOutcome.DUPLICATE,
    ]
    assert [e.kind.value for e in store.events] == ["bounce", "complaint"]


def test_a_delivery_is_forgotten_after_its_retention(clock: FakeClock) -> None:
    """Past the retention, a remembered delivery is dropped and would apply again."""
    keys = WebhookKeys(postmark_token=Secret("tok"), replay_retention_seconds=3600)
    headers = {"X-Mailfleet-Webhook-Token": "tok"}
    record = _postmark(
        {"RecordType": "SpamComplaint", "ID": 7, "Email": "kim@client.example", "MessageID": "m"}
    )
    store = _store()
    handle_webhook("postmark", headers, record, keys=keys, store=store, clock=clock)
    assert store.forget_deliveries(clock.now() + timedelta(minutes=59)) == 0
    assert store.forget_deliveries(clock.now() + timedelta(minutes=61)) == 1
    clock.advance(timedelta(minutes=61))
    result = handle_webhook("postmark", headers, record, keys=keys, store=store, clock=clock)
    assert result.outcome is WebhookOutcome.ACCEPTED


def test_keys_are_digests_that_tell_deliveries_apart() -> None:
    """Keys carry the provider and a digest (no token or body), and differ when the
    identifying parts differ, including how they split."""
    token_key = replay.mailgun_key("secret-looking-token")
    assert token_key.startswith("mailgun:")
    assert "secret" not in token_key
    assert len(token_key) <= 96
    assert replay.sendgrid_key("1", b"2") != replay.sendgrid_key("12", b"")
    assert replay.postmark_key({"RecordType": "Bounce"}) is None
    assert replay.postmark_key({"RecordType": "Bounce", "ID": 1}) != replay.postmark_key(
        {"RecordType": "SpamComplaint", "ID": 1}
    )
