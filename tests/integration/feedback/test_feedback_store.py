"""Contract tests of the feedback store: the SQL store (SQLite and PostgreSQL) and its twin."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import psycopg
import pytest

from mailfleet.adapters.db.database import Database
from mailfleet.adapters.db.feedback_store import SqlFeedbackStore
from mailfleet.adapters.feedback.memory import InMemoryFeedbackStore
from mailfleet.core.feedback.events import EventKind, FeedbackEvent, Suppression
from mailfleet.core.feedback.ports import FeedbackStore

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
HARD = frozenset({"mailbox_unknown"})


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FeedbackStore]:
    """The in-memory twin, or the SQL store on SQLite and on PostgreSQL."""
    if request.param == "memory":
        yield InMemoryFeedbackStore(HARD)
        return
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'feedback.db'}"
    else:
        url = request.getfixturevalue("postgres_server_url")
        plain = url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(plain, autocommit=True) as conn:  # an empty schema per test
            conn.execute("DROP SCHEMA public CASCADE")
            conn.execute("CREATE SCHEMA public")
    database = Database(url)
    database.prepare(auto_upgrade=True)
    yield SqlFeedbackStore(database, HARD)
    database.dispose()


def _event(kind: EventKind, when: datetime, **fields: object) -> FeedbackEvent:
    values: dict[str, object] = {
        "recipient": "Jane@Client.example",
        "reason": "mailbox_unknown",
        "permanent": kind is EventKind.BOUNCE,
        "sending_domain": "news.example.com",
    }
    values.update(fields)
    return FeedbackEvent(kind=kind, occurred_at=when, **values)  # type: ignore[arg-type]


def test_events_are_counted_per_recipient_kind_reason_and_time(store: FeedbackStore) -> None:
    """count_events filters on recipient (any case), kinds, reasons and a lower time bound."""
    store.add_events(
        [
            _event(EventKind.DEFERRAL, T0, reason="mailbox_full"),
            _event(EventKind.DEFERRAL, T0 + timedelta(days=1), reason="mailbox_full"),
            _event(EventKind.BOUNCE, T0 + timedelta(days=2), reason="mailbox_full"),
            _event(EventKind.BOUNCE, T0 + timedelta(days=2), reason="policy"),
        ]
    )
    kinds = ["bounce", "deferral"]
    assert store.count_events("jane@client.example", kinds, ["mailbox_full"], T0) == 3
    later = T0 + timedelta(hours=12)
    assert store.count_events("jane@client.example", kinds, ["mailbox_full"], later) == 2
    assert store.count_events("jane@client.example", ["bounce"], ["policy"], T0) == 1
    assert store.count_events("other@client.example", kinds, ["mailbox_full"], T0) == 0


def test_suppression_scopes_and_expiry(store: FeedbackStore) -> None:
    """Global entries stop every send, domain entries only that domain's, expired ones none."""
    assert store.suppress(Suppression("a@x.example", "global", "complaint", "smtp", T0))
    assert not store.suppress(Suppression("a@x.example", "global", "complaint", "smtp", T0))
    store.suppress(Suppression("b@x.example", "news.example.com", "manual", "manual", T0))
    store.suppress(
        Suppression("c@x.example", "global", "soft", "smtp", T0, T0 + timedelta(days=30))
    )
    later = T0 + timedelta(days=1)
    assert store.find_suppression("A@x.example", "shop.example.com", later) is not None
    assert store.find_suppression("b@x.example", "news.example.com", later) is not None
    assert store.find_suppression("b@x.example", "shop.example.com", later) is None
    assert store.find_suppression("c@x.example", None, later) is not None
    assert store.find_suppression("c@x.example", None, T0 + timedelta(days=31)) is None
    assert [s.address for s in store.suppressions()] == [
        "a@x.example",
        "b@x.example",
        "c@x.example",
    ]
    assert [s.address for s in store.suppressions(scope="news.example.com")] == ["b@x.example"]


def test_expired_suppression_is_renewed_and_removal_counts(store: FeedbackStore) -> None:
    """An expired entry suppressed again is new again; unsuppress reports how many it removed."""
    store.suppress(Suppression("c@x.example", "global", "soft", "smtp", T0, T0 + timedelta(days=1)))
    renewed = Suppression("c@x.example", "global", "soft", "smtp", T0 + timedelta(days=5))
    assert store.suppress(renewed)
    assert store.find_suppression("c@x.example", None, T0 + timedelta(days=400)) is not None
    store.suppress(Suppression("c@x.example", "news.example.com", "manual", "manual", T0))
    assert store.unsuppress("C@x.example", "news.example.com") == 1
    assert store.unsuppress("c@x.example", None) == 1
    assert store.unsuppress("c@x.example", None) == 0


def test_daily_counts_per_domain(store: FeedbackStore) -> None:
    """Events are counted per UTC day and sending domain, hard bounces apart."""
    store.add_events(
        [
            _event(EventKind.DELIVERY, T0, reason=""),
            _event(EventKind.DELIVERY, T0, reason=""),
            _event(EventKind.BOUNCE, T0),
            _event(EventKind.BOUNCE, T0, reason="mailbox_full"),
            _event(EventKind.COMPLAINT, T0 + timedelta(days=1), reason="abuse", permanent=True),
            _event(EventKind.DEFERRAL, T0, sending_domain="shop.example.com", reason="routing"),
        ]
    )
    counts = store.daily_counts(T0 - timedelta(days=1), T0 + timedelta(days=2))
    table = {(c.day, c.domain): c for c in counts}
    first = table[(date(2026, 3, 2), "news.example.com")]
    assert (first.deliveries, first.bounces, first.hard_bounces) == (2, 2, 1)
    assert table[(date(2026, 3, 3), "news.example.com")].complaints == 1
    assert table[(date(2026, 3, 2), "shop.example.com")].deferrals == 1
    assert store.daily_counts(T0 + timedelta(days=5), T0 + timedelta(days=6)) == []


def test_apply_records_events_and_returns_only_new_suppressions(store: FeedbackStore) -> None:
    """apply stores the events and the suppressions; a repeat in the same batch is not new."""
    entry = Suppression("d@x.example", "global", "mailbox_unknown", "smtp", T0)
    made = store.apply([_event(EventKind.BOUNCE, T0)], [entry, entry])
    assert made == [entry]
    assert store.count_events("jane@client.example", ["bounce"], ["mailbox_unknown"], T0) == 1
    assert store.apply([], [entry]) == []
    assert [s.address for s in store.suppressions()] == ["d@x.example"]


def test_event_times_reads_a_batch_of_recipients_at_once(store: FeedbackStore) -> None:
    """event_times returns each asked recipient's matching event times, keyed in lower case."""
    store.add_events(
        [
            _event(EventKind.DEFERRAL, T0, reason="mailbox_full"),
            _event(EventKind.BOUNCE, T0 + timedelta(days=1), reason="mailbox_full"),
            _event(EventKind.BOUNCE, T0, reason="mailbox_full", recipient="b@y.example"),
            _event(EventKind.BOUNCE, T0, reason="policy", recipient="c@y.example"),
            _event(EventKind.BOUNCE, T0 - timedelta(days=1), reason="mailbox_full"),
        ]
    )
    times = store.event_times(
        ["JANE@client.example", "c@y.example", "nobody@y.example"],
        ["bounce", "deferral"],
        ["mailbox_full"],
        T0,
    )
    assert {k: sorted(v) for k, v in times.items()} == {
        "jane@client.example": [T0, T0 + timedelta(days=1)]
    }


def test_apply_refreshes_an_expired_entry_within_a_batch(store: FeedbackStore) -> None:
    """apply sees rows stored before it: an active one is not new, an expired one is renewed."""
    store.suppress(Suppression("e@x.example", "global", "mailbox_full", "smtp", T0, T0))
    store.suppress(Suppression("f@x.example", "global", "complaint", "smtp", T0))
    later = T0 + timedelta(days=1)
    renewed = Suppression("e@x.example", "global", "mailbox_full", "smtp", later)
    again = Suppression("f@x.example", "global", "complaint", "smtp", later)
    assert store.apply([], [renewed, again]) == [renewed]
