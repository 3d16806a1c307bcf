"""Reputation: DNSBL check history, alert states and events, domain isolations.

Revision ID: reputation_0001
Revises: 0001_foundation
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from mailfleet.adapters.db.types import UtcDateTime

revision: str = "reputation_0001"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "dnsbl_runs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("checked_at", UtcDateTime(), nullable=False),
        sa.Column("targets", sa.Integer(), nullable=False),
        sa.Column("listed", sa.Integer(), nullable=False),
        sa.Column("unknown", sa.Integer(), nullable=False),
        sa.Column("clean", sa.Integer(), nullable=False),
    )
    op.create_index("ix_dnsbl_runs_checked_at", "dnsbl_runs", ["checked_at"])
    op.create_table(
        "dnsbl_results",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "run_id",
            sa.Integer(),
            sa.ForeignKey("dnsbl_runs.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("target", sa.String(253), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("zone_key", sa.String(64), nullable=False),
        sa.Column("zone", sa.String(253), nullable=False),
        sa.Column("verdict", sa.String(8), nullable=False),
        sa.Column("codes", sa.JSON(), nullable=False),
        sa.Column("meanings", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("delist_url", sa.Text(), nullable=False),
    )
    op.create_index("ix_dnsbl_results_run_id", "dnsbl_results", ["run_id"])
    op.create_index("ix_dnsbl_results_target", "dnsbl_results", ["target"])
    op.create_table(
        "alert_states",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("rule", sa.String(64), nullable=False),
        sa.Column("subject_kind", sa.String(16), nullable=False),
        sa.Column("subject", sa.String(512), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("since", UtcDateTime(), nullable=True),
        sa.Column("notified", sa.Boolean(), nullable=False),
        sa.Column("last_notice_at", UtcDateTime(), nullable=True),
        sa.Column("resolved_at", UtcDateTime(), nullable=True),
        sa.Column("value", sa.JSON(), nullable=True),
        sa.UniqueConstraint("rule", "subject_kind", "subject"),
    )
    op.create_index("ix_alert_states_active", "alert_states", ["active"])
    op.create_table(
        "alert_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("rule", sa.String(64), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("subject_kind", sa.String(16), nullable=False),
        sa.Column("subject", sa.String(512), nullable=False),
        sa.Column("value", sa.JSON(), nullable=True),
        sa.Column("threshold", sa.Float(), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("silenced", sa.Boolean(), nullable=False),
        sa.Column("deliveries", sa.JSON(), nullable=False),
    )
    op.create_index("ix_alert_events_at", "alert_events", ["at"])
    op.create_table(
        "domain_isolations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("domain", sa.String(253), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("previous_state", sa.String(16), nullable=False),
        sa.Column("new_state", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("by", sa.String(16), nullable=False),
    )
    op.create_index("ix_domain_isolations_domain", "domain_isolations", ["domain"])


def downgrade() -> None:
    op.drop_table("domain_isolations")
    op.drop_table("alert_events")
    op.drop_table("alert_states")
    op.drop_table("dnsbl_results")
    op.drop_table("dnsbl_runs")
