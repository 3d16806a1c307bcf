"""Jinja filters: how figures are printed. Absent figures print as an em dash."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment
from starlette.requests import Request

from mailfleet.core.dashboard.grading import percent

DASH = "—"


def number(value: int | float | None) -> str:
    """Thousands separated, or a dash."""
    return DASH if value is None else f"{value:,}"


def when(value: datetime | None) -> str:
    """A UTC timestamp to the minute, or a dash."""
    return DASH if value is None else value.strftime("%Y-%m-%d %H:%M UTC")


def ago(value: datetime | None, now: datetime) -> str:
    """How long ago, coarsely (``5 min``, ``3 h``, ``12 d``), or ``never``."""
    if value is None:
        return "never"
    seconds = int((now - value).total_seconds())
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    if seconds < 86400:
        return f"{seconds // 3600} h ago"
    return f"{seconds // 86400} d ago"


def query_with(request: Request, **changes: Any) -> str:
    """The current query string with ``changes`` applied (``None`` removes a key)."""
    params = dict(request.query_params)
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = str(value)
    return urlencode(params)


def install_filters(env: Environment) -> None:
    """Register the filters on a Jinja environment."""
    env.filters["pct"] = percent
    env.filters["num"] = number
    env.filters["when"] = when
    env.globals["ago"] = ago
    env.globals["DASH"] = DASH
    env.globals["query_with"] = query_with
