"""The SQL message queue on SQLite and PostgreSQL: enqueue, claim, lease expiry, settle."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from mailfleet.adapters.db.database import Database
from mailfleet.adapters.sending.sql_queue import SqlMessageQueue
from mailfleet.core.sending.model import MessageDraft, MessageState
from mailfleet.core.sending.outcomes import RecipientResult, SendOutcome
from mailfleet.core.sending.ports import Outcome

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
WORKER_SCRIPT = Path(__file__).with_name("claim_worker.py")


def _drafts(n: int, **changes: object) -> list[MessageDraft]:
    return [
        MessageDraft(
            sender="a@example.com",
            recipient=f"u{i}@example.org",
            subject=f"s{i}",
            text="hi",
            **changes,  # type: ignore[arg-type]
        )
        for i in range(n)
    ]


def test_enqueue_then_claim_in_order(database: Database) -> None:
    """Queued messages come back in id order with fixed Message-IDs, marked sending."""
    queue = SqlMessageQueue(database)
    ids = queue.enqueue(_drafts(5), NOW)
    assert ids == sorted(ids)
    claim = queue.claim("w1", 3, NOW, 60)
    assert [m.id for m in claim.messages] == ids[:3]
    assert [m.attempts for m in claim.messages] == [1, 1, 1]
    assert claim.messages[0].message_id.endswith("@example.com>")
    assert queue.counts()[MessageState.SENDING] == 3
    assert [m.id for m in queue.claim("w2", 10, NOW, 60).messages] == ids[3:]
    assert queue.claim("w3", 10, NOW, 60).messages == ()


def test_scheduled_messages_wait(database: Database) -> None:
    """A message with a future not_before is scheduled and not claimed until then."""
    queue = SqlMessageQueue(database)
    queue.enqueue(_drafts(2, not_before=NOW + timedelta(hours=1)), NOW)
    assert queue.counts()[MessageState.SCHEDULED] == 2
    assert queue.claim("w", 10, NOW, 60).messages == ()
    assert len(queue.claim("w", 10, NOW + timedelta(hours=1), 60).messages) == 2


def test_expired_lease_returns_message_with_same_id(database: Database) -> None:
    """A crashed worker's message is claimable after its lease, with the same Message-ID."""
    queue = SqlMessageQueue(database)
    queue.enqueue(_drafts(1), NOW)
    first = queue.claim("dead", 10, NOW, 60).messages[0]
    assert queue.claim("w2", 10, NOW + timedelta(seconds=30), 60).messages == ()
    again = queue.claim("w2", 10, NOW + timedelta(seconds=61), 60).messages[0]
    assert (again.id, again.message_id, again.attempts) == (first.id, first.message_id, 2)
    stale = Outcome(first.id, MessageState.SENT)
    queue.settle("dead", [stale], NOW + timedelta(seconds=62))
    assert queue.counts()[MessageState.SENDING] == 1, "a stale worker cannot settle"


def test_settle_records_states_and_results(database: Database) -> None:
    """Settling writes final and deferred states in one go; deferred ones come back later."""
    queue = SqlMessageQueue(database)
    ids = queue.enqueue(_drafts(3), NOW)
    queue.claim("w", 10, NOW, 60)
    later = NOW + timedelta(minutes=5)
    bounce = RecipientResult("u1@example.org", SendOutcome.BOUNCED, 550, "5.1.1", "no such user")
    queue.settle(
        "w",
        [
            Outcome(ids[0], MessageState.SENT, "250 ok"),
            Outcome(ids[1], MessageState.BOUNCED, bounce.reply, results=(bounce,), relay="r"),
            Outcome(ids[2], MessageState.DEFERRED, "421", not_before=later),
        ],
        NOW,
    )
    counts = queue.counts()
    assert (counts[MessageState.SENT], counts[MessageState.BOUNCED]) == (1, 1)
    assert counts[MessageState.DEFERRED] == 1
    assert queue.claim("w", 10, NOW + timedelta(minutes=1), 60).messages == ()
    assert [m.id for m in queue.claim("w", 10, later, 60).messages] == [ids[2]]


@pytest.mark.postgres
def test_parallel_workers_never_double_claim(postgres_server_url: str) -> None:
    """Four worker processes claiming with SKIP LOCKED share 600 messages with no overlap."""
    plain = postgres_server_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")
    database = Database(postgres_server_url)
    database.prepare(auto_upgrade=True)
    queue = SqlMessageQueue(database)
    ids = queue.enqueue(_drafts(600), NOW)
    database.dispose()
    workers = [
        subprocess.Popen(
            [sys.executable, str(WORKER_SCRIPT), postgres_server_url, f"w{n}"],
            stdout=subprocess.PIPE,
            text=True,
        )
        for n in range(4)
    ]
    claimed: list[int] = []
    per_worker = []
    for worker in workers:
        out, _ = worker.communicate(timeout=120)
        assert worker.returncode == 0
        mine = [int(x) for x in out.split()]
        per_worker.append(len(mine))
        claimed += mine
    assert sorted(claimed) == sorted(ids)
    assert len(claimed) == len(set(claimed))
    assert sum(1 for n in per_worker if n > 0) >= 2, per_worker
