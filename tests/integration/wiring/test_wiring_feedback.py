"""Sending and feedback as one system: suppression stops sends, bounces find their message,
attempts give the rates their denominator."""

from __future__ import annotations

from datetime import timedelta

from wiring_kit import (
    VERP_KEY,
    dispatcher,
    draft,
    drain,
    dsn,
    feedback_store,
)

from mailfleet.adapters.clock import FakeClock
from mailfleet.adapters.db.database import Database
from mailfleet.adapters.sending.feedback_links import QueueSentMessageLookup
from mailfleet.adapters.sending.smtp_sink import RecordingSink
from mailfleet.adapters.sending.sql_queue import SqlMessageQueue
from mailfleet.core.feedback.events import EventKind, Suppression
from mailfleet.core.sending.dkim import DkimKey
from mailfleet.core.sending.model import MessageState
from mailfleet.services.feedback_ingest import ingest_message
from mailfleet.services.suppression import domain_daily_counts, domain_rates


def test_suppressed_addresses_are_not_sent(
    database: Database,
    sink: tuple[RecordingSink, int],
    dkim_keys: dict[str, list[DkimKey]],
    clock: FakeClock,
) -> None:
    """A global suppression stops every domain; a domain's own stops only that domain."""
    recorder, port = sink
    store = feedback_store(database)
    now = clock.now()
    store.suppress(Suppression("gone@example.org", "global", "user_unknown", "manual", now))
    store.suppress(Suppression("Picky@example.org", "example.com", "complaint", "manual", now))
    queue = SqlMessageQueue(database)
    queue.enqueue(
        [
            draft("gone@example.org"),
            draft("picky@example.org"),
            draft("picky@example.org", sender="news@example.net"),
            draft("fine@example.org"),
        ],
        now,
    )
    report = drain(dispatcher(database, port, dkim_keys, clock))
    assert report.states == {"suppressed": 2, "sent": 2}
    delivered = sorted((r.mail_from.rpartition("@")[2], r.recipients[0]) for r in recorder.received)
    assert delivered == [
        ("bounces.example.com", "fine@example.org"),
        ("bounces.example.net", "picky@example.org"),
    ]
    assert queue.counts()[MessageState.SUPPRESSED] == 2


def test_a_bounce_is_tied_to_its_message_and_counted_against_deliveries(
    database: Database,
    sink: tuple[RecordingSink, int],
    dkim_keys: dict[str, list[DkimKey]],
    clock: FakeClock,
) -> None:
    """Five delivered, one DSN for 5.1.1: event on the message, recipient suppressed, 1 of 5."""
    recorder, port = sink
    store = feedback_store(database)
    queue = SqlMessageQueue(database)
    recipients = [f"user{i}@example.org" for i in range(5)]
    queue.enqueue([draft(r) for r in recipients], clock.now())
    assert drain(dispatcher(database, port, dkim_keys, clock)).states == {"sent": 5}

    bounced = next(r for r in recorder.received if r.recipients == ("user3@example.org",))
    clock.advance(timedelta(minutes=10))
    result = ingest_message(
        dsn(bounced.mail_from, "user3@example.org", bounced.message_id),
        store=store,
        clock=clock,
        verp_key=VERP_KEY,
        lookup=QueueSentMessageLookup(database),
    )
    [event] = result.events
    assert event.kind is EventKind.BOUNCE
    assert event.message_id == bounced.message_id
    assert (event.sending_domain, event.mailbox) == ("example.com", "news@example.com")
    assert [s.address for s in result.suppressed] == ["user3@example.org"]

    [counts] = domain_daily_counts(store, clock, days=1)
    assert (counts.domain, counts.deliveries, counts.bounces) == ("example.com", 5, 1)
    rates = domain_rates(store, clock, "example.com", days=1)
    assert rates.counts["bounces"] == 1
    assert rates.counts["deliveries"] == 5

    queue.enqueue([draft("user3@example.org"), draft("user4@example.org")], clock.now())
    again = drain(dispatcher(database, port, dkim_keys, clock))
    assert again.states == {"suppressed": 1, "sent": 1}


def test_refusals_at_send_time_are_bounce_events_and_suppress(
    database: Database,
    sink: tuple[RecordingSink, int],
    dkim_keys: dict[str, list[DkimKey]],
    clock: FakeClock,
) -> None:
    """A 550 5.1.1 from the relay records a bounce with its reason and suppresses at once."""
    _, port = sink
    store = feedback_store(database)
    queue = SqlMessageQueue(database)
    queue.enqueue([draft("refused@example.org"), draft("ok@example.org")], clock.now())
    drain(dispatcher(database, port, dkim_keys, clock))
    [counts] = domain_daily_counts(store, clock, days=1)
    assert (counts.deliveries, counts.bounces, counts.hard_bounces) == (1, 1, 1)
    found = store.find_suppression("refused@example.org", "example.com", clock.now())
    assert found is not None
    assert found.source == "dispatch"


def test_lookup_finds_a_message_by_queue_id_or_message_id(
    database: Database, clock: FakeClock
) -> None:
    """The VERP queue id and the Message-ID (with or without brackets) find one message."""
    queue = SqlMessageQueue(database)
    [number] = queue.enqueue([draft("a@example.org", sender="Ops@Example.com")], clock.now())
    message_id = queue.message_ids()[number]
    lookup = QueueSentMessageLookup(database)
    by_id = lookup.find(str(number))
    assert by_id is not None
    assert (by_id.message_id, by_id.recipient) == (message_id, "a@example.org")
    assert (by_id.mailbox, by_id.sending_domain) == ("ops@example.com", "example.com")
    assert lookup.find(message_id.strip("<>")) == by_id
    assert lookup.find(message_id) == by_id
    assert lookup.find(str(number + 100)) is None
