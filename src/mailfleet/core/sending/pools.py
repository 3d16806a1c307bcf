"""IP pools: a weighted choice among relays (or source IPs), per segment.

A pool is a list of (name, weight). The choice is proportional to weight among the members
that are available (their circuit breaker lets traffic through), so a relay that goes down
sheds its share onto the others until it recovers.
"""

from __future__ import annotations

from collections.abc import Sequence


def weighted_choice(
    members: Sequence[tuple[str, int]], unit_random: float, available: Sequence[str] | None = None
) -> str | None:
    """The member that ``unit_random`` (in [0, 1)) lands on, or ``None`` when none is usable."""
    usable = [
        (name, weight)
        for name, weight in members
        if weight > 0 and (available is None or name in available)
    ]
    total = sum(weight for _, weight in usable)
    if total == 0:
        return None
    point = unit_random * total
    for name, weight in usable:
        if point < weight:
            return name
        point -= weight
    return usable[-1][0]
