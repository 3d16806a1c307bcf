"""The SES v2 relay against moto's SES (raw SendEmail)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from mailfleet.adapters.sending.ses_relay import SesRelay
from mailfleet.core.sending.outcomes import SendOutcome
from mailfleet.core.sending.ports import Envelope

REGION = "eu-west-1"
DATA = b"From: news@example.com\r\nTo: bob@example.org\r\nSubject: Hi\r\n\r\nhello\r\n"


@pytest.fixture
def sesv2(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A moto-backed sesv2 client with example.com verified."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(name, "testing")
    with mock_aws():
        boto3.client("ses", region_name=REGION).verify_domain_identity(Domain="example.com")
        yield boto3.client("sesv2", region_name=REGION)


def _envelope(sender: str = "news@example.com") -> Envelope:
    return Envelope("bounces+1-abc@bounces.example.com", ("bob@example.org",), DATA, "", sender)


def test_raw_message_is_sent(sesv2: Any) -> None:
    """A verified sender's raw message is accepted; SES stores exactly our bytes."""
    results = asyncio.run(SesRelay(sesv2).send(_envelope()))
    assert [(r.outcome, r.code) for r in results] == [(SendOutcome.SENT, 250)]
    assert results[0].text.startswith("SES MessageId ")
    sent = ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages
    assert len(sent) == 1
    assert sent[0].raw_data.replace("\r\n", "\n") == DATA.decode().replace("\r\n", "\n")


def test_unverified_sender_is_rejected_as_bounce(sesv2: Any) -> None:
    """SES refuses an unverified From with MessageRejected, which becomes a bounce."""
    results = asyncio.run(SesRelay(sesv2).send(_envelope("x@unverified.test")))
    assert results[0].outcome is SendOutcome.BOUNCED
    assert "MessageRejected" in results[0].text
