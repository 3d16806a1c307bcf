"""Shipped policy data: tables of rules (TOML and YAML) that code loads, validates and tests.

Each capability's loader turns its file into core values; ``load_policy`` reads a TOML table.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from typing import Any


def load_policy(name: str) -> dict[str, Any]:
    """Parse the packaged TOML file ``name`` (e.g. ``simulation.toml``)."""
    text = resources.files("mailfleet.policy").joinpath(name).read_text("utf-8")
    return tomllib.loads(text)
