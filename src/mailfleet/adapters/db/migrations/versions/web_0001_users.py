"""Web: dashboard users, API token digests, domain holds.

Revision ID: web_0001
Revises: 0001_foundation
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from mailfleet.adapters.db.types import UtcDateTime

revision: str = "web_0001"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "web_users",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("email", sa.String(320), nullable=False, unique=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
    )
    op.create_table(
        "web_tokens",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("web_users.id"), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False, unique=True),
        sa.Column("label", sa.String(100), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("last_used_at", UtcDateTime(), nullable=True),
    )
    op.create_index("ix_web_tokens_user_id", "web_tokens", ["user_id"])
    op.create_table(
        "web_domain_holds",
        sa.Column("domain_id", sa.Integer(), sa.ForeignKey("domains.id"), primary_key=True),
        sa.Column("previous_state", sa.String(16), nullable=False),
        sa.Column("paused_by", sa.String(320), nullable=False),
        sa.Column("paused_at", UtcDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("web_domain_holds")
    op.drop_index("ix_web_tokens_user_id", table_name="web_tokens")
    op.drop_table("web_tokens")
    op.drop_table("web_users")
