"""Loading of shipped policy tables (read once per process, cached)."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources

from mailfleet.core.feedback.rules import BounceRules, rules_from_mapping


@cache
def bounce_rules() -> BounceRules:
    """The shipped bounce classification table, ``bounce_rules.toml``."""
    text = resources.files("mailfleet.policy").joinpath("bounce_rules.toml").read_text("utf-8")
    return rules_from_mapping(tomllib.loads(text), "bounce_rules.toml")
