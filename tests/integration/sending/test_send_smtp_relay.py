"""The SMTP relay against a real aiosmtpd server on loopback, with and without PIPELINING
(RFC 2920) offered, so both transaction paths meet the same replies."""

from __future__ import annotations

import asyncio
import time

import dkim

from mailfleet.adapters.sending.smtp_relay import SmtpRelay, SmtpRelayConfig, dot_stuff
from mailfleet.adapters.sending.smtp_sink import RecordingSink, free_port
from mailfleet.core.sending.breaker import BreakerState
from mailfleet.core.sending.dkim import DkimKey, DkimSigner, public_key_record
from mailfleet.core.sending.outcomes import SendOutcome
from mailfleet.core.sending.ports import Envelope


def _envelope(*recipients: str, n: int = 1) -> Envelope:
    data = f"From: a@example.com\r\nMessage-ID: <{n}@example.com>\r\n\r\nhi\r\n".encode()
    return Envelope("bounces+1-x@rp.example.com", recipients, data, f"<{n}@example.com>")


def test_outcomes_per_recipient(relay_sink: tuple[RecordingSink, int]) -> None:
    """Accepted, refused (550 5.1.1) and deferred (452 4.2.2) recipients each get their reply."""
    recorder, port = relay_sink

    async def run() -> list[tuple[str, SendOutcome, int | None, str]]:
        relay = SmtpRelay(SmtpRelayConfig("127.0.0.1", port))
        results = await relay.send(_envelope("ok@x.org", "bad@x.org", "full@x.org"))
        await relay.close()
        return [(r.recipient, r.outcome, r.code, r.enhanced) for r in results]

    assert asyncio.run(run()) == [
        ("ok@x.org", SendOutcome.SENT, 250, "2.0.0"),
        ("bad@x.org", SendOutcome.BOUNCED, 550, "5.1.1"),
        ("full@x.org", SendOutcome.DEFERRED, 452, "4.2.2"),
    ]
    assert [r.recipients for r in recorder.received] == [("ok@x.org",)]
    assert recorder.received[0].mail_from == "bounces+1-x@rp.example.com"


def test_all_refused_keeps_connection_usable(relay_sink: tuple[RecordingSink, int]) -> None:
    """After every recipient is refused, RSET lets the next message use the same connection."""
    recorder, port = relay_sink

    async def run() -> list[SendOutcome]:
        relay = SmtpRelay(SmtpRelayConfig("127.0.0.1", port, pool_size=1))
        first = await relay.send(_envelope("bad1@x.org", n=1))
        second = await relay.send(_envelope("ok@x.org", n=2))
        await relay.close()
        return [first[0].outcome, second[0].outcome]

    assert asyncio.run(run()) == [SendOutcome.BOUNCED, SendOutcome.SENT]
    assert recorder.message_ids() == ["<2@example.com>"]


def test_421_defers_and_next_message_reconnects(relay_sink: tuple[RecordingSink, int]) -> None:
    """421 4.7.0 defers the recipient; the connection is dropped and the next send succeeds."""
    recorder, port = relay_sink

    async def run() -> list[tuple[SendOutcome, str]]:
        relay = SmtpRelay(SmtpRelayConfig("127.0.0.1", port, pool_size=1))
        first = await relay.send(_envelope("later@x.org", n=1))
        second = await relay.send(_envelope("ok@x.org", n=2))
        await relay.close()
        return [(r[0].outcome, r[0].enhanced) for r in (first, second)]

    assert asyncio.run(run()) == [(SendOutcome.DEFERRED, "4.7.0"), (SendOutcome.SENT, "2.0.0")]
    assert len(recorder.received) == 1


def test_connections_are_reused_within_the_pool_bound(
    relay_sink: tuple[RecordingSink, int],
) -> None:
    """Forty concurrent messages over a pool of 3 use at most 3 connections."""
    recorder, port = relay_sink

    async def run() -> None:
        relay = SmtpRelay(SmtpRelayConfig("127.0.0.1", port, pool_size=3))
        await asyncio.gather(*(relay.send(_envelope(f"u{i}@x.org", n=i)) for i in range(40)))
        await relay.close()

    asyncio.run(run())
    assert len(recorder.received) == 40
    assert 1 <= len({r.peer for r in recorder.received}) <= 3


def test_unreachable_relay_defers_and_opens_breaker() -> None:
    """A relay nobody listens on defers every recipient, and after 5 failures the breaker opens."""

    async def run() -> tuple[list[SendOutcome], BreakerState, str]:
        relay = SmtpRelay(SmtpRelayConfig("127.0.0.1", free_port(), timeout=2))
        outcomes = []
        for i in range(6):
            result = await relay.send(_envelope("ok@x.org", n=i))
            outcomes.append(result[0].outcome)
        return outcomes, relay.breaker.state(time.monotonic()), result[0].text

    outcomes, state, text = asyncio.run(run())
    assert outcomes == [SendOutcome.DEFERRED] * 6
    assert state is BreakerState.OPEN
    assert text == "relay circuit open"


def test_dot_lines_arrive_as_signed(
    relay_sink: tuple[RecordingSink, int], rsa_key: DkimKey
) -> None:
    """Lines starting with '.' (and a lone '.') are dot-stuffed on the wire and restored by the
    server, so the received bytes are the signed bytes and the signature verifies."""
    recorder, port = relay_sink
    body = ".leading dot\r\n.\r\n..two dots\r\nplain\r\n.\r\n"
    message = (
        "From: a@example.com\r\nTo: ok@x.org\r\nSubject: dots\r\n"
        f"Message-ID: <dots@example.com>\r\n\r\n{body}"
    ).encode()
    signed = DkimSigner([rsa_key]).sign(message)

    async def run() -> SendOutcome:
        relay = SmtpRelay(SmtpRelayConfig("127.0.0.1", port))
        result = await relay.send(Envelope("b@example.com", ("ok@x.org",), signed))
        await relay.close()
        return result[0].outcome

    assert asyncio.run(run()) is SendOutcome.SENT
    received = recorder.received[0].data
    assert received == signed
    record = public_key_record(rsa_key).encode()

    def dnsfunc(name: bytes, timeout: int = 5) -> bytes:
        return record if name == b"s1._domainkey.example.com." else b""

    assert dkim.verify(received, dnsfunc=dnsfunc)


def test_dot_stuffing() -> None:
    """RFC 5321 §4.5.2: a leading '.' on any line is doubled, and '.' CRLF ends the data."""
    assert dot_stuff(b".a\r\nb\r\n.\r\n") == b"..a\r\nb\r\n..\r\n.\r\n"
    assert dot_stuff(b"no dots\r\n") == b"no dots\r\n.\r\n"


def test_pipelining_is_used_only_when_offered(relay_sink: tuple[RecordingSink, int]) -> None:
    """The connection is taken over for pipelining exactly when the server offers it, and a
    second message reuses it either way."""
    recorder, port = relay_sink

    async def run() -> tuple[bool, list[SendOutcome]]:
        relay = SmtpRelay(SmtpRelayConfig("127.0.0.1", port, pool_size=1))
        first = await relay.send(_envelope("ok1@x.org", n=1))
        piped = relay._idle[0].pipe is not None
        second = await relay.send(_envelope("ok2@x.org", n=2))
        await relay.close()
        return piped, [first[0].outcome, second[0].outcome]

    piped, outcomes = asyncio.run(run())
    assert piped is recorder.pipelining
    assert outcomes == [SendOutcome.SENT, SendOutcome.SENT]
    assert len({r.peer for r in recorder.received}) == 1
