"""Feedback: events (deliveries, deferrals, bounces, complaints) and suppressions.

Revision ID: feedback_0001
Revises: 0001_foundation
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from mailfleet.adapters.db.types import UtcDateTime

revision: str = "feedback_0001"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "feedback_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("recipient", sa.String(320), nullable=False),
        sa.Column("recipient_domain", sa.String(253), nullable=False),
        sa.Column("sending_domain", sa.String(253), nullable=True),
        sa.Column("mailbox", sa.String(320), nullable=True),
        sa.Column("message_id", sa.String(255), nullable=True),
        sa.Column("ip", sa.String(45), nullable=True),
        sa.Column("reason", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=True),
        sa.Column("permanent", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("occurred_at", UtcDateTime(), nullable=False),
    )
    op.create_index(
        "ix_feedback_events_domain_time", "feedback_events", ["sending_domain", "occurred_at"]
    )
    op.create_index(
        "ix_feedback_events_recipient_time", "feedback_events", ["recipient", "occurred_at"]
    )
    op.create_index("ix_feedback_events_message", "feedback_events", ["message_id"])
    op.create_table(
        "suppressions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("address", sa.String(320), nullable=False),
        sa.Column("scope", sa.String(253), nullable=False),
        sa.Column("reason", sa.String(128), nullable=False),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=True),
        sa.UniqueConstraint("address", "scope", name="uq_suppressions_address_scope"),
    )


def downgrade() -> None:
    op.drop_table("suppressions")
    op.drop_index("ix_feedback_events_message", table_name="feedback_events")
    op.drop_index("ix_feedback_events_recipient_time", table_name="feedback_events")
    op.drop_index("ix_feedback_events_domain_time", table_name="feedback_events")
    op.drop_table("feedback_events")
