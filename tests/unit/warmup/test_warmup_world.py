"""The simulated world: carried outcomes, and reputation that reacts to how a domain sends."""

from __future__ import annotations

from mailfleet.core.fleet import Audience
from mailfleet.core.simulation.world import (
    Incident,
    ListQuality,
    ProviderModel,
    ProviderState,
    Scenario,
    WorldModel,
    active_incident,
    domain_day,
    mean_reputation,
    quality_for,
)

ONE = ProviderModel("gmail", 1.0, 0.01, 0.05, 0.0)
WORLD = WorldModel(
    providers=(ONE,),
    tiers={a: ListQuality(0.005, 0.0001) for a in Audience},
    segment_factors={"transactional": 0.5},
)
CLEAN = ListQuality(0.005, 0.0)


def test_outcomes_are_carried_not_drawn() -> None:
    """0.5 % bounces over four days of 50 gives exactly one bounce, on the fourth day."""
    states: dict[str, ProviderState] = {}
    bounces = []
    for _ in range(4):
        outcome, states = domain_day(WORLD, states, 50, CLEAN)
        bounces.append(outcome.bounced)
    assert bounces == [0, 0, 0, 1]


def test_clean_sending_builds_reputation_and_cuts_deferrals() -> None:
    """Reputation rises on clean days, and deferrals fall with it."""
    states: dict[str, ProviderState] = {}
    first, states = domain_day(WORLD, states, 1_000, CLEAN)
    for _ in range(15):
        later, states = domain_day(WORLD, states, 1_000, CLEAN)
    assert mean_reputation(states, WORLD) > 0.9
    assert later.deferred < first.deferred


def test_complaints_and_volume_jumps_cost_reputation() -> None:
    """A complaint spike or a tenfold jump lowers reputation; a clean steady day raises it."""
    steady: dict[str, ProviderState] = {"gmail": ProviderState(0.6, last_volume=100)}
    _, after = domain_day(WORLD, steady, 100, CLEAN)
    assert after["gmail"].reputation > 0.6
    _, jumped = domain_day(WORLD, steady, 1_000, CLEAN)
    assert jumped["gmail"].reputation < 0.6
    _, spiked = domain_day(WORLD, steady, 100, ListQuality(0.005, 0.01))
    assert spiked["gmail"].reputation < 0.6


def test_incidents_pick_their_domain_and_days() -> None:
    """An incident applies to its segment's n-th domain on its days, and overrides quality."""
    incident = Incident("pool-a", 0, 14, 20, complaint=0.008)
    scenario = Scenario("spike", "test", (incident,))
    assert active_incident(scenario, "pool-a", 0, 14) == incident
    assert active_incident(scenario, "pool-a", 1, 14) is None
    assert active_incident(scenario, "pool-a", 0, 21) is None
    quality = quality_for(WORLD, "pool-a", Audience.ALL, incident)
    assert quality == ListQuality(0.005, 0.008)
    assert quality_for(WORLD, "transactional", Audience.ALL, None).bounce == 0.0025
