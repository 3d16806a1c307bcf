"""plan_sync: what a suppression sync adds on each side, and that it converges."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from mailfleet.core.feedback.events import GLOBAL_SCOPE, Suppression
from mailfleet.core.feedback.relay_suppression import (
    Direction,
    RemoteKind,
    RemoteSuppression,
    plan_sync,
)

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def _local(address: str, reason: str = "mailbox_unknown", **kw: object) -> Suppression:
    scope = str(kw.get("scope", GLOBAL_SCOPE))
    expires = kw.get("expires")
    return Suppression(
        address, scope, reason, "smtp", NOW, expires if isinstance(expires, datetime) else None
    )


def test_only_permanent_global_entries_are_pushed_with_their_kind() -> None:
    """Complaints go as complaints, other reasons as bounces; expiring, domain-scoped and
    expired entries stay here; unsubscribes only where the relay keeps them."""
    local = [
        _local("hard@x.example"),
        _local("spam@x.example", "complaint"),
        _local("unsub@x.example", "unsubscribe"),
        _local("soft@x.example", "soft_bounces:mailbox_full", expires=NOW + timedelta(days=3)),
        _local("gone@x.example", "manual", expires=NOW - timedelta(days=1)),
        _local("dom@x.example", scope="news.example"),
    ]
    plan = plan_sync(local, [], relay="ses", direction=Direction.PUSH, now=NOW)
    assert [(r.address, r.kind) for r in plan.push] == [
        ("hard@x.example", RemoteKind.BOUNCE),
        ("spam@x.example", RemoteKind.COMPLAINT),
    ]
    with_unsubscribes = plan_sync(
        local, [], relay="mailgun", direction=Direction.PUSH, now=NOW, kinds=tuple(RemoteKind)
    )
    assert ("unsub@x.example", RemoteKind.UNSUBSCRIBE) in [
        (r.address, r.kind) for r in with_unsubscribes.push
    ]


def test_pulled_entries_are_global_except_unsubscribes_and_skip_what_is_covered() -> None:
    """A relay's bounce or complaint suppresses everywhere; its unsubscribe only for its
    domain (and not at all without one); addresses already suppressed are left alone."""
    remote = [
        RemoteSuppression("B@x.example", RemoteKind.BOUNCE),
        RemoteSuppression("c@x.example", RemoteKind.COMPLAINT),
        RemoteSuppression("u@x.example", RemoteKind.UNSUBSCRIBE),
        RemoteSuppression("known@x.example", RemoteKind.BOUNCE),
        RemoteSuppression("not-an-address", RemoteKind.BOUNCE),
    ]
    local = [_local("known@x.example")]
    plan = plan_sync(
        local,
        remote,
        relay="mailgun",
        direction=Direction.PULL,
        now=NOW,
        unsubscribe_scope="MG.Example",
    )
    assert [(s.address, s.scope, s.reason) for s in plan.pull] == [
        ("b@x.example", GLOBAL_SCOPE, "mailgun:bounce"),
        ("c@x.example", GLOBAL_SCOPE, "complaint"),
        ("u@x.example", "mg.example", "mailgun:unsubscribe"),
    ]
    assert plan.push == ()
    assert plan.in_step == 1
    no_scope = plan_sync(local, remote, relay="ses", direction=Direction.PULL, now=NOW)
    assert "u@x.example" not in [s.address for s in no_scope.pull]


def test_applying_a_plan_converges() -> None:
    """After adding both halves of a plan, the next plan is empty."""
    local = [_local("a@x.example"), _local("b@x.example", "complaint")]
    remote = [RemoteSuppression("c@x.example", RemoteKind.BOUNCE)]
    plan = plan_sync(local, remote, relay="ses", direction=Direction.BOTH, now=NOW)
    assert len(plan.pull) == 1
    assert len(plan.push) == 2
    again = plan_sync(
        local + list(plan.pull), remote + list(plan.push), relay="ses",
        direction=Direction.BOTH, now=NOW,
    )  # fmt: skip
    assert (again.pull, again.push, again.in_step) == ((), (), 3)
