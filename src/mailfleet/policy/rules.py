"""Loading of shipped policy tables (read once per process, cached)."""

from __future__ import annotations

import tomllib
from datetime import timedelta
from functools import cache
from importlib import resources
from typing import Any

from mailfleet.core.errors import ConfigError
from mailfleet.core.feedback.dmarc_stage import StagePolicy
from mailfleet.core.feedback.events import GLOBAL_SCOPE, SuppressionPolicy
from mailfleet.core.feedback.rules import BounceRules, rules_from_mapping

_SCOPES = (GLOBAL_SCOPE, "sending_domain")


def _read(name: str) -> dict[str, Any]:
    text = resources.files("mailfleet.policy").joinpath(name).read_text("utf-8")
    return tomllib.loads(text)


@cache
def bounce_rules() -> BounceRules:
    """The shipped bounce classification table, ``bounce_rules.toml``."""
    return rules_from_mapping(_read("bounce_rules.toml"), "bounce_rules.toml")


def suppression_policy_from(data: dict[str, Any], source: str) -> SuppressionPolicy:
    """Build the suppression policy from a parsed file; ``ConfigError`` names what is wrong."""
    try:
        expiry = int(data.get("soft_expiry_days", 0))
        policy = SuppressionPolicy(
            hard_reasons=frozenset(map(str, data["hard_reasons"])),
            complaint_types=frozenset(map(str, data["complaint_types"])),
            soft_reasons=frozenset(map(str, data["soft_reasons"])),
            soft_threshold=int(data["soft_threshold"]),
            soft_window=timedelta(days=int(data["soft_window_days"])),
            soft_expiry=timedelta(days=expiry) if expiry > 0 else None,
            complaint_scope=str(data.get("complaint_scope", GLOBAL_SCOPE)),
            hard_scope=str(data.get("hard_scope", GLOBAL_SCOPE)),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"{source}: missing or invalid setting: {exc}") from None
    for scope in (policy.complaint_scope, policy.hard_scope):
        if scope not in _SCOPES:
            raise ConfigError(f"{source}: scope {scope!r} is not one of {', '.join(_SCOPES)}")
    if policy.soft_threshold < 1:
        raise ConfigError(f"{source}: soft_threshold must be at least 1")
    return policy


@cache
def suppression_policy() -> SuppressionPolicy:
    """The shipped suppression policy, ``suppression.toml``."""
    return suppression_policy_from(_read("suppression.toml"), "suppression.toml")


def dmarc_stage_policy_from(data: dict[str, Any], source: str) -> StagePolicy:
    """Build the staged-DMARC thresholds; ``ConfigError`` names what is wrong."""
    try:
        policy = StagePolicy(
            min_pass_ratio=float(data["min_pass_ratio"]),
            min_messages=int(data["min_messages"]),
            min_days=int(data["min_days"]),
            window_days=int(data["window_days"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"{source}: missing or invalid {exc}") from None
    problems = []
    if not 0 < policy.min_pass_ratio <= 1:
        problems.append("min_pass_ratio must be in (0, 1]")
    if policy.min_messages < 1 or policy.min_days < 1:
        problems.append("min_messages and min_days must be at least 1")
    if policy.window_days < policy.min_days:
        problems.append("window_days must be at least min_days")
    if problems:
        raise ConfigError(f"{source}: " + "; ".join(problems))
    return policy


@cache
def dmarc_stage_policy() -> StagePolicy:
    """The shipped staged-DMARC thresholds, ``dmarc_stage.toml``."""
    return dmarc_stage_policy_from(_read("dmarc_stage.toml"), "dmarc_stage.toml")
