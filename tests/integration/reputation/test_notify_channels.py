"""Alert channels delivering to real local servers: HTTP webhooks and an aiosmtpd sink."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import UTC, datetime
from email import message_from_bytes
from email.policy import default as default_policy

import pytest

from conftest import SinkHandler, WebhookReceiver
from mailfleet.adapters.notify.email import SmtpEmailNotifier
from mailfleet.adapters.notify.log import LogNotifier
from mailfleet.adapters.notify.webhook import SignedWebhookNotifier, SlackWebhookNotifier
from mailfleet.core.fleet import Fleet
from mailfleet.core.reputation.engine import AlertEvent, EventKind
from mailfleet.core.reputation.messages import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    monitoring_sender,
    verify,
)
from mailfleet.core.reputation.rules import Severity, SubjectKind
from mailfleet.core.secrets import Secret

EVENT = AlertEvent(
    kind=EventKind.FIRED,
    rule="complaint-rate",
    title="Complaint rate above threshold",
    severity=Severity.CRITICAL,
    subject_kind=SubjectKind.DOMAIN,
    subject="acme-outreach.example",
    at=datetime(2026, 1, 5, 9, 0, tzinfo=UTC),
    value=0.0012,
    threshold=0.0008,
    message="Complaint rate above threshold: domain acme-outreach.example, complaint_rate 0.12 %",
)


def test_slack_webhook_posts_slack_json(webhook_receiver: WebhookReceiver) -> None:
    """The Slack channel posts JSON with a text line and mrkdwn blocks."""
    notifier = SlackWebhookNotifier(Secret(webhook_receiver.url("/hooks/T000/B000/XXX")))
    delivery = asyncio.run(notifier.deliver(EVENT))
    assert delivery.ok
    [request] = webhook_receiver.requests
    assert request.path == "/hooks/T000/B000/XXX"
    payload = json.loads(request.body)
    assert "CRITICAL" in payload["text"]
    assert "acme-outreach.example" in payload["text"]
    assert payload["blocks"][0]["text"]["type"] == "mrkdwn"
    assert "XXX" not in delivery.detail  # the token in the URL never leaks into records


def test_signed_webhook_carries_a_valid_hmac(webhook_receiver: WebhookReceiver) -> None:
    """The generic webhook body is the event, and its HMAC-SHA256 header verifies."""
    key = Secret("s3cret-key")
    notifier = SignedWebhookNotifier(Secret(webhook_receiver.url("/alerts")), key)
    assert asyncio.run(notifier.deliver(EVENT)).ok
    [request] = webhook_receiver.requests
    headers = {k.lower(): v for k, v in request.headers.items()}
    timestamp = headers[TIMESTAMP_HEADER.lower()]
    signature = headers[SIGNATURE_HEADER.lower()]
    assert signature.startswith("sha256=")
    assert verify(b"s3cret-key", timestamp, request.body, signature)
    assert not verify(b"other-key", timestamp, request.body, signature)
    assert not verify(b"s3cret-key", timestamp, request.body + b" ", signature)
    assert json.loads(request.body)["rule"] == "complaint-rate"


def test_webhook_error_status_is_a_failed_delivery(webhook_receiver: WebhookReceiver) -> None:
    """A 500 from the receiver is reported as a failed delivery, not raised."""
    webhook_receiver.status = 500
    delivery = asyncio.run(SlackWebhookNotifier(Secret(webhook_receiver.url("/x"))).deliver(EVENT))
    assert (delivery.ok, delivery.detail) == (False, "HTTP 500")


def test_unreachable_webhook_is_a_failed_delivery() -> None:
    """Nothing listening: a failed delivery that names no URL."""
    notifier = SlackWebhookNotifier(Secret("http://127.0.0.1:9/hooks/secret-token"), timeout=2)
    delivery = asyncio.run(notifier.deliver(EVENT))
    assert not delivery.ok
    assert "secret-token" not in delivery.detail


def test_email_alert_comes_from_the_monitoring_domain(
    smtp_sink: tuple[SinkHandler, int], acme_fleet: Fleet
) -> None:
    """Alert email goes through SMTP from the monitoring segment's mailbox."""
    handler, port = smtp_sink
    sender = monitoring_sender(acme_fleet)
    assert sender == "alerts@acme-ops.example"
    notifier = SmtpEmailNotifier("127.0.0.1", port, sender, ["oncall@acme.example"])
    delivery = asyncio.run(notifier.deliver(EVENT))
    assert delivery.ok, delivery.detail
    [(mail_from, rcpt_tos, content)] = handler.messages
    assert (mail_from, rcpt_tos) == ("alerts@acme-ops.example", ["oncall@acme.example"])
    message = message_from_bytes(content, policy=default_policy)
    assert str(message["Subject"]).strip().startswith("[mailfleet] CRITICAL: Complaint rate")
    assert message["Message-ID"].endswith("@acme-ops.example>")
    assert message["Auto-Submitted"] == "auto-generated"
    assert "0.12 %" in message.get_content()


def test_email_to_a_closed_port_is_a_failed_delivery() -> None:
    """No SMTP server: a failed delivery with the reason."""
    notifier = SmtpEmailNotifier("127.0.0.1", 9, "alerts@ops.example", ["a@b.example"], timeout=2)
    delivery = asyncio.run(notifier.deliver(EVENT))
    assert not delivery.ok
    assert "SMTPConnectError" in delivery.detail


def test_log_channel_writes_one_line(caplog: pytest.LogCaptureFixture) -> None:
    """The log channel logs critical alerts at ERROR with the subject line."""
    with caplog.at_level(logging.INFO, logger="mailfleet.alerts"):
        assert asyncio.run(LogNotifier().deliver(EVENT)).ok
    [record] = caplog.records
    assert record.levelno == logging.ERROR
    assert "acme-outreach.example" in record.getMessage()
