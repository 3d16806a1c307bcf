"""Weighted choice within an IP pool."""

from __future__ import annotations

from mailfleet.core.sending.pools import weighted_choice

POOL = [("a", 3), ("b", 1), ("off", 0)]


def test_choice_follows_weights() -> None:
    """Over an even spread of random points, members are chosen in proportion to weight."""
    picks = [weighted_choice(POOL, i / 100) for i in range(100)]
    assert (picks.count("a"), picks.count("b"), picks.count("off")) == (75, 25, 0)


def test_unavailable_members_shed_their_share() -> None:
    """A member that is down is skipped; with none left there is no choice."""
    assert {weighted_choice(POOL, i / 10, available=["b"]) for i in range(10)} == {"b"}
    assert weighted_choice(POOL, 0.5, available=[]) is None
