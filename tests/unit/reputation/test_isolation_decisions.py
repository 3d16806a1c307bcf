"""Automatic isolation decisions: pools only, never primary or transactional."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from mailfleet.core.fleet import Fleet
from mailfleet.core.reputation.isolation import (
    IsolationAction,
    IsolationDecision,
    Trouble,
    decide_isolation,
)
from mailfleet.core.state import DomainState

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def _decide(
    fleet: Fleet,
    troubles: list[Trouble],
    states: Mapping[str, str] | None = None,
    restored: Mapping[str, datetime] | None = None,
) -> dict[str, IsolationDecision]:
    decisions = decide_isolation(fleet, troubles, states or {}, restored or {})
    return {d.domain: d for d in decisions}


def test_pool_domain_is_isolated_and_rotated_to_its_peers(acme_fleet: Fleet) -> None:
    """A pool-a domain in trouble is isolated; its mail goes to the other pool-a domain."""
    decisions = _decide(acme_fleet, [Trouble("acme-outreach.example", "complaints", T0)])
    decision = decisions["acme-outreach.example"]
    assert decision.action == IsolationAction.ISOLATE
    assert decision.rotate_to == ("acme-reach.example",)


def test_primary_and_transactional_are_protected(acme_fleet: Fleet) -> None:
    """Trouble on primary or transactional domains is never acted on automatically."""
    decisions = _decide(
        acme_fleet,
        [Trouble("acme.example", "listed", T0), Trouble("acme-notify.example", "bounces", T0)],
    )
    assert {d.action for d in decisions.values()} == {IsolationAction.PROTECTED}


def test_already_isolated_is_left_alone(acme_fleet: Fleet) -> None:
    """An isolated domain is not isolated twice."""
    decisions = _decide(
        acme_fleet,
        [Trouble("acme-connect.example", "listed", T0)],
        states={"acme-connect.example": DomainState.ISOLATED},
    )
    assert decisions["acme-connect.example"].action == IsolationAction.ALREADY


def test_manual_restore_wins_over_old_trouble(acme_fleet: Fleet) -> None:
    """After a restore by hand, only trouble that began later isolates again."""
    restored = {"acme-reach.example": T0 + timedelta(hours=1)}
    old = _decide(acme_fleet, [Trouble("acme-reach.example", "listed", T0)], restored=restored)
    assert old["acme-reach.example"].action == IsolationAction.OVERRIDDEN
    new = _decide(
        acme_fleet,
        [Trouble("acme-reach.example", "bounces", T0 + timedelta(hours=2))],
        restored=restored,
    )
    assert new["acme-reach.example"].action == IsolationAction.ISOLATE


def test_troubled_peers_are_not_rotation_targets(acme_fleet: Fleet) -> None:
    """When both pool-a domains are in trouble, neither receives the other's mail."""
    decisions = _decide(
        acme_fleet,
        [Trouble("acme-reach.example", "x", T0), Trouble("acme-outreach.example", "y", T0)],
    )
    assert all(d.rotate_to == () for d in decisions.values())
