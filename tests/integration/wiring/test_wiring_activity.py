"""Mail leaving a mailbox stamps its last activity, and its domain's, for the inventory."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from mailfleet.adapters.clock import FakeClock
from mailfleet.adapters.db.activity import ActivityDeliveryLog, SqlActivityStamp
from mailfleet.adapters.db.database import Database
from mailfleet.adapters.db.fleet_store import SqlFleetStore
from mailfleet.core.fleet import Fleet
from mailfleet.core.sending.model import MessageDraft, QueuedMessage
from mailfleet.core.sending.outcomes import RecipientResult, SendOutcome
from mailfleet.core.sending.ports import Attempt
from mailfleet.core.state import EntityKind
from mailfleet.services.fleet import sync_fleet


class Recorded:
    def __init__(self) -> None:
        self.calls: list[tuple[int, datetime]] = []

    def record(self, attempts: Sequence[Attempt], at: datetime) -> None:
        self.calls.append((len(attempts), at))


def _attempt(sender: str, n: int) -> Attempt:
    draft = MessageDraft(sender, f"r{n}@example.org", "s", "t")
    message = QueuedMessage(n, f"<{n}@x>", draft, 0, datetime(2026, 1, 1))
    return Attempt(message, RecipientResult(draft.recipient, SendOutcome.SENT, 250))


def _activity(store: SqlFleetStore, kind: EntityKind) -> dict[str, datetime | None]:
    return {k: r.last_activity_at for k, r in store.snapshot().of(kind).items()}


def test_senders_and_their_domains_are_stamped(
    database: Database, clock: FakeClock, init_fleet: Fleet
) -> None:
    store = SqlFleetStore(database)
    sync_fleet(init_fleet, store, clock, "fleet.yaml")
    inner = Recorded()
    log = ActivityDeliveryLog(inner, SqlActivityStamp(database))
    first = clock.now()
    log.record([_attempt("hello@acme.example", 1), _attempt("Sales@Acme.Example", 2)], first)
    assert inner.calls == [(2, first)]
    boxes = _activity(store, EntityKind.MAILBOX)
    assert boxes["hello@acme.example"] == first
    assert boxes["sales@acme.example"] == first
    assert boxes["support@acme.example"] is None
    domains = _activity(store, EntityKind.DOMAIN)
    assert domains["acme.example"] == first
    assert {d for d, at in domains.items() if at is not None} == {"acme.example"}
    # A later batch moves the stamp on; an older one (a late settle) never moves it back.
    later = first + timedelta(hours=2)
    log.record([_attempt("hello@acme.example", 3)], later)
    log.record([_attempt("hello@acme.example", 4)], first + timedelta(hours=1))
    assert _activity(store, EntityKind.MAILBOX)["hello@acme.example"] == later
    assert _activity(store, EntityKind.DOMAIN)["acme.example"] == later
