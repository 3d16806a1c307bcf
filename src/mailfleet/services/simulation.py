"""The warmup simulator: the real engine, day after simulated day, against a world model.

Nothing here is simulation-only except the world: caps come from the warmup core, sends are
paced over business hours and pass the real limiter, metrics go through the metrics port, and
the daily decisions are ``run_daily_decisions``, exactly as in production. Only the clock is
fake (advanced with ``sleep``) and the receivers are the world model.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Protocol

from mailfleet.core.fleet import Domain, Fleet
from mailfleet.core.ports import Clock
from mailfleet.core.simulation.report import DomainSummary, SimulatedDay, SimulationReport
from mailfleet.core.simulation.world import (
    ProviderState,
    Scenario,
    WorldModel,
    active_incident,
    domain_day,
    mean_reputation,
    quality_for,
)
from mailfleet.core.warmup.decision import Action
from mailfleet.core.warmup.evidence import DayMetrics
from mailfleet.core.warmup.limits import CapCheck
from mailfleet.core.warmup.members import ip_subject
from mailfleet.core.warmup.pacing import HourSlot
from mailfleet.core.warmup.plan import DayPlan, plan_fleet_day
from mailfleet.core.warmup.ports import Limiter, MetricsRecorder
from mailfleet.core.warmup.schedule import week_of
from mailfleet.services.warmup import WarmupPorts, run_daily_decisions, start_warmup

_CHUNK = 64  # the simulated sender asks the limiter for up to this many sends at once


class WorldListings(Protocol):
    """Blocklist listings the simulated world can add and remove."""

    def list(self, domain: str, zone: str) -> None:
        """List a subject (a domain or ``ip:...``) on ``zone``."""
        ...

    def delist(self, domain: str, zone: str) -> None:
        """Remove the listing."""
        ...


@dataclass(frozen=True, slots=True)
class SimulationKit:
    """The ports a simulation drives: warmup state, a metrics recorder, the world's
    blocklist listings, the limiter and the clock."""

    ports: WarmupPorts
    recorder: MetricsRecorder
    listings: WorldListings
    limiter: Limiter
    clock: Clock


def _update_listings(
    fleet: Fleet, scenario: Scenario, positions: dict[str, int], index: int, kit: SimulationKit
) -> None:
    """List each domain's first IP on the zones its active incidents name; delist the rest."""
    for domain in fleet.domains:
        if not domain.sending_ips:
            continue
        subject = ip_subject(str(domain.sending_ips[0]))
        active = active_incident(scenario, domain.segment, positions[domain.name], index)
        for incident in scenario.incidents:
            if incident.listed_on is None:
                continue
            if incident is active:
                kit.listings.list(subject, incident.listed_on)
            else:
                kit.listings.delist(subject, incident.listed_on)


def _advance(clock: Clock, moment: datetime) -> None:
    delta = (moment - clock.now()).total_seconds()
    if delta > 0:
        clock.sleep(delta)


def _take(kit: SimulationKit, checks: tuple[CapCheck, ...], wanted: int) -> int:
    """Ask for up to ``wanted`` in chunks, halving a chunk the limiter refuses."""
    sent = 0
    chunk = _CHUNK
    while wanted > sent and chunk >= 1:
        size = min(chunk, wanted - sent)
        if kit.limiter.acquire(checks, size):
            sent += size
        else:
            chunk //= 2
    return sent


def _send_slot(kit: SimulationKit, plan: DayPlan, slot: HourSlot, turn: int) -> tuple[int, int]:
    """Send one hour's worth through the limiter from the domain's sending IPs, starting
    with a different IP each hour. The queue always holds more than the caps allow, so the
    limiter refuses the excess."""
    ips: list[str | None] = list(plan.ip_caps) or [None]
    start = turn % len(ips)
    wanted = slot.ceiling + slot.ceiling // 10 + 1
    sent = 0
    for ip in ips[start:] + ips[:start]:
        checks = plan.checks(kit.clock.now(), ip=ip)
        if checks is not None:
            sent += _take(kit, checks, wanted - sent)
    return sent, wanted - sent


def _send_day(
    fleet: Fleet, kit: SimulationKit, plans: Mapping[str, DayPlan]
) -> tuple[dict[str, tuple[int, int]], datetime]:
    """Send every domain's day, slot by slot in time order; returns sent/refused and the
    moment the last slot ends."""
    ordered = sorted(
        ((slot, plan) for plan in plans.values() for slot in plan.slots if slot.ceiling > 0),
        key=lambda p: p[0].start,
    )
    results = {d.name: (0, 0) for d in fleet.domains}
    day = next(iter(plans.values())).day
    end = datetime.combine(day + timedelta(days=1), time(0), UTC)
    for turn, (slot, plan) in enumerate(ordered):
        _advance(kit.clock, slot.start)
        sent, refused = _send_slot(kit, plan, slot, turn)
        before = results[plan.domain]
        results[plan.domain] = (before[0] + sent, before[1] + refused)
        end = max(end, slot.end)
    return results, end


def simulate(
    fleet: Fleet, world: WorldModel, scenario: Scenario, days: int, kit: SimulationKit
) -> SimulationReport:
    """Run ``days`` simulated days from the kit clock's date; report every day and domain."""
    start = kit.clock.now().date()
    start_warmup(fleet, kit.ports, start)
    positions = _positions(fleet)
    providers: dict[str, dict[str, ProviderState]] = {d.name: {} for d in fleet.domains}
    rows: list[SimulatedDay] = []
    for index in range(days):
        day = start + timedelta(days=index)
        _update_listings(fleet, scenario, positions, index, kit)
        states = kit.ports.store.states()
        plans = plan_fleet_day(fleet, states, day)
        sends, end = _send_day(fleet, kit, plans)
        outcomes = {}
        for domain in fleet.domains:
            segment = fleet.segments[domain.segment]
            incident = active_incident(scenario, segment.name, positions[domain.name], index)
            quality = quality_for(world, segment.name, plans[domain.name].audience, incident)
            outcome, providers[domain.name] = domain_day(
                world, providers[domain.name], sends[domain.name][0], quality
            )
            outcomes[domain.name] = outcome
            kit.recorder.add(
                domain.name,
                DayMetrics(
                    day, outcome.sent, outcome.bounced, outcome.complained, outcome.deferred
                ),
            )
        _advance(kit.clock, end + timedelta(minutes=1))
        decisions = {d.domain: d for d in run_daily_decisions(fleet, kit.ports, day)}
        for domain in fleet.domains:
            outcome = outcomes[domain.name]
            state = states[domain.name]
            rows.append(
                SimulatedDay(
                    day=index,
                    date=day,
                    domain=domain.name,
                    segment=domain.segment,
                    cap=plans[domain.name].cap,
                    sent=outcome.sent,
                    refused=sends[domain.name][1],
                    bounced=outcome.bounced,
                    complained=outcome.complained,
                    deferred=outcome.deferred,
                    ramp_day=state.ramp_day,
                    week=week_of(state.ramp_day),
                    decision=str(decisions[domain.name].action),
                    reputation=mean_reputation(providers[domain.name], world),
                )
            )
    return SimulationReport(
        scenario=scenario.name,
        description=scenario.description,
        start=start,
        days=days,
        rows=tuple(rows),
        summaries=tuple(_summary(fleet, d, rows) for d in fleet.domains),
    )


def _positions(fleet: Fleet) -> dict[str, int]:
    """Each domain's index within its segment, in spec order (scenarios pick domains by it)."""
    seen: dict[str, int] = {}
    positions = {}
    for domain in fleet.domains:
        positions[domain.name] = seen.get(domain.segment, 0)
        seen[domain.segment] = positions[domain.name] + 1
    return positions


def _summary(fleet: Fleet, domain: Domain, rows: list[SimulatedDay]) -> DomainSummary:
    mine = [r for r in rows if r.domain == domain.name]
    target = fleet.segments[domain.segment].daily_target
    reached = next((r.day for r in mine if r.cap >= target), None)
    return DomainSummary(
        domain=domain.name,
        segment=domain.segment,
        target=target,
        final_cap=mine[-1].cap if mine else 0,
        reached_target_day=reached,
        step_backs=sum(1 for r in mine if r.decision == Action.STEP_BACK),
        holds=sum(1 for r in mine if r.decision == Action.HOLD),
        paused_days=sum(1 for r in mine if r.decision in (Action.PAUSED, Action.STEP_BACK)),
        sent=sum(r.sent for r in mine),
    )


def shipped_world() -> tuple[WorldModel, dict[str, Scenario]]:
    """The world model and scenarios shipped in ``mailfleet/policy/simulation.toml``."""
    from mailfleet.core.simulation.load import scenarios_from_data, world_from_data
    from mailfleet.policy import load_policy

    data = load_policy("simulation.toml")
    return world_from_data(data), scenarios_from_data(data)
