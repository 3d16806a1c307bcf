"""Mailbox provisioning ledger.

Revision ID: mailboxes_0001
Revises: 0001_foundation
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from mailfleet.adapters.db.types import UtcDateTime

revision: str = "mailboxes_0001"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "mailbox_provisioning",
        sa.Column("address", sa.String(320), primary_key=True),
        sa.Column("provider", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("provider_id", sa.String(255), nullable=True),
        sa.Column("intent", sa.String(16), nullable=True),
        sa.Column("intent_at", UtcDateTime(), nullable=True),
        sa.Column("provisioned_at", UtcDateTime(), nullable=True),
        sa.Column("last_login_at", UtcDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
    )
    op.create_index("ix_mailbox_provisioning_provider", "mailbox_provisioning", ["provider"])
    op.create_index("ix_mailbox_provisioning_state", "mailbox_provisioning", ["state"])


def downgrade() -> None:
    op.drop_table("mailbox_provisioning")
