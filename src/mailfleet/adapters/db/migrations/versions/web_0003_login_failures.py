"""Web: failed sign-ins for the login throttle.

Revision ID: web_0003
Revises: web_0002
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from mailfleet.adapters.db.types import UtcDateTime

revision: str = "web_0003"
down_revision: str | Sequence[str] | None = "web_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "web_login_failures",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("account", sa.String(320), nullable=False),
        sa.Column("client", sa.String(45), nullable=False),
        sa.Column("failed_at", UtcDateTime(), nullable=False),
    )
    op.create_index(
        "ix_web_login_failures_account_time", "web_login_failures", ["account", "failed_at"]
    )
    op.create_index(
        "ix_web_login_failures_client_time", "web_login_failures", ["client", "failed_at"]
    )
    op.create_index("ix_web_login_failures_time", "web_login_failures", ["failed_at"])


def downgrade() -> None:
    op.drop_table("web_login_failures")
