"""Shipped mailbox-provider policy: capabilities and password rules per provider kind."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Any

from mailfleet.core.mailboxes.model import Capabilities, PasswordPolicy, Setting


@cache
def _table() -> dict[str, Any]:
    text = resources.files(__name__).joinpath("providers.toml").read_text("utf-8")
    return tomllib.loads(text)


def capabilities(kind: str) -> Capabilities:
    """The declared capabilities of provider ``kind``; ``KeyError`` for an unknown kind."""
    body = _table()[kind]
    return Capabilities(
        kind=kind,
        settings=frozenset(Setting(s) for s in body["settings"]),
        password=PasswordPolicy(**body["password"]),
        username_pattern=body["username_pattern"],
        max_display_name=int(body["max_display_name"]),
        max_daily_limit=body.get("max_daily_limit"),
    )


def kinds() -> tuple[str, ...]:
    """Every provider kind the table declares."""
    return tuple(_table())
