"""Shipped policy data (warmup simulation world and scenarios), loaded on request."""

from __future__ import annotations

import tomllib
from importlib import resources
from typing import Any


def load_policy(name: str) -> dict[str, Any]:
    """Parse the packaged TOML file ``name`` (e.g. ``simulation.toml``)."""
    text = resources.files("mailfleet.policy").joinpath(name).read_text("utf-8")
    return tomllib.loads(text)
