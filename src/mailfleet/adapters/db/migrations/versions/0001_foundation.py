"""Foundation: segments, domains, mailboxes, secrets, spec syncs.

Revision ID: 0001_foundation
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from mailfleet.adapters.db.types import UtcDateTime

revision: str = "0001_foundation"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _timestamps() -> list[sa.Column[object]]:
    return [
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "segments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(64), nullable=False, unique=True),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("volume_profile", sa.String(16), nullable=False),
        sa.Column("daily_target", sa.Integer(), nullable=False),
        sa.Column("priority", sa.String(16), nullable=False),
        sa.Column("schedule", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("in_spec", sa.Boolean(), nullable=False),
        *_timestamps(),
    )
    op.create_table(
        "domains",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(253), nullable=False, unique=True),
        sa.Column("segment_id", sa.Integer(), sa.ForeignKey("segments.id"), nullable=False),
        sa.Column("dns_provider", sa.String(64), nullable=False),
        sa.Column("mailbox_provider", sa.String(64), nullable=False),
        sa.Column("relay", sa.String(64), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("business_hours", sa.String(64), nullable=False),
        sa.Column("sending_ips", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("in_spec", sa.Boolean(), nullable=False),
        sa.Column("last_activity_at", UtcDateTime(), nullable=True),
        *_timestamps(),
    )
    op.create_index("ix_domains_segment_id", "domains", ["segment_id"])
    op.create_index("ix_domains_state", "domains", ["state"])
    op.create_table(
        "mailboxes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("address", sa.String(320), nullable=False, unique=True),
        sa.Column("domain_id", sa.Integer(), sa.ForeignKey("domains.id"), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("daily_limit", sa.Integer(), nullable=False),
        sa.Column("forward_to", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("in_spec", sa.Boolean(), nullable=False),
        sa.Column("last_activity_at", UtcDateTime(), nullable=True),
        *_timestamps(),
    )
    op.create_index("ix_mailboxes_domain_id", "mailboxes", ["domain_id"])
    op.create_index("ix_mailboxes_state", "mailboxes", ["state"])
    op.create_table(
        "secrets",
        sa.Column("name", sa.String(255), primary_key=True),
        sa.Column("key_id", sa.String(16), nullable=False),
        sa.Column("nonce", sa.LargeBinary(12), nullable=False),
        sa.Column("ciphertext", sa.LargeBinary(), nullable=False),
        *_timestamps(),
    )
    op.create_index("ix_secrets_key_id", "secrets", ["key_id"])
    op.create_table(
        "spec_syncs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("synced_at", UtcDateTime(), nullable=False),
        sa.Column("spec_path", sa.Text(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
    )
    op.create_index("ix_spec_syncs_synced_at", "spec_syncs", ["synced_at"])


def downgrade() -> None:
    op.drop_table("spec_syncs")
    op.drop_table("secrets")
    op.drop_table("mailboxes")
    op.drop_table("domains")
    op.drop_table("segments")
