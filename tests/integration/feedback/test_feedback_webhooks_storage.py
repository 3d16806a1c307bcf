"""Relay webhooks against the real feedback tables on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from mailfleet.adapters.clock import FakeClock
from mailfleet.adapters.db.database import Database
from mailfleet.adapters.db.feedback_store import SqlFeedbackStore
from mailfleet.core.feedback import replay
from mailfleet.core.feedback.events import EventKind, FeedbackEvent, Suppression
from mailfleet.core.secrets import Secret
from mailfleet.policy.rules import suppression_policy
from mailfleet.services.feedback_webhooks import (
    WebhookKeys,
    WebhookOutcome,
    WebhookResult,
    handle_webhook,
)

KEY = "key-integration"


def mailgun_signature(key: str, timestamp: int, nonce: str = "f00d") -> dict[str, str]:
    """Mailgun's signature object: HMAC-SHA256 of timestamp + token."""
    digest = hmac.new(key.encode(), f"{timestamp}{nonce}".encode(), hashlib.sha256).hexdigest()
    return {"timestamp": str(timestamp), "token": nonce, "signature": digest}


def _call(
    store: SqlFeedbackStore,
    clock: FakeClock,
    severity: str,
    recipient: str,
    nonce: str = "f00d",
) -> WebhookResult:
    body = {
        "signature": mailgun_signature(KEY, int(clock.now().timestamp()), nonce),
        "event-data": {
            "event": "failed",
            "severity": severity,
            "recipient": recipient,
            "delivery-status": {"code": 552, "message": "5.2.2 mailbox full"},
        },
    }
    keys = WebhookKeys(mailgun_signing_key=Secret(KEY))
    return handle_webhook(
        "mailgun", {}, json.dumps(body).encode(), keys=keys, store=store, clock=clock
    )


def test_webhook_events_are_stored_and_soft_bounces_add_up(
    database: Database, clock: FakeClock
) -> None:
    """Webhook bounces land in feedback_events; the third mailbox-full one suppresses."""
    store = SqlFeedbackStore(database, suppression_policy().hard_reasons)
    results = [
        _call(store, clock, "permanent", "full@client.example", f"nonce-{n}") for n in range(3)
    ]
    assert all(r.outcome is WebhookOutcome.ACCEPTED for r in results)
    assert [len(r.suppressed) for r in results] == [0, 0, 1]
    kinds = [EventKind.BOUNCE.value]
    since = clock.now()
    assert store.count_events("full@client.example", kinds, ["mailbox_full"], since) == 3
    [entry] = store.suppressions()
    assert (entry.address, entry.reason) == ("full@client.example", "soft_bounces:mailbox_full")


def _delivery_event(clock: FakeClock, recipient: str) -> FeedbackEvent:
    return FeedbackEvent(
        kind=EventKind.COMPLAINT,
        recipient=recipient,
        occurred_at=clock.now(),
        reason="abuse",
        permanent=True,
        source="webhook:test",
    )


def test_mailgun_token_reuse_stores_nothing_the_second_time(
    database: Database, clock: FakeClock
) -> None:
    """In the webhook_deliveries table: the replayed token is refused and stores nothing."""
    store = SqlFeedbackStore(database, suppression_policy().hard_reasons)
    first = _call(store, clock, "permanent", "kim@client.example", "tok-a")
    again = _call(store, clock, "permanent", "ceo@client.example", "tok-a")
    assert first.outcome is WebhookOutcome.ACCEPTED
    assert (again.outcome, again.http_status) == (WebhookOutcome.REJECTED, 406)
    since, kinds = clock.now() - timedelta(minutes=1), [EventKind.BOUNCE.value]
    assert store.count_events("kim@client.example", kinds, ["mailbox_full"], since) == 1
    assert store.count_events("ceo@client.example", kinds, ["mailbox_full"], since) == 0


def test_concurrent_workers_apply_one_delivery_once(database: Database, clock: FakeClock) -> None:
    """Four workers applying the same delivery at once: one stores, three see a replay."""
    stores = [SqlFeedbackStore(database) for _ in range(4)]
    record = replay.delivery(replay.sns_key("msg-1"), clock.now())
    event = _delivery_event(clock, "kim@client.example")
    start = threading.Barrier(len(stores))

    def work(store: SqlFeedbackStore) -> list[Suppression] | None:
        start.wait()
        return store.apply_delivery(record, [event], [])

    with ThreadPoolExecutor(len(stores)) as pool:
        results = list(pool.map(work, stores))
    assert sorted(r is None for r in results) == [False, True, True, True]
    kinds = [EventKind.COMPLAINT.value]
    since = clock.now() - timedelta(minutes=1)
    assert stores[0].count_events("kim@client.example", kinds, ["abuse"], since) == 1


def test_expired_deliveries_are_forgotten(database: Database, clock: FakeClock) -> None:
    """forget_deliveries drops only what expired; a forgotten delivery applies again."""
    store = SqlFeedbackStore(database)
    short = replay.delivery(replay.mailgun_key("short"), clock.now(), timedelta(hours=1))
    long = replay.delivery(replay.mailgun_key("long"), clock.now(), timedelta(days=2))
    event = _delivery_event(clock, "kim@client.example")
    assert store.apply_delivery(short, [event], []) == []
    assert store.apply_delivery(long, [event], []) == []
    assert store.apply_delivery(short, [event], []) is None
    assert store.forget_deliveries(clock.now() + timedelta(hours=2)) == 1
    assert store.apply_delivery(long, [event], []) is None
    assert store.apply_delivery(short, [event], []) == []
