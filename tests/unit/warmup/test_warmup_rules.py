"""Shipped policy data: gate and start rules, and the simulator's world and scenarios."""

from __future__ import annotations

import pytest

from mailfleet.core.fleet import Audience
from mailfleet.core.warmup.gate import GatePolicy
from mailfleet.core.warmup.rules import rules_from_data
from mailfleet.core.warmup.schedule import StartPolicy
from mailfleet.services.simulation import shipped_world
from mailfleet.services.warmup import shipped_rules


def test_shipped_rules_are_the_documented_defaults() -> None:
    """policy/warmup.toml states the same rules as the code's defaults."""
    assert shipped_rules() == (GatePolicy(), StartPolicy())


def test_rules_override_and_keep_types() -> None:
    """A table overrides what it names, keeps the rest, and coerces to each field's type."""
    gate, start = rules_from_data({"gate": {"min_volume": 50.0, "warn_fraction": 1}})
    assert gate.min_volume == 50
    assert isinstance(gate.min_volume, int)
    assert gate.warn_fraction == 1.0
    assert gate.window_days == 3
    assert start == StartPolicy()


def test_unknown_rule_keys_are_errors() -> None:
    """A misspelt rule is reported, not silently ignored."""
    with pytest.raises(ValueError, match="window_dayz"):
        rules_from_data({"gate": {"window_dayz": 3}})


def test_shipped_world_and_scenarios() -> None:
    """Provider shares sum to one, every tier has a quality, and the named scenarios exist."""
    world, scenarios = shipped_world()
    assert sum(p.share for p in world.providers) == pytest.approx(1.0)
    assert set(world.tiers) == set(Audience)
    assert {"default", "complaint-spike", "bounce-storm", "ip-listing"} <= set(scenarios)
    assert scenarios["ip-listing"].incidents[0].listed_on == "zen.example"
    spike = scenarios["complaint-spike"].incidents[0]
    assert (spike.segment, spike.first_day, spike.last_day) == ("pool-a", 14, 20)
    assert scenarios["default"].incidents == ()
