"""Warmup use cases: start the ramps, run the daily decisions, report status, explain.

Written against ports only: a ``WarmupStore`` for state and decisions, a ``MetricsSource``
for measured results and a ``BlocklistSource`` for listings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from mailfleet.core.fleet import Domain, Fleet
from mailfleet.core.ports import Clock
from mailfleet.core.reputation.ports import DomainStateStore
from mailfleet.core.warmup.decision import Decision
from mailfleet.core.warmup.errors import UnknownDomain
from mailfleet.core.warmup.evidence import Evidence, collect_evidence
from mailfleet.core.warmup.gate import GatePolicy, decide, decide_member
from mailfleet.core.warmup.lifecycle import lifecycle_moves
from mailfleet.core.warmup.members import (
    ip_subject,
    mailbox_shares,
    mailbox_subject,
    member_subjects,
    share_among,
)
from mailfleet.core.warmup.ports import BlocklistSource, MetricsSource, WarmupStore
from mailfleet.core.warmup.schedule import (
    StartPolicy,
    audience_for,
    ramp_cap,
    start_days,
    week_of,
)
from mailfleet.core.warmup.state import WarmupState
from mailfleet.core.warmup.status import DomainWarmup, Explanation


@dataclass(frozen=True, slots=True)
class WarmupPorts:
    """What the warmup use cases read and write."""

    store: WarmupStore
    metrics: MetricsSource
    blocklist: BlocklistSource
    gate: GatePolicy = field(default_factory=GatePolicy)
    start: StartPolicy = field(default_factory=StartPolicy)


def start_warmup(fleet: Fleet, ports: WarmupPorts, first_day: date) -> dict[str, WarmupState]:
    """Give every domain without a ramp its start day: ``first_day`` plus its priority's offset
    in sending days.

    Domains already warming keep their state, so this is safe to run again after a sync.
    """
    states = ports.store.states()
    starts = start_days(fleet, first_day, ports.start)
    new: list[tuple[WarmupState, Decision | None]] = []
    for domain in fleet.domains:
        for subject in (domain.name, *member_subjects(domain)):
            if subject not in states:
                state = WarmupState(subject, starts[domain.name])
                new.append((state, None))
                states[subject] = state
    if new:
        ports.store.record_many(new)
    return states


def _evidence(ports: WarmupPorts, domain: str, state: WarmupState, day: date) -> Evidence:
    gate = ports.gate
    history = ports.metrics.daily(domain, day - timedelta(days=gate.lookback_days - 1), day)
    return collect_evidence(
        history,
        day,
        window_days=gate.window_days,
        lookback_days=gate.lookback_days,
        since=state.evidence_since,
        listings=ports.blocklist.listings(domain),
    )


def run_daily_decisions(fleet: Fleet, ports: WarmupPorts, day: date) -> tuple[Decision, ...]:
    """Decide for every domain, then each of its IPs and mailboxes, at the end of ``day``;
    store each decision with the new state. Returns the domains' decisions first.

    Domains not started yet are started with ``day + 1`` as the fleet's first day.
    """
    states = start_warmup(fleet, ports, day + timedelta(days=1))
    decisions = []
    members = []
    writes: list[tuple[WarmupState, Decision | None]] = []
    for domain in fleet.domains:
        segment = fleet.segments[domain.segment]
        state = states[domain.name]
        evidence = _evidence(ports, domain.name, state, day)
        ips = [ip_subject(str(ip)) for ip in domain.sending_ips]
        blocked = bool(ips) and all(states[ip].paused for ip in ips)
        decision, after = decide(state, segment, evidence, day, ports.gate, ips_paused=blocked)
        writes.append((after, decision))
        decisions.append(decision)
        shares = _member_shares(domain, decision.next_cap)
        for subject, share in shares.items():
            member = states[subject]
            evidence = _evidence(ports, subject, member, day)
            verdict, member_after = decide_member(member, segment, evidence, day, share, ports.gate)
            writes.append((member_after, verdict))
            members.append(verdict)
    ports.store.record_many(writes)
    return tuple(decisions + members)


def advance_domain_states(
    fleet: Fleet,
    ports: WarmupPorts,
    decisions: tuple[Decision, ...],
    domains: DomainStateStore,
    clock: Clock,
    day: date,
) -> dict[str, str]:
    """Move domains along pending -> warming -> active after the day's ``decisions`` (see
    ``core.warmup.lifecycle``); returns the moves made. Paused, isolated and retired domains
    are never touched."""
    caps = {d.domain: d.next_cap for d in decisions}
    moves = lifecycle_moves(fleet, domains.domain_states(), ports.store.states(), caps, day)
    for name, state in moves.items():
        reason = "at target volume" if state == "active" else "warmup started"
        domains.set_domain_state(name, state, at=clock.now(), reason=reason, by="warmup")
    return {name: str(state) for name, state in moves.items()}


def _member_shares(domain: Domain, cap: int) -> dict[str, int]:
    """Each member's share of ``cap`` when every member is clear."""
    ips = share_among(cap, [ip_subject(str(ip)) for ip in domain.sending_ips], ())
    boxes = mailbox_shares(domain, cap, ())
    return {**ips, **{mailbox_subject(a): n for a, n in boxes.items()}}


def _cap_today(fleet: Fleet, domain: Domain, state: WarmupState | None, day: date) -> int:
    if state is None or not state.started(day) or state.paused:
        return 0
    segment = fleet.segments[domain.segment]
    return ramp_cap(segment.schedule, segment.daily_target, state.ramp_day)


def _domain_status(fleet: Fleet, ports: WarmupPorts, domain: Domain, day: date) -> DomainWarmup:
    segment = fleet.segments[domain.segment]
    states = ports.store.states()
    state = states.get(domain.name)
    today = ports.metrics.daily(domain.name, day, day)
    latest = ports.store.decisions(domain.name, 1)
    if state is None:
        evidence = Evidence((), 0, 0, 0, 0, tuple(ports.blocklist.listings(domain.name)))
        preview = None
    else:
        evidence = _evidence(ports, domain.name, state, day)
        preview, _ = decide(state, segment, evidence, day, ports.gate)
    ramp_day = state.ramp_day if state else 0
    return DomainWarmup(
        domain=domain.name,
        segment=segment.name,
        day=day,
        state=state,
        week=week_of(ramp_day),
        cap_today=_cap_today(fleet, domain, state, day),
        target=segment.daily_target,
        sent_today=sum(m.sent for m in today),
        evidence=evidence,
        audience=str(audience_for(segment.schedule, ramp_day)),
        next_decision=preview,
        last_decision=latest[0] if latest else None,
        paused_members=tuple(
            s for s in member_subjects(domain) if s in states and states[s].paused
        ),
    )


def warmup_status(fleet: Fleet, ports: WarmupPorts, day: date) -> tuple[DomainWarmup, ...]:
    """Every domain's warmup on ``day``, with the decision today's evidence would lead to."""
    return tuple(_domain_status(fleet, ports, d, day) for d in fleet.domains)


def explain(
    fleet: Fleet, ports: WarmupPorts, domain: str, day: date, limit: int = 14
) -> Explanation:
    """A domain's status, its latest decisions with their evidence and reasons, and why any
    of its IPs or mailboxes is paused.

    Raises ``UnknownDomain`` for a domain the fleet does not have.
    """
    try:
        target = fleet.domain(domain)
    except KeyError:
        raise UnknownDomain(domain) from None
    states = ports.store.states()
    paused = [
        latest
        for subject in member_subjects(target)
        if subject in states and states[subject].paused
        for latest in ports.store.decisions(subject, 1)
    ]
    return Explanation(
        domain=domain,
        status=_domain_status(fleet, ports, target, day),
        decisions=tuple(ports.store.decisions(domain, limit)),
        paused_members=tuple(paused),
    )


def shipped_rules() -> tuple[GatePolicy, StartPolicy]:
    """The gate and start rules shipped in ``mailfleet/policy/warmup.toml``."""
    from mailfleet.core.warmup.rules import rules_from_data
    from mailfleet.policy import load_policy

    return rules_from_data(load_policy("warmup.toml"))
