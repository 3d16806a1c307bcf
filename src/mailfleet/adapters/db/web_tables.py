"""Tables of the web layer: dashboard users, their API tokens, and domain holds."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from mailfleet.adapters.db.tables import Base


class WebUserRow(Base):
    """A person who may sign in to the dashboard; ``password_hash`` is argon2id."""

    __tablename__ = "web_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(255))
    disabled: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class WebTokenRow(Base):
    """An API token, kept as the SHA-256 digest of the token; the token itself is never stored."""

    __tablename__ = "web_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("web_users.id"), index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]


class DomainHoldRow(Base):
    """A domain paused by a person: the state to give back on resume, and who paused it."""

    __tablename__ = "web_domain_holds"

    domain_id: Mapped[int] = mapped_column(ForeignKey("domains.id"), primary_key=True)
    previous_state: Mapped[str] = mapped_column(String(16))
    paused_by: Mapped[str] = mapped_column(String(320))
    paused_at: Mapped[datetime]
