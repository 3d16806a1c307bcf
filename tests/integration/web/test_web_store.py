"""Web storage on SQLite and PostgreSQL: users, tokens and domain holds."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mailfleet.adapters.db.database import Database
from mailfleet.adapters.db.web_store import SqlDomainControl, SqlUserStore
from mailfleet.core.dashboard.access import Role
from mailfleet.core.dashboard.ports import ControlOutcome

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def test_users_round_trip_and_refuse_duplicates(database: Database) -> None:
    """A stored user comes back with its role and hash; a second add of the email fails."""
    store = SqlUserStore(database)
    store.add_user("a@example.com", Role.OPERATOR, "$argon2id$hash", NOW)
    found = store.credentials("a@example.com")
    assert found is not None
    assert found.user.role == Role.OPERATOR
    assert found.password_hash == "$argon2id$hash"
    assert found.user.created_at == NOW
    with pytest.raises(ValueError, match="already exists"):
        store.add_user("a@example.com", Role.VIEWER, "x", NOW)
    assert store.set_password("a@example.com", "$argon2id$new", NOW)
    assert not store.set_password("b@example.com", "x", NOW)
    assert store.count_users() == 1


def test_token_digest_maps_to_its_user(database: Database) -> None:
    """A digest finds its user and records the use; an unknown digest finds nobody."""
    store = SqlUserStore(database)
    store.add_user("a@example.com", Role.VIEWER, "h", NOW)
    assert store.add_token("a@example.com", "d" * 64, "ci", NOW)
    assert not store.add_token("ghost@example.com", "e" * 64, "", NOW)
    user = store.user_for_token("d" * 64, NOW)
    assert user is not None
    assert user.email == "a@example.com"
    assert store.user_for_token("f" * 64, NOW) is None


def test_pause_unknown_domain(database: Database) -> None:
    """Pausing or resuming a domain that is not stored says so."""
    control = SqlDomainControl(database)
    assert control.pause("nope.example", "a", NOW) == ControlOutcome.UNKNOWN_DOMAIN
    assert control.resume("nope.example", "a", NOW) == ControlOutcome.UNKNOWN_DOMAIN
