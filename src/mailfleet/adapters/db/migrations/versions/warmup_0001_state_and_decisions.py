"""Warmup: per-domain ramp state and the decision log with evidence.

Revision ID: warmup_0001
Revises: 0001_foundation
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from mailfleet.adapters.db.types import UtcDateTime

revision: str = "warmup_0001"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "warmup_states",
        sa.Column("domain", sa.String(330), primary_key=True),
        sa.Column("start_day", sa.Date(), nullable=False),
        sa.Column("ramp_day", sa.Integer(), nullable=False),
        sa.Column("paused_until", sa.Date(), nullable=True),
        sa.Column("evidence_since", sa.Date(), nullable=True),
        sa.Column("current_cap", sa.Integer(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
    )
    op.create_table(
        "warmup_decisions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("domain", sa.String(330), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("ramp_day_before", sa.Integer(), nullable=False),
        sa.Column("ramp_day_after", sa.Integer(), nullable=False),
        sa.Column("next_cap", sa.Integer(), nullable=False),
        sa.Column("paused_until", sa.Date(), nullable=True),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("decided_at", UtcDateTime(), nullable=False),
    )
    op.create_index("ix_warmup_decisions_domain", "warmup_decisions", ["domain"])
    op.create_index("ix_warmup_decisions_day", "warmup_decisions", ["day"])


def downgrade() -> None:
    op.drop_index("ix_warmup_decisions_day", table_name="warmup_decisions")
    op.drop_index("ix_warmup_decisions_domain", table_name="warmup_decisions")
    op.drop_table("warmup_decisions")
    op.drop_table("warmup_states")
