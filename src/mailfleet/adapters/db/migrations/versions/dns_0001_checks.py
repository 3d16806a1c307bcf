"""DNS: verification results per domain, DKIM rotation states, the apply journal.

Revision ID: dns_0001
Revises: 0001_foundation
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from mailfleet.adapters.db.types import UtcDateTime

revision: str = "dns_0001"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "dns_checks",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("domain", sa.String(253), nullable=False),
        sa.Column("checked_at", UtcDateTime(), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("checks", sa.JSON(), nullable=False),
    )
    op.create_index("ix_dns_checks_domain", "dns_checks", ["domain"])
    op.create_index("ix_dns_checks_checked_at", "dns_checks", ["checked_at"])
    op.create_table(
        "dkim_rotations",
        sa.Column("domain", sa.String(253), primary_key=True),
        sa.Column("active", sa.String(63), nullable=False),
        sa.Column("phase", sa.String(16), nullable=False),
        sa.Column("target", sa.String(63), nullable=False),
        sa.Column("published_at", UtcDateTime(), nullable=True),
        sa.Column("switched_at", UtcDateTime(), nullable=True),
    )

    op.create_table(
        "dns_journal",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("domain", sa.String(253), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
    )
    op.create_index("ix_dns_journal_domain", "dns_journal", ["domain"])


def downgrade() -> None:
    op.drop_index("ix_dns_journal_domain", table_name="dns_journal")
    op.drop_table("dns_journal")
    op.drop_table("dkim_rotations")
    op.drop_index("ix_dns_checks_checked_at", table_name="dns_checks")
    op.drop_index("ix_dns_checks_domain", table_name="dns_checks")
    op.drop_table("dns_checks")
