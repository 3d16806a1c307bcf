"""Shared fixtures: the databases every storage test runs against, and a fake clock.

PostgreSQL tests create a database of their own on 127.0.0.1:5432 (trust auth) and drop it
afterwards. Set MAILFLEET_TEST_PG_URL to point elsewhere (a server URL without database name).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import psycopg
import pytest

from mailfleet.adapters.clock import FakeClock
from mailfleet.adapters.db.database import Database

PG_SERVER = os.environ.get("MAILFLEET_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432")


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, dropped at the end."""
    name = f"mailfleet_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield f"{PG_SERVER.replace('postgresql://', 'postgresql+psycopg://')}/{name}"
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _reset_postgres(url: str) -> None:
    """Drop every table so each test starts from an empty schema."""
    plain = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database URL: a new SQLite file, or an emptied PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'mailfleet.db'}"
    url: str = request.getfixturevalue("postgres_server_url")
    _reset_postgres(url)
    return url


@pytest.fixture
def database(db_url: str) -> Iterator[Database]:
    """A migrated database on each backend."""
    db = Database(db_url)
    db.prepare(auto_upgrade=True)
    yield db
    db.dispose()


@pytest.fixture
def clock() -> FakeClock:
    """A fake clock at a fixed Monday morning, UTC."""
    return FakeClock(datetime(2026, 1, 5, 9, 0, tzinfo=UTC))
