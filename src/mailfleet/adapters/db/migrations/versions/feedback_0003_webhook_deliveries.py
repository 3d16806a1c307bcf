"""Feedback: webhook deliveries already applied, so that a replayed delivery is applied once.

Revision ID: feedback_0003
Revises: feedback_0002
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from mailfleet.adapters.db.types import UtcDateTime

revision: str = "feedback_0003"
down_revision: str | Sequence[str] | None = "feedback_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "webhook_deliveries",
        sa.Column("key", sa.String(96), primary_key=True),
        sa.Column("provider", sa.String(16), nullable=False),
        sa.Column("seen_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
    )
    op.create_index("ix_webhook_deliveries_expires", "webhook_deliveries", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_webhook_deliveries_expires", table_name="webhook_deliveries")
    op.drop_table("webhook_deliveries")
