"""Automatic isolation: a pool domain in trouble is paused and rotated out of its pool.

Only domains of segments whose warmup priority is ``progressive`` (the pools) are ever isolated
automatically. Primary, transactional and monitoring domains are never touched by a pool's
trouble, even when they share a sending IP with it: their trouble is alerted, and a person
decides. A domain restored by hand is not isolated again for trouble that began before the
restore: the person's decision stands until something new goes wrong.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from mailfleet.core.fleet import Fleet, WarmupPriority
from mailfleet.core.state import DomainState

UNTOUCHABLE_STATES = frozenset({DomainState.ISOLATED, DomainState.RETIRED})


@dataclass(frozen=True, slots=True)
class Trouble:
    """Why a domain might be isolated, and since when."""

    domain: str
    reason: str
    since: datetime


class IsolationAction(StrEnum):
    """What to do with a domain in trouble."""

    ISOLATE = "isolate"
    PROTECTED = "protected"  # not a pool domain: alert only
    ALREADY = "already"  # isolated or retired already
    OVERRIDDEN = "overridden"  # restored by hand after this trouble began


@dataclass(frozen=True, slots=True)
class IsolationDecision:
    """The decision for one domain, with the healthy pool peers its mail moves to."""

    domain: str
    segment: str
    action: IsolationAction
    reasons: tuple[str, ...]
    rotate_to: tuple[str, ...] = ()
    moved: int = 0  # queued messages moved to the ``rotate_to`` domains

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready form."""
        return {
            "domain": self.domain,
            "segment": self.segment,
            "action": self.action.value,
            "reasons": list(self.reasons),
            "rotate_to": list(self.rotate_to),
            "moved": self.moved,
        }


def is_pool_segment(fleet: Fleet, segment: str) -> bool:
    """True for a pool: a segment whose warmup priority is ``progressive``."""
    return fleet.segments[segment].priority == WarmupPriority.PROGRESSIVE


def decide_isolation(
    fleet: Fleet,
    troubles: Sequence[Trouble],
    states: Mapping[str, str],
    restored_at: Mapping[str, datetime],
) -> tuple[IsolationDecision, ...]:
    """One decision per domain in trouble, in fleet order."""
    by_domain: dict[str, list[Trouble]] = {}
    for trouble in troubles:
        by_domain.setdefault(trouble.domain, []).append(trouble)
    troubled = set(by_domain)
    decisions = []
    for domain in fleet.domains:
        found = by_domain.get(domain.name)
        if not found:
            continue
        reasons = tuple(dict.fromkeys(t.reason for t in found))
        restore = restored_at.get(domain.name)
        if not is_pool_segment(fleet, domain.segment):
            action = IsolationAction.PROTECTED
        elif states.get(domain.name) in UNTOUCHABLE_STATES:
            action = IsolationAction.ALREADY
        elif restore is not None and all(t.since <= restore for t in found):
            action = IsolationAction.OVERRIDDEN
        else:
            action = IsolationAction.ISOLATE
        peers: tuple[str, ...] = ()
        if action == IsolationAction.ISOLATE:
            peers = tuple(
                d.name
                for d in fleet.domains
                if d.segment == domain.segment
                and d.name != domain.name
                and d.name not in troubled
                and states.get(d.name) not in UNTOUCHABLE_STATES
            )
        decisions.append(IsolationDecision(domain.name, domain.segment, action, reasons, peers))
    return tuple(decisions)
