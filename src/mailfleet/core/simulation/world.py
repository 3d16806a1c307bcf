"""The simulated world: receiving providers whose reputation reacts, and list quality.

Each (domain, provider) pair has a reputation between 0 and 1, starting neutral. Clean days
raise it a little; bounces and complaints lower it in proportion to how far they are above
what receivers tolerate; a volume jump beyond ``jump_tolerance`` times the last sending day
lowers it too. Low reputation shows up as deferrals (421s) and extra bounces. Outcomes are
counted with carried remainders, not random draws, so a run is exactly repeatable and a rate
of 0.5 % really gives one bounce in two hundred.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from mailfleet.core.fleet import Audience
from mailfleet.core.warmup.schedule import split_fairly


@dataclass(frozen=True, slots=True)
class ProviderModel:
    """A receiving provider: its share of recipients and how it defers."""

    name: str
    share: float
    base_deferral: float
    reputation_deferral: float  # extra deferral at zero reputation
    reputation_bounce: float  # extra bounces (blocks) at zero reputation


@dataclass(frozen=True, slots=True)
class ListQuality:
    """Bounce and complaint rates of a recipient tier."""

    bounce: float
    complaint: float


@dataclass(frozen=True, slots=True)
class Incident:
    """A change in list quality for some days (0-based simulation days, inclusive)."""

    segment: str
    domain_index: int  # which domain of the segment, in spec order
    first_day: int
    last_day: int
    bounce: float | None = None
    complaint: float | None = None
    listed_on: str | None = None  # a blocklist zone listing the domain's first sending IP


@dataclass(frozen=True, slots=True)
class Scenario:
    """A named run: its description and its incidents."""

    name: str
    description: str
    incidents: tuple[Incident, ...] = ()


@dataclass(frozen=True, slots=True)
class WorldModel:
    """Providers, list quality per tier, per-segment list factors and reputation dynamics."""

    providers: tuple[ProviderModel, ...]
    tiers: Mapping[Audience, ListQuality]
    segment_factors: Mapping[str, float] = field(default_factory=dict)
    initial_reputation: float = 0.5
    daily_gain: float = 0.04
    max_daily_loss: float = 0.3
    tolerated_bounce: float = 0.02
    tolerated_complaint: float = 0.001
    jump_tolerance: float = 3.0
    jump_penalty: float = 0.1


@dataclass(frozen=True, slots=True)
class ProviderState:
    """What a provider remembers about a domain."""

    reputation: float
    last_volume: int = 0
    carry_bounce: float = 0.0
    carry_complaint: float = 0.0
    carry_deferral: float = 0.0


@dataclass(frozen=True, slots=True)
class DayOutcome:
    """What came back from one domain's sends on one day."""

    sent: int
    bounced: int
    complained: int
    deferred: int


def _take(carry: float, expected: float) -> tuple[int, float]:
    total = carry + expected
    whole = math.floor(total)
    return whole, total - whole


def quality_for(
    world: WorldModel, segment: str, audience: Audience, incident: Incident | None
) -> ListQuality:
    """The list quality a segment's domain sends to at ``audience``, with any incident."""
    base = world.tiers[audience]
    factor = world.segment_factors.get(segment, 1.0)
    bounce = base.bounce * factor
    complaint = base.complaint * factor
    if incident is not None:
        bounce = incident.bounce if incident.bounce is not None else bounce
        complaint = incident.complaint if incident.complaint is not None else complaint
    return ListQuality(bounce, complaint)


def _provider_day(
    world: WorldModel,
    provider: ProviderModel,
    state: ProviderState,
    sent: int,
    quality: ListQuality,
) -> tuple[DayOutcome, ProviderState]:
    if sent <= 0:
        return DayOutcome(0, 0, 0, 0), state
    distrust = 1.0 - state.reputation
    bounce_rate = quality.bounce + distrust * provider.reputation_bounce
    deferral_rate = provider.base_deferral + distrust * provider.reputation_deferral
    bounced, carry_b = _take(state.carry_bounce, sent * bounce_rate)
    complained, carry_c = _take(state.carry_complaint, sent * quality.complaint)
    deferred, carry_d = _take(state.carry_deferral, sent * deferral_rate)
    change = world.daily_gain * (
        1 - bounced / sent / world.tolerated_bounce - complained / sent / world.tolerated_complaint
    )
    if state.last_volume and sent > state.last_volume * world.jump_tolerance:
        change -= world.jump_penalty * (sent / (state.last_volume * world.jump_tolerance) - 1)
    change = max(-world.max_daily_loss, min(world.daily_gain, change))
    reputation = max(0.0, min(1.0, state.reputation + change))
    after = ProviderState(reputation, sent, carry_b, carry_c, carry_d)
    return DayOutcome(sent, bounced, complained, deferred), after


def domain_day(
    world: WorldModel,
    states: Mapping[str, ProviderState],
    sent: int,
    quality: ListQuality,
) -> tuple[DayOutcome, dict[str, ProviderState]]:
    """Split a domain's day of sends across providers and gather what comes back."""
    shares = split_fairly(sent, [p.share for p in world.providers])
    totals = [0, 0, 0, 0]
    after: dict[str, ProviderState] = {}
    for provider, share in zip(world.providers, shares, strict=True):
        state = states.get(provider.name, ProviderState(world.initial_reputation))
        outcome, after[provider.name] = _provider_day(world, provider, state, share, quality)
        for i, value in enumerate(
            (outcome.sent, outcome.bounced, outcome.complained, outcome.deferred)
        ):
            totals[i] += value
    return DayOutcome(*totals), after


def mean_reputation(states: Mapping[str, ProviderState], world: WorldModel) -> float:
    """Share-weighted reputation of a domain across providers."""
    total = 0.0
    for provider in world.providers:
        state = states.get(provider.name, ProviderState(world.initial_reputation))
        total += provider.share * state.reputation
    weight = sum(p.share for p in world.providers)
    return total / weight if weight else 0.0


def active_incident(
    scenario: Scenario, segment: str, domain_index: int, day: int
) -> Incident | None:
    """The scenario's incident affecting this domain on ``day``, if any."""
    for incident in scenario.incidents:
        if (
            incident.segment == segment
            and incident.domain_index == domain_index
            and incident.first_day <= day <= incident.last_day
        ):
            return incident
    return None
