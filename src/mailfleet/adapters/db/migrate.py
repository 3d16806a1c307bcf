"""Schema migrations with Alembic, driven from code (no alembic.ini to find).

Each capability adds its migration under ``migrations/versions``. Branches are allowed: a
capability's first migration may descend from the foundation directly, and ``upgrade`` moves
every head, so capabilities built side by side do not have to be ordered.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from mailfleet.core.errors import SchemaOutOfDate, StorageError

MIGRATIONS = Path(__file__).with_name("migrations")


def _config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def head_revisions() -> set[str]:
    """The revisions the code expects the database to be at."""
    script = ScriptDirectory(str(MIGRATIONS))
    return set(script.get_heads())


def current_revisions(engine: Engine) -> set[str]:
    """The revisions the database is at (empty for a new database)."""
    try:
        with engine.connect() as connection:
            return set(MigrationContext.configure(connection).get_current_heads())
    except SQLAlchemyError as exc:
        raise StorageError(f"cannot read the schema version: {_reason(exc)}") from None


def upgrade(engine: Engine) -> tuple[set[str], set[str]]:
    """Migrate to every head; return the revisions before and after."""
    before = current_revisions(engine)
    try:
        command.upgrade(_config(engine), "heads")
    except SQLAlchemyError as exc:
        raise StorageError(f"migration failed: {_reason(exc)}") from None
    return before, current_revisions(engine)


def require_current(engine: Engine) -> None:
    """Raise ``SchemaOutOfDate`` unless the database is at the code's heads."""
    current = current_revisions(engine)
    if current != head_revisions():
        state = ", ".join(sorted(current)) or "empty"
        raise SchemaOutOfDate(
            f"the database schema is not current (it is at: {state}); run 'mailfleet db upgrade'"
        )


def _reason(exc: SQLAlchemyError) -> str:
    original = getattr(exc, "orig", None)
    return str(original) if original is not None else str(exc).splitlines()[0]
