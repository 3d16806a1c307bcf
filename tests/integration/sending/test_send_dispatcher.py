"""The dispatcher end to end: SQL queue -> gate/suppression -> DKIM -> SMTP -> aiosmtpd sink."""

from __future__ import annotations

import asyncio
import email
from dataclasses import replace
from datetime import timedelta

import dkim

from mailfleet.adapters.clock import FakeClock
from mailfleet.adapters.db.database import Database
from mailfleet.adapters.sending.memory import (
    InMemoryDkimKeys,
    InMemorySendGate,
    InMemorySuppressions,
)
from mailfleet.adapters.sending.policy_files import load_shaping
from mailfleet.adapters.sending.smtp_relay import SmtpRelay, SmtpRelayConfig
from mailfleet.adapters.sending.smtp_sink import RecordingSink
from mailfleet.adapters.sending.sql_queue import SqlMessageQueue
from mailfleet.core.secrets import Secret
from mailfleet.core.sending.dkim import DkimKey, public_key_record
from mailfleet.core.sending.model import MessageDraft, MessageState
from mailfleet.core.verp import decode_verp
from mailfleet.services.dispatcher import Dispatcher, DispatchReport, DispatchSettings

VERP_KEY = Secret("v" * 32)


def _draft(recipient: str, sender: str = "news@example.com") -> MessageDraft:
    return MessageDraft(sender=sender, recipient=recipient, subject="Hi", text="Hello\n")


def _dispatcher(
    database: Database,
    port: int,
    key: DkimKey,
    clock: FakeClock,
    *,
    gate: InMemorySendGate | None = None,
    suppressions: InMemorySuppressions | None = None,
) -> Dispatcher:
    return Dispatcher(
        queue=SqlMessageQueue(database),
        relay=SmtpRelay(SmtpRelayConfig("127.0.0.1", port, pool_size=3)),
        gate=gate or InMemorySendGate(),
        suppressions=suppressions or InMemorySuppressions(),
        keys=InMemoryDkimKeys({"example.com": [key]}),
        clock=clock,
        settings=DispatchSettings(
            verp_key=VERP_KEY, batch_size=7, unsubscribe_url="https://example.com/u"
        ),
        worker="test",
        unit_random=lambda: 0.5,
    )


def _drain(dispatcher: Dispatcher) -> DispatchReport:
    async def run() -> DispatchReport:
        try:
            return await dispatcher.drain()
        finally:
            await dispatcher.relay.close()

    return asyncio.run(run())


def test_every_outcome_lands_in_its_state(
    database: Database, sink: tuple[RecordingSink, int], rsa_key: DkimKey, clock: FakeClock
) -> None:
    """Sent, bounced, deferred, suppressed and gate-held messages each end in the right state."""
    recorder, port = sink
    queue = SqlMessageQueue(database)
    good = [f"user{i}@example.org" for i in range(20)]
    queue.enqueue([_draft(r) for r in good], clock.now())
    queue.enqueue([_draft("bad@example.org"), _draft("later@example.org")], clock.now())
    queue.enqueue([_draft("gone@example.org")], clock.now())
    queue.enqueue(
        [_draft(f"capped{i}@example.org", "cold@example.com") for i in range(3)], clock.now()
    )
    suppressions = InMemorySuppressions({"gone@example.org"})
    gate = InMemorySendGate(mailbox_caps={"cold@example.com": 1})
    report = _drain(
        _dispatcher(database, port, rsa_key, clock, gate=gate, suppressions=suppressions)
    )
    assert report.states == {
        "sent": 21,
        "bounced": 1,
        "deferred": 1,
        "suppressed": 1,
        "scheduled": 2,
    }
    counts = queue.counts()
    assert counts[MessageState.SENT] == 21
    assert counts[MessageState.SCHEDULED] == 2
    assert len(recorder.received) == 21


def test_sent_mail_is_signed_verp_and_one_click(
    database: Database, sink: tuple[RecordingSink, int], rsa_key: DkimKey, clock: FakeClock
) -> None:
    """What arrives verifies with dkimpy, has a VERP sender naming its row, and RFC 8058 headers."""
    recorder, port = sink
    queue = SqlMessageQueue(database)
    ids = queue.enqueue([_draft(f"u{i}@example.org") for i in range(3)], clock.now())
    _drain(_dispatcher(database, port, rsa_key, clock))
    record = {
        f"{rsa_key.selector}._domainkey.{rsa_key.domain}.".encode(): public_key_record(
            rsa_key
        ).encode()
    }
    by_id = queue.message_ids()
    for received in recorder.received:
        assert dkim.verify(received.data, dnsfunc=lambda name, timeout=5: record.get(name, b""))
        decoded = decode_verp(received.mail_from, VERP_KEY)
        assert decoded is not None
        message_id = int(decoded)
        assert message_id in ids
        assert by_id[message_id] == received.message_id
        parsed = email.message_from_bytes(received.data)
        assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert "https://example.com/u/" in parsed["List-Unsubscribe"]
        assert received.mail_from.endswith("@bounces.example.com")


def test_deferred_message_retries_later_with_same_message_id(
    database: Database, sink: tuple[RecordingSink, int], rsa_key: DkimKey, clock: FakeClock
) -> None:
    """A deferred message is retried after its backoff and carries the same Message-ID."""
    recorder, port = sink
    queue = SqlMessageQueue(database)
    queue.enqueue([_draft("later@example.org")], clock.now())
    first = _drain(_dispatcher(database, port, rsa_key, clock))
    assert first.states == {"deferred": 1}
    assert _drain(_dispatcher(database, port, rsa_key, clock)).claimed == 0
    recorder.rules.clear()
    clock.advance(timedelta(minutes=6))
    second = _drain(_dispatcher(database, port, rsa_key, clock))
    assert second.states == {"sent": 1}
    assert recorder.received[0].message_id == next(iter(queue.message_ids().values()))


def test_domain_without_key_fails_unless_allowed(
    database: Database, sink: tuple[RecordingSink, int], rsa_key: DkimKey, clock: FakeClock
) -> None:
    """With DKIM required, a sender domain with no key fails instead of going out unsigned."""
    recorder, port = sink
    SqlMessageQueue(database).enqueue([_draft("x@example.org", "a@nokey.com")], clock.now())
    report = _drain(_dispatcher(database, port, rsa_key, clock))
    assert report.states == {"failed": 1}
    assert recorder.received == []


def test_expired_lease_is_not_sent(
    database: Database, sink: tuple[RecordingSink, int], rsa_key: DkimKey, clock: FakeClock
) -> None:
    """A claimed message whose lease ran out before its turn is neither sent nor settled."""
    recorder, port = sink
    queue = SqlMessageQueue(database)
    queue.enqueue([_draft("slow@example.org")], clock.now())
    dispatcher = _dispatcher(database, port, rsa_key, clock)
    claim = queue.claim("test", 10, clock.now(), 60)
    clock.advance(timedelta(seconds=61))

    async def run() -> int:
        try:
            return len(await dispatcher.process(claim))
        finally:
            await dispatcher.relay.close()

    assert asyncio.run(run()) == 0
    assert recorder.received == []
    assert queue.counts()[MessageState.SENDING] == 1


def test_gmail_rate_deferral_suspends_gmail_for_the_domain(
    database: Database, sink: tuple[RecordingSink, int], rsa_key: DkimKey, clock: FakeClock
) -> None:
    """After Gmail's 421 4.7.28, later Gmail mail from that domain waits; other mail goes.

    Two batches are in flight at once, so the batch beside the deferred one may still go out;
    everything claimed after the deferral is held.
    """
    recorder, port = sink
    recorder.rules["rate"] = "421 4.7.28 Our system has detected an unusual rate of mail"
    queue = SqlMessageQueue(database)
    queue.enqueue([_draft("rate@gmail.com")], clock.now())
    queue.enqueue(
        [_draft("beside@gmail.com"), _draft("third@gmail.com"), _draft("someone@example.org")],
        clock.now(),
    )
    dispatcher = _dispatcher(database, port, rsa_key, clock)
    dispatcher.shaping = load_shaping()
    dispatcher.settings = replace(dispatcher.settings, batch_size=1)
    report = _drain(dispatcher)
    received = {r.recipients[0] for r in recorder.received}
    assert report.states["deferred"] == 1
    assert report.states["scheduled"] >= 1
    assert "someone@example.org" in received
    assert "third@gmail.com" not in received
    assert queue.counts()[MessageState.SCHEDULED] == report.states["scheduled"]
