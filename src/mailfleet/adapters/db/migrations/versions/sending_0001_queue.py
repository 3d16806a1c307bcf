"""Sending: the outbound message queue and per-recipient send results.

Revision ID: sending_0001
Revises: 0001_foundation
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from mailfleet.adapters.db.types import UtcDateTime

revision: str = "sending_0001"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "outbound_messages",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("message_id", sa.String(255), nullable=False, unique=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("sender", sa.String(320), nullable=False),
        sa.Column("sender_name", sa.String(200), nullable=False),
        sa.Column("recipient", sa.String(320), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("segment", sa.String(64), nullable=False),
        sa.Column("campaign", sa.String(128), nullable=False),
        sa.Column("bulk", sa.Boolean(), nullable=False),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("not_before", UtcDateTime(), nullable=False),
        sa.Column("claimed_by", sa.String(64), nullable=True),
        sa.Column("lease_until", UtcDateTime(), nullable=True),
        sa.Column("last_reply", sa.Text(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("finished_at", UtcDateTime(), nullable=True),
    )
    op.create_index("ix_outbound_messages_due", "outbound_messages", ["state", "not_before"])
    op.create_index("ix_outbound_messages_lease", "outbound_messages", ["state", "lease_until"])
    op.create_index("ix_outbound_messages_recipient", "outbound_messages", ["recipient"])
    op.create_index("ix_outbound_messages_segment", "outbound_messages", ["segment"])
    op.create_index("ix_outbound_messages_campaign", "outbound_messages", ["campaign"])
    op.create_table(
        "send_results",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("message", _ID, nullable=False),
        sa.Column("recipient", sa.String(320), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("code", sa.Integer(), nullable=True),
        sa.Column("enhanced", sa.String(16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("relay", sa.String(64), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
    )
    op.create_index("ix_send_results_message", "send_results", ["message"])
    op.create_index("ix_send_results_outcome", "send_results", ["outcome"])
    op.create_index("ix_send_results_at", "send_results", ["at"])


def downgrade() -> None:
    op.drop_table("send_results")
    op.drop_table("outbound_messages")
