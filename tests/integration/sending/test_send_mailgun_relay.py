"""The Mailgun relay against a local fake of its documented messages.mime API."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from fake_mailgun import FakeMailgun, serve

from mailfleet.adapters.sending.mailgun_relay import MailgunRelay
from mailfleet.adapters.sending.smtp_sink import free_port
from mailfleet.core.secrets import Secret
from mailfleet.core.sending.outcomes import SendOutcome
from mailfleet.core.sending.ports import Envelope

DATA = b"From: news@mg.example.com\r\nTo: bob@example.org\r\nSubject: Hi\r\n\r\nhello\r\n"


@pytest.fixture
def mailgun() -> Iterator[tuple[FakeMailgun, str]]:
    """The fake Mailgun on a free port; yields (state, base URL)."""
    fake = FakeMailgun(api_key="key-test")
    server, port = serve(fake)
    try:
        yield fake, f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        server.server_close()


def _send(relay: MailgunRelay, *recipients: str) -> list[tuple[SendOutcome, str, float | None]]:
    async def run() -> list[tuple[SendOutcome, str, float | None]]:
        try:
            envelope = Envelope("bounces+7-x@bounces.mg.example.com", recipients, DATA)
            return [(r.outcome, r.text, r.retry_after) for r in await relay.send(envelope)]
        finally:
            await relay.close()

    return asyncio.run(run())


def test_raw_message_is_accepted(mailgun: tuple[FakeMailgun, str]) -> None:
    """Mailgun gets our exact bytes, the recipients and the VERP address; we get 'sent'."""
    fake, url = mailgun
    relay = MailgunRelay("mg.example.com", Secret("key-test"), base_url=url)
    assert _send(relay, "bob@example.org") == [
        (SendOutcome.SENT, "Mailgun: Queued. Thank you.", None)
    ]
    (got,) = fake.received
    assert got["to"] == ["bob@example.org"]
    assert got["verp"] == "bounces+7-x@bounces.mg.example.com"
    assert got["message"].replace(b"\r\n", b"\n") == DATA.replace(b"\r\n", b"\n")


def test_rate_limit_defers_with_retry_after(mailgun: tuple[FakeMailgun, str]) -> None:
    """429 Too many requests defers, carrying Retry-After as the retry hint."""
    _, url = mailgun
    relay = MailgunRelay("mg.example.com", Secret("key-test"), base_url=url)
    assert _send(relay, "slow@example.org") == [
        (SendOutcome.DEFERRED, "Mailgun 429: Too many requests", 30.0)
    ]


def test_wrong_key_fails_without_retry(mailgun: tuple[FakeMailgun, str]) -> None:
    """401 means our credentials are wrong: failed, not deferred, not bounced."""
    _, url = mailgun
    relay = MailgunRelay("mg.example.com", Secret("wrong"), base_url=url)
    assert _send(relay, "bob@example.org")[0][0] is SendOutcome.FAILED


def test_unreachable_api_defers() -> None:
    """Nobody listening: the recipient is deferred and the breaker counts a failure."""
    relay = MailgunRelay("mg.example.com", Secret("k"), base_url=f"http://127.0.0.1:{free_port()}")
    assert _send(relay, "bob@example.org")[0][0] is SendOutcome.DEFERRED
    assert relay.breaker.failures == 1
