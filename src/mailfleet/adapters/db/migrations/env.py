"""Alembic environment: runs migrations on the engine mailfleet hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from mailfleet.adapters.db.tables import Base

engine = context.config.attributes["engine"]
assert isinstance(engine, Engine)

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters by copying tables
        compare_type=True,
    )
    context.run_migrations()
