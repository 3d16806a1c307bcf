"""Relay webhooks against the real feedback tables on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import hmac
import json

from mailfleet.adapters.clock import FakeClock
from mailfleet.adapters.db.database import Database
from mailfleet.adapters.db.feedback_store import SqlFeedbackStore
from mailfleet.core.feedback.events import EventKind
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
    store: SqlFeedbackStore, clock: FakeClock, severity: str, recipient: str
) -> WebhookResult:
    body = {
        "signature": mailgun_signature(KEY, int(clock.now().timestamp())),
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
    results = [_call(store, clock, "permanent", "full@client.example") for _ in range(3)]
    assert all(r.outcome is WebhookOutcome.ACCEPTED for r in results)
    assert [len(r.suppressed) for r in results] == [0, 0, 1]
    kinds = [EventKind.BOUNCE.value]
    since = clock.now()
    assert store.count_events("full@client.example", kinds, ["mailbox_full"], since) == 3
    [entry] = store.suppressions()
    assert (entry.address, entry.reason) == ("full@client.example", "soft_bounces:mailbox_full")
