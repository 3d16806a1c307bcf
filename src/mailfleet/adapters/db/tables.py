"""Table definitions. Each capability adds its tables here and a migration under versions/.

Spec-owned columns are rewritten by ``mailfleet sync``; ``state``, ``in_spec`` and the
timestamps are runtime state that a sync never overwrites.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from mailfleet.adapters.db.types import UtcDateTime


class Base(DeclarativeBase):
    """Declarative base; ``Base.metadata`` is what migrations are checked against."""

    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UtcDateTime(),
        dict[str, Any]: JSON(),
        list[str]: JSON(),
    }


class SegmentRow(Base):
    """A segment of the fleet."""

    __tablename__ = "segments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(Text, default="")
    volume_profile: Mapped[str] = mapped_column(String(16))
    daily_target: Mapped[int]
    priority: Mapped[str] = mapped_column(String(16))
    schedule: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))
    in_spec: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class DomainRow(Base):
    """A sending domain, with its runtime state."""

    __tablename__ = "domains"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(253), unique=True)
    segment_id: Mapped[int] = mapped_column(ForeignKey("segments.id"), index=True)
    dns_provider: Mapped[str] = mapped_column(String(64))
    mailbox_provider: Mapped[str] = mapped_column(String(64))
    relay: Mapped[str] = mapped_column(String(64))
    timezone: Mapped[str] = mapped_column(String(64))
    business_hours: Mapped[str] = mapped_column(String(64))
    sending_ips: Mapped[list[str]]
    state: Mapped[str] = mapped_column(String(16), index=True)
    in_spec: Mapped[bool] = mapped_column(default=True)
    last_activity_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class MailboxRow(Base):
    """A mailbox, with its runtime state."""

    __tablename__ = "mailboxes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    address: Mapped[str] = mapped_column(String(320), unique=True)
    domain_id: Mapped[int] = mapped_column(ForeignKey("domains.id"), index=True)
    username: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(String(200), default="")
    daily_limit: Mapped[int]
    forward_to: Mapped[list[str]]
    state: Mapped[str] = mapped_column(String(16), index=True)
    in_spec: Mapped[bool] = mapped_column(default=True)
    last_activity_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class SecretRow(Base):
    """A vault entry: AES-256-GCM ciphertext bound to its name, and the id of its key."""

    __tablename__ = "secrets"

    name: Mapped[str] = mapped_column(String(255), primary_key=True)
    key_id: Mapped[str] = mapped_column(String(16), index=True)
    nonce: Mapped[bytes] = mapped_column(LargeBinary(12))
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class SpecSyncRow(Base):
    """One ``mailfleet sync``: when, which spec, and what it changed."""

    __tablename__ = "spec_syncs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    synced_at: Mapped[datetime] = mapped_column(index=True)
    spec_path: Mapped[str] = mapped_column(Text)
    summary: Mapped[dict[str, Any]]
