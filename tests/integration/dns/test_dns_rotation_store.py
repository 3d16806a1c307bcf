"""DKIM rotation states stored in SQL, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from mailfleet.adapters.db.database import Database
from mailfleet.adapters.db.dns_store import SqlRotationStore
from mailfleet.core.dns.rotation import RotationPhase, RotationState, published, switched

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def test_states_round_trip_and_replace(database: Database) -> None:
    """A saved state reads back equal, and a later save replaces it."""
    store = SqlRotationStore(database)
    assert store.get("a.test") is None
    state = published(RotationState("a.test", "mf1", RotationPhase.PUBLISHING, "mf2"), T0)
    store.save(state)
    assert store.get("a.test") == state
    store.save(switched(state, T0))
    stored = store.get("a.test")
    assert stored is not None
    assert stored.active == "mf2"
    assert stored.phase is RotationPhase.SWITCHED
