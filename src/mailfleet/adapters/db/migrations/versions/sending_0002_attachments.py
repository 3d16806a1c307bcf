"""Sending: attachments of queued messages.

Revision ID: sending_0002
Revises: sending_0001
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "sending_0002"
down_revision: str | Sequence[str] | None = "sending_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "outbound_attachments",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("message", _ID, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("content_type", sa.String(255), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
    )
    op.create_index(
        "ix_outbound_attachments_message", "outbound_attachments", ["message", "position"]
    )


def downgrade() -> None:
    op.drop_table("outbound_attachments")
