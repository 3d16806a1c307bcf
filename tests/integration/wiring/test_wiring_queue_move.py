"""Moving an isolated domain's waiting mail on the SQL queue, on SQLite and PostgreSQL."""

from __future__ import annotations

from wiring_kit import draft

from mailfleet.adapters.clock import FakeClock
from mailfleet.adapters.db.database import Database
from mailfleet.adapters.sending.sql_queue import SqlMessageQueue
from mailfleet.core.sending.model import MessageState
from mailfleet.core.sending.ports import Outcome


def test_only_waiting_unclaimed_mail_of_the_domain_moves(
    database: Database, clock: FakeClock
) -> None:
    """Queued and deferred mail moves in turn to the senders; claimed, sent and others stay."""
    queue = SqlMessageQueue(database)
    now = clock.now()
    ids = queue.enqueue(
        [draft(f"u{i}@example.org", sender="a@Pool-A.example") for i in range(4)]
        + [draft("w@example.org", sender="a@other.example")],
        now,
    )
    claim = queue.claim("w1", 2, now, 300)  # ids[0], ids[1]
    queue.settle("w1", [Outcome(ids[0], MessageState.SENT, "250 ok")], now)
    before = queue.message_ids()
    moved = queue.move_queued("pool-a.example", ["x@pool-b.example", "y@pool-b.example"], now)
    assert moved == 2
    after = queue.claim("reader", 10, now, 300)
    senders = {m.id: m.draft.sender for m in after.messages}
    assert senders == {
        ids[2]: "x@pool-b.example",
        ids[3]: "y@pool-b.example",
        ids[4]: "a@other.example",
    }
    assert [m.id for m in claim.messages] == ids[:2]
    ids_now = queue.message_ids()
    assert ids_now[ids[2]] == before[ids[2]].replace("@pool-a.example>", "@pool-b.example>")
    assert ids_now[ids[1]] == before[ids[1]]
    assert queue.move_queued("pool-a.example", [], now) == 0
