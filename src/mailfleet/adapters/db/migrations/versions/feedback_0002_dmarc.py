"""Feedback: DMARC aggregate reports per domain, source IP and day; staged DMARC policies.

Revision ID: feedback_0002
Revises: feedback_0001
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from mailfleet.adapters.db.types import UtcDateTime

revision: str = "feedback_0002"
down_revision: str | Sequence[str] | None = "feedback_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "dmarc_reports",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("org_name", sa.String(255), nullable=False),
        sa.Column("report_id", sa.String(255), nullable=False),
        sa.Column("domain", sa.String(253), nullable=False),
        sa.Column("begin", UtcDateTime(), nullable=False),
        sa.Column("end", UtcDateTime(), nullable=False),
        sa.Column("messages", sa.Integer(), nullable=False),
        sa.Column("ingested_at", UtcDateTime(), nullable=False),
        sa.UniqueConstraint("org_name", "report_id", "domain", name="uq_dmarc_reports_identity"),
    )
    op.create_table(
        "dmarc_daily",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("domain", sa.String(253), nullable=False),
        sa.Column("source_ip", sa.String(45), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("messages", sa.Integer(), nullable=False),
        sa.Column("aligned_pass", sa.Integer(), nullable=False),
        sa.Column("dkim_pass", sa.Integer(), nullable=False),
        sa.Column("spf_pass", sa.Integer(), nullable=False),
        sa.UniqueConstraint("domain", "source_ip", "day", name="uq_dmarc_daily_domain_ip_day"),
    )
    op.create_table(
        "dmarc_stages",
        sa.Column("domain", sa.String(253), primary_key=True),
        sa.Column("stage", sa.String(16), nullable=False),
        sa.Column("changed_at", UtcDateTime(), nullable=False),
        sa.Column("reason", sa.String(255), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("dmarc_stages")
    op.drop_table("dmarc_daily")
    op.drop_table("dmarc_reports")
