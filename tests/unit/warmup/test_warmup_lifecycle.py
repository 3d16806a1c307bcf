"""Domains move pending -> warming -> active with their warmup, and only those moves."""

from __future__ import annotations

from datetime import date, timedelta

from mailfleet.core.fleet import Fleet
from mailfleet.core.state import DomainState
from mailfleet.core.warmup.lifecycle import lifecycle_moves
from mailfleet.core.warmup.state import WarmupState

MONDAY = date(2026, 1, 5)


def _warmup(fleet: Fleet, start: date) -> dict[str, WarmupState]:
    return {d.name: WarmupState(d.name, start) for d in fleet.domains}


def test_a_started_ramp_makes_a_pending_domain_warming(init_fleet: Fleet) -> None:
    names = [d.name for d in init_fleet.domains]
    runtime = dict.fromkeys(names, "pending")
    warmup = _warmup(init_fleet, MONDAY)
    assert lifecycle_moves(init_fleet, runtime, warmup, {}, MONDAY - timedelta(days=1)) == {}
    moves = lifecycle_moves(init_fleet, runtime, warmup, {}, MONDAY)
    assert moves == dict.fromkeys(names, DomainState.WARMING)


def test_reaching_the_target_cap_makes_a_domain_active(init_fleet: Fleet) -> None:
    domain = init_fleet.domains[0]
    target = init_fleet.segments[domain.segment].daily_target
    runtime = {domain.name: "warming"}
    warmup = _warmup(init_fleet, MONDAY)
    assert lifecycle_moves(init_fleet, runtime, warmup, {domain.name: target - 1}, MONDAY) == {}
    moves = lifecycle_moves(init_fleet, runtime, warmup, {domain.name: target}, MONDAY)
    assert moves == {domain.name: DomainState.ACTIVE}
    # A pending domain that is already at target goes straight to active.
    pending = lifecycle_moves(
        init_fleet, {domain.name: "pending"}, warmup, {domain.name: target}, MONDAY
    )
    assert pending == {domain.name: DomainState.ACTIVE}


def test_people_and_reputation_states_are_never_moved(init_fleet: Fleet) -> None:
    domain = init_fleet.domains[0]
    target = init_fleet.segments[domain.segment].daily_target
    warmup = _warmup(init_fleet, MONDAY)
    for state in ("paused", "isolated", "retired", "active"):
        moves = lifecycle_moves(
            init_fleet, {domain.name: state}, warmup, {domain.name: target}, MONDAY
        )
        assert moves == {}, state
    # Not synced yet: nothing to move.
    assert lifecycle_moves(init_fleet, {}, warmup, {domain.name: target}, MONDAY) == {}
