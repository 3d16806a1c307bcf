"""Relay webhooks: verify the call, read its events, store them and suppress.

``handle_webhook(provider, headers, body, ...)`` is what a web route calls with the raw request;
it answers a :class:`WebhookResult` carrying the HTTP status to send. Forged, unsigned and
replayed calls are refused (401) and logged with their reason, never with a key or signature.
Genuine events are stored as feedback events (source ``webhook:<provider>``) and drive
suppression exactly as bounces and complaints arriving by mail do.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum

from mailfleet.core.errors import MailfleetError
from mailfleet.core.feedback import relay_events, replay, webhook_auth
from mailfleet.core.feedback.events import FeedbackEvent, Suppression
from mailfleet.core.feedback.ports import FeedbackStore, SnsHttpClient
from mailfleet.core.feedback.relay_events import RelayEvent
from mailfleet.core.feedback.replay import DEFAULT_RETENTION
from mailfleet.core.feedback.webhook_auth import Verdict
from mailfleet.core.ports import Clock
from mailfleet.core.secrets import Secret
from mailfleet.policy.rules import bounce_rules
from mailfleet.services.feedback_ingest import apply_delivery_events, apply_events

log = logging.getLogger(__name__)

PROVIDERS = ("ses", "sendgrid", "mailgun", "postmark")
_MAX_BODY = 5 * 1024 * 1024


class WebhookOutcome(StrEnum):
    """What became of a webhook call."""

    ACCEPTED = "accepted"  # genuine; its events (maybe none) were applied
    CONFIRMED = "confirmed"  # a genuine SNS subscription confirmation, confirmed
    REJECTED = "rejected"  # forged, unsigned, replayed or for an unconfigured provider
    DUPLICATE = "duplicate"  # genuine, but this delivery was applied before: nothing done
    INVALID = "invalid"  # genuine or not, the body could not be read


@dataclass(frozen=True, slots=True)
class WebhookResult:
    """The outcome, the HTTP status to answer with, and what was stored."""

    outcome: WebhookOutcome
    http_status: int
    reason: str = ""
    events: tuple[FeedbackEvent, ...] = ()
    suppressed: tuple[Suppression, ...] = ()


@dataclass(frozen=True, slots=True)
class WebhookKeys:
    """The secrets that prove a call comes from each relay (``None``: provider not enabled)."""

    sendgrid_public_key: Secret | None = None
    mailgun_signing_key: Secret | None = None
    postmark_user: str | None = None
    postmark_password: Secret | None = None
    postmark_token: Secret | None = None
    postmark_token_header: str = "X-Mailfleet-Webhook-Token"  # noqa: S105 - a header name
    ses_enabled: bool = False
    ses_topic_arns: frozenset[str] = field(default_factory=frozenset)  # empty: any topic
    replay_window_seconds: int = 900
    # How long an applied delivery is remembered: longer than the replay window, and than
    # SNS and Postmark keep retrying one delivery.
    replay_retention_seconds: int = int(DEFAULT_RETENTION.total_seconds())


def _rejected(provider: str, reason: str) -> WebhookResult:
    log.warning("webhook %s rejected: %s", provider, reason)
    return WebhookResult(WebhookOutcome.REJECTED, 401, reason)


def _invalid(provider: str, reason: str) -> WebhookResult:
    log.warning("webhook %s unreadable: %s", provider, reason)
    return WebhookResult(WebhookOutcome.INVALID, 400, reason)


def handle_webhook(
    provider: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    keys: WebhookKeys,
    store: FeedbackStore,
    clock: Clock,
    sns: SnsHttpClient | None = None,
) -> WebhookResult:
    """Verify one webhook call from ``provider`` and apply its events."""
    lowered = {k.lower(): v for k, v in headers.items()}
    if provider not in PROVIDERS:
        return WebhookResult(WebhookOutcome.REJECTED, 404, f"unknown provider {provider!r}")
    if len(body) > _MAX_BODY:
        return _invalid(provider, "body too large")
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        payload = None
    if provider == "ses":
        return _ses(payload, keys, store, clock, sns)
    if provider == "sendgrid":
        verdict = _sendgrid_verdict(lowered, body, keys, clock)
        reader = relay_events.sendgrid_events
    elif provider == "mailgun":
        verdict = _mailgun_verdict(payload, keys, clock)
        reader = relay_events.mailgun_events  # type: ignore[assignment]
    else:
        verdict = _postmark_verdict(lowered, keys)
        reader = relay_events.postmark_events  # type: ignore[assignment]
    if not verdict.ok:
        return _rejected(provider, verdict.reason)
    if payload is None:
        return _invalid(provider, "body is not JSON")
    if provider != "sendgrid" and not isinstance(payload, Mapping):
        return _invalid(provider, "body is not a JSON object")
    key = _delivery_key(provider, lowered, body, payload)
    return _apply(provider, reader(payload, bounce_rules()), store, clock, key, keys)


def _delivery_key(
    provider: str, headers: Mapping[str, str], body: bytes, payload: object
) -> str | None:
    """What identifies this (verified) delivery; see :mod:`mailfleet.core.feedback.replay`."""
    if provider == "sendgrid":
        return replay.sendgrid_key(headers.get(webhook_auth.SENDGRID_TIMESTAMP, ""), body)
    if not isinstance(payload, Mapping):
        return None
    if provider == "mailgun":
        signature = payload.get("signature")
        token = signature.get("token") if isinstance(signature, Mapping) else None
        return replay.mailgun_key(str(token)) if token else None
    return replay.postmark_key(payload)


def _sendgrid_verdict(
    headers: Mapping[str, str], body: bytes, keys: WebhookKeys, clock: Clock
) -> Verdict:
    if keys.sendgrid_public_key is None:
        return Verdict(False, "SendGrid webhooks are not configured")
    return webhook_auth.verify_sendgrid(
        headers, body, keys.sendgrid_public_key.reveal(), clock.now(), keys.replay_window_seconds
    )


def _mailgun_verdict(payload: object, keys: WebhookKeys, clock: Clock) -> Verdict:
    if keys.mailgun_signing_key is None:
        return Verdict(False, "Mailgun webhooks are not configured")
    signature = payload.get("signature") if isinstance(payload, Mapping) else None
    if not isinstance(signature, Mapping):
        return Verdict(False, "unsigned Mailgun call")
    return webhook_auth.verify_mailgun(
        signature, keys.mailgun_signing_key.reveal(), clock.now(), keys.replay_window_seconds
    )


def _postmark_verdict(headers: Mapping[str, str], keys: WebhookKeys) -> Verdict:
    if keys.postmark_token is None and keys.postmark_password is None:
        return Verdict(False, "Postmark webhooks are not configured")
    return webhook_auth.verify_postmark(
        headers,
        user=keys.postmark_user,
        password=keys.postmark_password.reveal() if keys.postmark_password else None,
        token_header=keys.postmark_token_header,
        token=keys.postmark_token.reveal() if keys.postmark_token else None,
    )


def _ses(
    payload: object,
    keys: WebhookKeys,
    store: FeedbackStore,
    clock: Clock,
    sns: SnsHttpClient | None,
) -> WebhookResult:
    """An SNS message carrying an SES notification: certificate, signature, topic, then events."""
    if not keys.ses_enabled or sns is None:
        return _rejected("ses", "SES webhooks are not configured")
    if not isinstance(payload, Mapping) or "Signature" not in payload:
        return _rejected("ses", "unsigned SNS call")
    cert_url = str(payload.get("SigningCertURL") or payload.get("SigningCertUrl") or "")
    if not webhook_auth.sns_cert_url_allowed(cert_url):
        return _rejected("ses", "certificate URL is not an https SNS host")
    try:
        certificate = sns.get(cert_url)
    except MailfleetError as exc:
        log.warning("webhook ses: cannot fetch the signing certificate: %s", exc)
        return WebhookResult(WebhookOutcome.REJECTED, 503, "signing certificate unavailable")
    verdict = webhook_auth.verify_sns(payload, certificate)
    if not verdict.ok:
        return _rejected("ses", verdict.reason)
    topic = str(payload.get("TopicArn", ""))
    if keys.ses_topic_arns and topic not in keys.ses_topic_arns:
        return _rejected("ses", f"topic {topic} is not configured")
    kind = payload.get("Type")
    if kind == "SubscriptionConfirmation":
        return _confirm(str(payload.get("SubscribeURL", "")), sns)
    if kind != "Notification":
        return WebhookResult(WebhookOutcome.ACCEPTED, 200, f"{kind} noted")
    try:
        notification = json.loads(str(payload.get("Message", "")))
    except ValueError:
        return _invalid("ses", "SNS Message is not JSON")
    if not isinstance(notification, Mapping):
        return _invalid("ses", "SNS Message is not a JSON object")
    message_id = str(payload.get("MessageId") or "")
    key = replay.sns_key(message_id) if message_id else None
    found = relay_events.ses_events(notification, bounce_rules())
    return _apply("ses", found, store, clock, key, keys)


def _confirm(url: str, sns: SnsHttpClient) -> WebhookResult:
    """Confirm a subscription by visiting its SubscribeURL (only on an SNS host)."""
    if not webhook_auth.sns_url_allowed(url):
        return _rejected("ses", "SubscribeURL is not an https SNS host")
    try:
        sns.get(url)
    except MailfleetError as exc:
        log.warning("webhook ses: subscription confirmation failed: %s", exc)
        return WebhookResult(WebhookOutcome.REJECTED, 503, "subscription confirmation failed")
    return WebhookResult(WebhookOutcome.CONFIRMED, 200, "subscription confirmed")


def _apply(
    provider: str,
    found: list[RelayEvent],
    store: FeedbackStore,
    clock: Clock,
    key: str | None,
    keys: WebhookKeys,
) -> WebhookResult:
    now = clock.now()
    events = tuple(
        FeedbackEvent(
            kind=e.kind,
            recipient=e.recipient,
            occurred_at=now,
            reason=e.reason,
            status=e.status,
            permanent=e.permanent,
            message_id=e.message_id,
            source=f"webhook:{provider}",
        )
        for e in found
    )
    if key is None:  # nothing identifies the delivery (a Postmark record without IDs)
        suppressed: tuple[Suppression, ...] | None = apply_events(events, store=store)
    else:
        retention = timedelta(seconds=keys.replay_retention_seconds)
        record = replay.delivery(key, now, retention)
        suppressed = apply_delivery_events(events, record, store=store)
    if suppressed is None:
        if provider == "mailgun":
            # Mailgun signs the token, not the body: a second call with a used token may
            # carry anything. 406 is the answer after which Mailgun does not retry.
            log.warning("webhook mailgun rejected: token already used")
            return WebhookResult(WebhookOutcome.REJECTED, 406, "Mailgun token already used")
        log.info("webhook %s: delivery already applied, ignored", provider)
        return WebhookResult(WebhookOutcome.DUPLICATE, 200, "delivery already applied")
    return WebhookResult(WebhookOutcome.ACCEPTED, 200, "", events, suppressed)
