"""A domain's runtime state along its warmup: pending -> warming -> active.

The warmup owns these moves and only these: pausing, isolating and retiring belong to people
and to the reputation rules, and a domain in one of those states is never moved from here.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from mailfleet.core.fleet import Fleet
from mailfleet.core.state import DomainState
from mailfleet.core.warmup.state import WarmupState


def lifecycle_moves(
    fleet: Fleet,
    runtime: Mapping[str, str],
    warmup: Mapping[str, WarmupState],
    caps: Mapping[str, int],
    day: date,
) -> dict[str, DomainState]:
    """The domains whose state should change, and to what.

    A pending domain whose ramp has started (``day`` on or after its start day) is warming;
    a pending or warming domain whose cap for the next day (``caps``) has reached its
    segment's daily target is active. Domains not stored yet (not synced) are left alone.
    """
    moves: dict[str, DomainState] = {}
    for domain in fleet.domains:
        current = runtime.get(domain.name)
        if current not in (DomainState.PENDING, DomainState.WARMING):
            continue
        state = warmup.get(domain.name)
        if state is None or not state.started(day):
            continue
        target = fleet.segments[domain.segment].daily_target
        wanted = DomainState.ACTIVE if caps.get(domain.name, 0) >= target else DomainState.WARMING
        if wanted != current:
            moves[domain.name] = wanted
    return moves
