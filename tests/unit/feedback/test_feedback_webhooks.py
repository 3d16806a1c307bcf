"""Relay webhooks: genuine calls become events and suppressions, forged ones change nothing."""

from __future__ import annotations

import base64
import json
import logging

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
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
from mailfleet.core.feedback.events import EventKind
from mailfleet.core.secrets import Secret
from mailfleet.policy.rules import suppression_policy
from mailfleet.services.feedback_webhooks import (
    WebhookKeys,
    WebhookOutcome,
    WebhookResult,
    handle_webhook,
)

SES_BOUNCE = {
    "notificationType": "Bounce",
    "bounce": {
        "bounceType": "Permanent",
        "bounceSubType": "General",
        "bouncedRecipients": [
            {
                "emailAddress": "kim@client.example",
                "action": "failed",
                "status": "5.1.1",
                "diagnosticCode": "smtp; 550 5.1.1 user unknown",
            }
        ],
    },
    "mail": {"messageId": "0102018e-ses-id", "source": "news@sender.example"},
}
MAILGUN_KEY = "key-3ax6xnjp29jd6fds4gc373sgvjxteol0"


def _store() -> InMemoryFeedbackStore:
    return InMemoryFeedbackStore(suppression_policy().hard_reasons)


@pytest.fixture(scope="module")
def sns_cert() -> tuple[rsa.RSAPrivateKey, bytes]:
    """One RSA key and self-signed certificate for the module's SNS messages."""
    return sns_certificate()


def _ses(
    message: dict[str, object], cert: bytes, store: InMemoryFeedbackStore, clock: FakeClock
) -> tuple[WebhookResult, StaticSnsClient]:
    sns = StaticSnsClient({CERT_URL: cert})
    keys = WebhookKeys(ses_enabled=True, ses_topic_arns=frozenset({TOPIC}))
    body = json.dumps(message).encode()
    result = handle_webhook("ses", {}, body, keys=keys, store=store, clock=clock, sns=sns)
    return result, sns


@pytest.mark.parametrize("version", ["1", "2"])
def test_ses_bounce_through_sns_is_verified_and_suppresses(
    sns_cert: tuple[rsa.RSAPrivateKey, bytes], clock: FakeClock, version: str
) -> None:
    """A genuinely signed SNS message (v1 or v2) with an SES hard bounce is stored, suppresses."""
    key, cert = sns_cert
    store = _store()
    result, sns = _ses(sns_message(key, SES_BOUNCE, version=version), cert, store, clock)
    assert result.outcome is WebhookOutcome.ACCEPTED
    assert [(e.kind, e.reason, e.status) for e in store.events] == [
        (EventKind.BOUNCE, "mailbox_unknown", "5.1.1")
    ]
    assert store.events[0].source == "webhook:ses"
    assert [s.address for s in store.suppressions()] == ["kim@client.example"]
    assert sns.requested == [CERT_URL]


def test_tampered_sns_message_is_rejected_and_logged_without_secrets(
    sns_cert: tuple[rsa.RSAPrivateKey, bytes], clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    """Changing the signed Message after signing fails verification: 401, nothing stored."""
    key, cert = sns_cert
    message = sns_message(key, SES_BOUNCE)
    message["Message"] = str(message["Message"]).replace("kim@", "ceo@")
    store = _store()
    with caplog.at_level(logging.WARNING):
        result, _ = _ses(message, cert, store, clock)
    assert (result.outcome, result.http_status) == (WebhookOutcome.REJECTED, 401)
    assert store.events == []
    assert store.suppressions() == []
    assert "bad SNS signature" in caplog.text
    assert str(message["Signature"]) not in caplog.text


@pytest.mark.parametrize(
    "url",
    [
        "http://sns.eu-west-1.amazonaws.com/cert.pem",
        "https://sns.eu-west-1.amazonaws.com.evil.example/cert.pem",
        "https://evil.example/sns.eu-west-1.amazonaws.com/cert.pem",
        "https://s3.amazonaws.com/cert.pem",
    ],
)
def test_certificate_url_off_an_sns_https_host_is_refused_unfetched(
    sns_cert: tuple[rsa.RSAPrivateKey, bytes], clock: FakeClock, url: str
) -> None:
    """A certificate URL that is not https on sns.<region>.amazonaws.com is never fetched."""
    key, cert = sns_cert
    store = _store()
    result, sns = _ses(sns_message(key, SES_BOUNCE, cert_url=url), cert, store, clock)
    assert result.outcome is WebhookOutcome.REJECTED
    assert sns.requested == []


def test_sns_signed_with_another_key_is_rejected(
    sns_cert: tuple[rsa.RSAPrivateKey, bytes], clock: FakeClock
) -> None:
    """A message signed by a key other than the certificate's is a forgery."""
    _, cert = sns_cert
    other_key, _ = sns_certificate()
    result, _ = _ses(sns_message(other_key, SES_BOUNCE), cert, _store(), clock)
    assert result.outcome is WebhookOutcome.REJECTED


def test_sns_subscription_is_confirmed_by_visiting_its_url(
    sns_cert: tuple[rsa.RSAPrivateKey, bytes], clock: FakeClock
) -> None:
    """A genuine SubscriptionConfirmation is confirmed by a GET of its SubscribeURL."""
    key, cert = sns_cert
    message = sns_message(key, kind="SubscriptionConfirmation")
    sns = StaticSnsClient({CERT_URL: cert, str(message["SubscribeURL"]): b"<ok/>"})
    keys = WebhookKeys(ses_enabled=True)
    result = handle_webhook(
        "ses", {}, json.dumps(message).encode(), keys=keys, store=_store(), clock=clock, sns=sns
    )
    assert result.outcome is WebhookOutcome.CONFIRMED
    assert sns.requested == [CERT_URL, message["SubscribeURL"]]


def test_ses_complaint_and_delivery_are_stored(
    sns_cert: tuple[rsa.RSAPrivateKey, bytes], clock: FakeClock
) -> None:
    """An SES complaint suppresses its recipient; a delivery is stored and suppresses nobody."""
    key, cert = sns_cert
    store = _store()
    complaint = {
        "notificationType": "Complaint",
        "complaint": {"complainedRecipients": [{"emailAddress": "bea@client.example"}]},
        "mail": {"messageId": "m1"},
    }
    delivery = {
        "notificationType": "Delivery",
        "delivery": {"recipients": ["dan@client.example"]},
        "mail": {"messageId": "m2"},
    }
    for notification in (complaint, delivery):
        _ses(sns_message(key, notification), cert, store, clock)
    assert [(e.kind, e.recipient) for e in store.events] == [
        (EventKind.COMPLAINT, "bea@client.example"),
        (EventKind.DELIVERY, "dan@client.example"),
    ]
    assert [s.address for s in store.suppressions()] == ["bea@client.example"]


SENDGRID_EVENTS = [
    {
        "email": "kim@client.example",
        "event": "bounce",
        "type": "bounce",
        "status": "5.1.1",
        "reason": "550 5.1.1 The email account that you tried to reach does not exist",
        "sg_message_id": "sg1",
    },
    {
        "email": "lee@client.example",
        "event": "deferred",
        "response": "421 4.7.0 Try again later, closing connection",
        "sg_message_id": "sg2",
    },
    {"email": "max@client.example", "event": "spamreport", "sg_message_id": "sg3"},
    {"email": "ned@client.example", "event": "open", "sg_message_id": "sg4"},
]


def test_sendgrid_signed_events_are_applied(clock: FakeClock) -> None:
    """A correctly signed SendGrid batch stores a bounce, a deferral and a complaint."""
    key, public = sendgrid_keys()
    body = json.dumps(SENDGRID_EVENTS).encode()
    headers = sendgrid_headers(key, body, int(clock.now().timestamp()))
    store = _store()
    keys = WebhookKeys(sendgrid_public_key=Secret(public))
    result = handle_webhook("sendgrid", headers, body, keys=keys, store=store, clock=clock)
    assert result.outcome is WebhookOutcome.ACCEPTED
    assert [(e.kind, e.recipient) for e in store.events] == [
        (EventKind.BOUNCE, "kim@client.example"),
        (EventKind.DEFERRAL, "lee@client.example"),
        (EventKind.COMPLAINT, "max@client.example"),
    ]
    assert {s.address for s in store.suppressions()} == {"kim@client.example", "max@client.example"}


@pytest.mark.parametrize("forgery", ["other_key", "changed_body", "unsigned", "replayed"])
def test_sendgrid_forgeries_are_rejected(clock: FakeClock, forgery: str) -> None:
    """Another key, a changed body, missing headers or an old timestamp are all refused."""
    key, public = sendgrid_keys()
    body = json.dumps(SENDGRID_EVENTS).encode()
    now = int(clock.now().timestamp())
    signer = sendgrid_keys()[0] if forgery == "other_key" else key
    headers = sendgrid_headers(signer, body, now - 3600 if forgery == "replayed" else now)
    if forgery == "changed_body":
        body = body.replace(b"kim@", b"ceo@")
    if forgery == "unsigned":
        headers = {}
    store = _store()
    keys = WebhookKeys(sendgrid_public_key=Secret(public))
    result = handle_webhook("sendgrid", headers, body, keys=keys, store=store, clock=clock)
    assert (result.outcome, result.http_status) == (WebhookOutcome.REJECTED, 401)
    assert store.events == []


def _mailgun_body(signature: dict[str, str]) -> bytes:
    return json.dumps(
        {
            "signature": signature,
            "event-data": {
                "event": "failed",
                "severity": "permanent",
                "recipient": "kim@client.example",
                "delivery-status": {"code": 550, "message": "5.1.1 No such user here"},
                "message": {"headers": {"message-id": "mg1@sender.example"}},
            },
        }
    ).encode()


def test_mailgun_signed_failure_is_applied(clock: FakeClock) -> None:
    """A Mailgun permanent failure with a valid HMAC is stored and suppresses."""
    store = _store()
    body = _mailgun_body(mailgun_signature(MAILGUN_KEY, int(clock.now().timestamp())))
    keys = WebhookKeys(mailgun_signing_key=Secret(MAILGUN_KEY))
    result = handle_webhook("mailgun", {}, body, keys=keys, store=store, clock=clock)
    assert result.outcome is WebhookOutcome.ACCEPTED
    assert [(e.kind, e.reason, e.message_id) for e in result.events] == [
        (EventKind.BOUNCE, "mailbox_unknown", "mg1@sender.example")
    ]
    assert [s.address for s in result.suppressed] == ["kim@client.example"]


@pytest.mark.parametrize("forgery", ["wrong_key", "replayed", "unsigned"])
def test_mailgun_forgeries_are_rejected(clock: FakeClock, forgery: str) -> None:
    """A wrong key, a timestamp outside the replay window or no signature are refused."""
    now = int(clock.now().timestamp())
    signature = mailgun_signature(
        "another-key" if forgery == "wrong_key" else MAILGUN_KEY,
        now - 3600 if forgery == "replayed" else now,
    )
    body = _mailgun_body(signature if forgery != "unsigned" else {})
    store = _store()
    keys = WebhookKeys(mailgun_signing_key=Secret(MAILGUN_KEY))
    result = handle_webhook("mailgun", {}, body, keys=keys, store=store, clock=clock)
    assert result.outcome is WebhookOutcome.REJECTED
    assert store.events == []


POSTMARK_BOUNCE = json.dumps(
    {
        "RecordType": "Bounce",
        "Type": "HardBounce",
        "Email": "kim@client.example",
        "Details": "smtp;550 5.1.1 The email account that you tried to reach does not exist",
        "MessageID": "pm1",
    }
).encode()


@pytest.mark.parametrize(
    ("headers", "accepted"),
    [
        ({"Authorization": "Basic " + base64.b64encode(b"hooks:s3cret").decode()}, True),
        ({"X-Mailfleet-Webhook-Token": "tok-123"}, True),
        ({"Authorization": "Basic " + base64.b64encode(b"hooks:guess").decode()}, False),
        ({"X-Mailfleet-Webhook-Token": "tok-124"}, False),
        ({}, False),
    ],
)
def test_postmark_needs_basic_auth_or_the_token(
    clock: FakeClock, headers: dict[str, str], accepted: bool
) -> None:
    """Postmark calls are accepted with the right basic auth or token header, else refused."""
    keys = WebhookKeys(
        postmark_user="hooks", postmark_password=Secret("s3cret"), postmark_token=Secret("tok-123")
    )
    store = _store()
    result = handle_webhook(
        "postmark", headers, POSTMARK_BOUNCE, keys=keys, store=store, clock=clock
    )
    assert (result.outcome is WebhookOutcome.ACCEPTED) is accepted
    assert len(store.events) == (1 if accepted else 0)


def test_unconfigured_and_unknown_providers_are_refused(clock: FakeClock) -> None:
    """Without a configured secret a provider's calls are refused; unknown providers are 404."""
    store = _store()
    for provider in ("ses", "sendgrid", "mailgun", "postmark"):
        result = handle_webhook(provider, {}, b"[]", keys=WebhookKeys(), store=store, clock=clock)
        assert result.outcome is WebhookOutcome.REJECTED
    unknown = handle_webhook("sparkpost", {}, b"[]", keys=WebhookKeys(), store=store, clock=clock)
    assert unknown.http_status == 404
    assert store.events == []


def test_soft_relay_failures_are_deferrals_that_do_not_suppress(clock: FakeClock) -> None:
    """A Postmark SoftBounce and a Mailgun temporary failure are stored as deferrals only."""
    store = _store()
    soft = json.dumps(
        {
            "RecordType": "Bounce",
            "Type": "SoftBounce",
            "Email": "full@client.example",
            "Details": "452 4.2.2 The email account that you tried to reach is over quota",
        }
    ).encode()
    keys = WebhookKeys(postmark_token=Secret("tok"))
    handle_webhook(
        "postmark",
        {"X-Mailfleet-Webhook-Token": "tok"},
        soft,
        keys=keys,
        store=store,
        clock=clock,
    )
    [event] = store.events
    assert (event.kind, event.reason, event.permanent) == (
        EventKind.DEFERRAL,
        "mailbox_full",
        False,
    )
    assert store.suppressions() == []


def test_signed_but_unreadable_body_is_a_400(clock: FakeClock) -> None:
    """A genuine signature over a body that is not JSON is refused as invalid, nothing stored."""
    key, public = sendgrid_keys()
    body = b"not json at all"
    headers = sendgrid_headers(key, body, int(clock.now().timestamp()))
    store = _store()
    keys = WebhookKeys(sendgrid_public_key=Secret(public))
    result = handle_webhook("sendgrid", headers, body, keys=keys, store=store, clock=clock)
    assert (result.outcome, result.http_status) == (WebhookOutcome.INVALID, 400)
    assert store.events == []


def test_malformed_items_in_a_genuine_batch_are_skipped(clock: FakeClock) -> None:
    """Items without an address or of unknown shape are skipped; the good ones are applied."""
    key, public = sendgrid_keys()
    items = [
        {"event": "bounce", "email": "", "status": "5.1.1"},
        "a string, not an event",
        {"event": "bounce", "email": "ok@client.example", "status": "5.1.1", "reason": "550"},
        {"event": "bounce"},
    ]
    body = json.dumps(items).encode()
    headers = sendgrid_headers(key, body, int(clock.now().timestamp()))
    store = _store()
    keys = WebhookKeys(sendgrid_public_key=Secret(public))
    result = handle_webhook("sendgrid", headers, body, keys=keys, store=store, clock=clock)
    assert result.outcome is WebhookOutcome.ACCEPTED
    assert [e.recipient for e in store.events] == ["ok@client.example"]
