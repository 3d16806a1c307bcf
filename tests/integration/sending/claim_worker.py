"""A worker process for the no-double-claim test: claim batches, settle them, print the ids."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

from mailfleet.adapters.db.database import Database
from mailfleet.adapters.sending.sql_queue import SqlMessageQueue
from mailfleet.core.sending.model import MessageState
from mailfleet.core.sending.ports import Outcome


def main(url: str, worker: str) -> None:
    """Claim ten at a time until the queue is empty."""
    queue = SqlMessageQueue(Database(url))
    now = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    while True:
        claim = queue.claim(worker, 10, now, 600)
        if not claim.messages:
            return
        for message in claim.messages:
            sys.stdout.write(f"{message.id}\n")
        queue.settle(worker, [Outcome(m.id, MessageState.SENT) for m in claim.messages], now)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
