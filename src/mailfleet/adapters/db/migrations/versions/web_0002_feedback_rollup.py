"""Web: the per-domain, per-day rollup of feedback events, kept by triggers.

Revision ID: web_0002
Revises: web_0001
Create Date: 2026-11-27

The rollup is filled from the existing events, then database triggers keep it in step on
every insert, delete and update of ``feedback_events``: the feedback store needs no change,
and a row written by any process is counted in the same transaction. On PostgreSQL the
triggers are per statement over transition tables, so a bulk insert costs one grouped upsert;
SQLite only has row triggers.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "web_0002"
down_revision: str | Sequence[str] | None = "web_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = "feedback_0001"

_PG_FUNCTION = """
CREATE FUNCTION web_feedback_daily_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        UPDATE web_feedback_daily AS d SET events = d.events - o.n
        FROM (
            SELECT COALESCE(sending_domain, '') AS sending_domain,
                   (occurred_at AT TIME ZONE 'UTC')::date AS day,
                   kind, reason, permanent, count(*) AS n
            FROM old_rows GROUP BY 1, 2, 3, 4, 5
        ) AS o
        WHERE (d.sending_domain, d.day, d.kind, d.reason, d.permanent)
            = (o.sending_domain, o.day, o.kind, o.reason, o.permanent);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        -- in key order, so that concurrent writers lock rollup rows in the same order
        INSERT INTO web_feedback_daily AS d (sending_domain, day, kind, reason, permanent, events)
        SELECT COALESCE(sending_domain, ''), (occurred_at AT TIME ZONE 'UTC')::date,
               kind, reason, permanent, count(*)
        FROM new_rows GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
        ON CONFLICT (sending_domain, day, kind, reason, permanent)
        DO UPDATE SET events = d.events + EXCLUDED.events;
    END IF;
    RETURN NULL;
END
$$
"""

# A transition-table trigger takes one event each, hence three triggers over one function.
_PG_TRIGGERS = (
    "CREATE TRIGGER web_feedback_daily_insert AFTER INSERT ON feedback_events "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION web_feedback_daily_sync()",
    "CREATE TRIGGER web_feedback_daily_delete AFTER DELETE ON feedback_events "
    "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION web_feedback_daily_sync()",
    "CREATE TRIGGER web_feedback_daily_update AFTER UPDATE ON feedback_events "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION web_feedback_daily_sync()",
)

_SQLITE_ADD = """
    INSERT INTO web_feedback_daily (sending_domain, day, kind, reason, permanent, events)
    VALUES (COALESCE(NEW.sending_domain, ''), date(NEW.occurred_at), NEW.kind, NEW.reason,
            NEW.permanent, 1)
    ON CONFLICT (sending_domain, day, kind, reason, permanent) DO UPDATE SET events = events + 1;
"""
_SQLITE_REMOVE = """
    UPDATE web_feedback_daily SET events = events - 1
    WHERE sending_domain = COALESCE(OLD.sending_domain, '') AND day = date(OLD.occurred_at)
      AND kind = OLD.kind AND reason = OLD.reason AND permanent = OLD.permanent;
"""
_SQLITE_TRIGGERS = (
    f"CREATE TRIGGER web_feedback_daily_insert AFTER INSERT ON feedback_events "
    f"BEGIN {_SQLITE_ADD} END",
    f"CREATE TRIGGER web_feedback_daily_delete AFTER DELETE ON feedback_events "
    f"BEGIN {_SQLITE_REMOVE} END",
    f"CREATE TRIGGER web_feedback_daily_update AFTER UPDATE ON feedback_events "
    f"BEGIN {_SQLITE_REMOVE} {_SQLITE_ADD} END",
)


_BACKFILL = {
    "postgresql": "INSERT INTO web_feedback_daily (sending_domain, day, kind, reason, permanent, "
    "events) SELECT COALESCE(sending_domain, ''), (occurred_at AT TIME ZONE 'UTC')::date, "
    "kind, reason, permanent, count(*) FROM feedback_events GROUP BY 1, 2, 3, 4, 5",
    "sqlite": "INSERT INTO web_feedback_daily (sending_domain, day, kind, reason, permanent, "
    "events) SELECT COALESCE(sending_domain, ''), date(occurred_at), "
    "kind, reason, permanent, count(*) FROM feedback_events GROUP BY 1, 2, 3, 4, 5",
}


def upgrade() -> None:
    op.create_table(
        "web_feedback_daily",
        sa.Column("sending_domain", sa.String(253), primary_key=True),
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("reason", sa.String(64), primary_key=True),
        sa.Column("permanent", sa.Boolean(), primary_key=True),
        sa.Column("events", sa.Integer(), nullable=False),
    )
    op.create_index("ix_web_feedback_daily_day", "web_feedback_daily", ["day"])
    op.create_index("ix_feedback_events_time", "feedback_events", ["occurred_at"])
    dialect = op.get_bind().dialect.name
    op.execute(_BACKFILL[dialect])
    if dialect == "postgresql":
        op.execute(_PG_FUNCTION)
        for statement in _PG_TRIGGERS:
            op.execute(statement)
    else:
        for statement in _SQLITE_TRIGGERS:
            op.execute(statement)


def downgrade() -> None:
    for name in ("insert", "delete", "update"):
        if op.get_bind().dialect.name == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS web_feedback_daily_{name} ON feedback_events")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS web_feedback_daily_{name}")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS web_feedback_daily_sync()")
    op.drop_index("ix_feedback_events_time", "feedback_events")
    op.drop_index("ix_web_feedback_daily_day", "web_feedback_daily")
    op.drop_table("web_feedback_daily")
