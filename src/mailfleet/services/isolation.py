"""Isolation use cases: rotate troubled pool domains out, and the manual overrides."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

from mailfleet.core.errors import MailfleetError
from mailfleet.core.fleet import Fleet
from mailfleet.core.ports import Clock
from mailfleet.core.reputation.engine import AlertState, active_isolating
from mailfleet.core.reputation.facts import listing_subject
from mailfleet.core.reputation.isolation import (
    IsolationAction,
    IsolationDecision,
    Trouble,
    decide_isolation,
)
from mailfleet.core.reputation.ports import DomainStateStore, QueueRotation
from mailfleet.core.reputation.rules import AlertRule, SubjectKind
from mailfleet.core.reputation.targets import BlocklistReport
from mailfleet.core.state import DomainState


class IsolationRefused(MailfleetError):
    """A manual isolate or restore that cannot be done (unknown domain, wrong state)."""


def troubles(
    report: BlocklistReport | None,
    rules: Iterable[AlertRule],
    states: Mapping[tuple[str, SubjectKind, str], AlertState],
    clock: Clock,
) -> list[Trouble]:
    """Listings of a domain or its IPs, and active isolating alerts on domains, as troubles."""
    rule_list = tuple(rules)
    listing_rules = [
        r.key for r in rule_list if r.subject == SubjectKind.TARGET and r.fact == "listed"
    ]
    found: list[Trouble] = []
    now = clock.now()
    if report is not None:
        for domain, results in report.listings_by_domain().items():
            for result in results:
                subject = listing_subject(result.target, result.zone)
                # the listing's trouble began when its alert first fired (else: now)
                began = [
                    state.since
                    for key in listing_rules
                    if (state := states.get((key, SubjectKind.TARGET, subject))) and state.since
                ]
                since = min(began, default=now)
                found.append(Trouble(domain, f"{result.target} listed on {result.zone}", since))
    for (kind, subject), alerts in active_isolating(rule_list, states.values()).items():
        if kind == SubjectKind.DOMAIN:
            for alert in alerts:
                found.append(Trouble(subject, f"alert {alert.rule}", alert.since or now))
    return found


def isolate_troubled(
    fleet: Fleet,
    found: Iterable[Trouble],
    store: DomainStateStore,
    clock: Clock,
    queue: QueueRotation | None = None,
) -> tuple[IsolationDecision, ...]:
    """Decide for every troubled domain and isolate the pool domains that must go; their
    queued mail moves to the healthy domains of the pool when a ``queue`` is given."""
    decisions = decide_isolation(fleet, tuple(found), store.domain_states(), store.last_restores())
    done = []
    for decision in decisions:
        if decision.action == IsolationAction.ISOLATE:
            store.set_domain_state(
                decision.domain,
                DomainState.ISOLATED,
                at=clock.now(),
                reason="; ".join(decision.reasons),
                by="auto",
            )
            done.append(_rotate(fleet, decision, queue, clock))
        else:
            done.append(decision)
    return tuple(done)


def _rotate(
    fleet: Fleet, decision: IsolationDecision, queue: QueueRotation | None, clock: Clock
) -> IsolationDecision:
    """Move the isolated domain's waiting mail to its peers' mailboxes."""
    senders = [m.address for d in decision.rotate_to for m in fleet.domain(d).mailboxes]
    if queue is None or not senders:
        return decision
    return replace(decision, moved=queue.move_queued(decision.domain, senders, clock.now()))


def isolate_domain(store: DomainStateStore, domain: str, clock: Clock, reason: str) -> str:
    """Isolate ``domain`` by hand, whatever its segment; return its previous state."""
    states = store.domain_states()
    if domain not in states:
        raise IsolationRefused(f"{domain} is not in the database; run 'mailfleet sync' first")
    if states[domain] == DomainState.ISOLATED:
        raise IsolationRefused(f"{domain} is already isolated")
    return store.set_domain_state(
        domain, DomainState.ISOLATED, at=clock.now(), reason=reason or "by hand", by="cli"
    )


def restore_domain(store: DomainStateStore, domain: str, clock: Clock, reason: str) -> str:
    """Put an isolated domain back in rotation, in the state it had before; return that state."""
    states = store.domain_states()
    if domain not in states:
        raise IsolationRefused(f"{domain} is not in the database; run 'mailfleet sync' first")
    if states[domain] != DomainState.ISOLATED:
        raise IsolationRefused(f"{domain} is {states[domain]}, not isolated")
    isolations = [r for r in store.isolation_log(domain) if r.new_state == DomainState.ISOLATED]
    previous = isolations[-1].previous_state if isolations else DomainState.PAUSED
    store.set_domain_state(domain, previous, at=clock.now(), reason=reason or "by hand", by="cli")
    return previous
