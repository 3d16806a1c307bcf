"""DKIM rotation: the stored state machine, driven over the in-memory DNS and a fake clock."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from dns_support.fleets import make_fleet
from mailfleet.adapters.clock import FakeClock
from mailfleet.adapters.dns.memory import (
    InMemoryDnsProvider,
    InMemoryResolver,
    InMemoryRotationStore,
)
from mailfleet.adapters.vault import InMemoryVault
from mailfleet.core.dns.dkim import KeyAlgorithm
from mailfleet.core.dns.rotation import RotationPhase, RotationStep
from mailfleet.policy.dns import load_dns_template
from mailfleet.services.dkim_rotation import rotate_dkim, signing_key, signing_selector
from mailfleet.services.dns import apply_dns

TEMPLATE = replace(load_dns_template(), key_algorithm=KeyAlgorithm.ED25519, ttl=300)
GRACE = timedelta(days=7)


class _World:
    def __init__(self) -> None:
        self.fleet = make_fleet(1)
        self.vault = InMemoryVault()
        self.provider = InMemoryDnsProvider("dns")
        self.store = InMemoryRotationStore()
        self.clock = FakeClock()
        assert apply_dns(self.fleet, TEMPLATE, self.vault, lambda _: self.provider).ok

    def rotate(self, *, start: bool = True):  # type: ignore[no-untyped-def]
        (outcome,) = rotate_dkim(
            self.fleet,
            TEMPLATE,
            self.vault,
            lambda _: self.provider,
            InMemoryResolver(self.provider),
            self.store,
            self.clock,
            ["d000.example"],
            start=start,
            grace=GRACE,
        )
        return outcome

    def key(self, selector: str) -> str:
        return self.vault.get(f"dkim/d000.example/{selector}").reveal()

    def published(self, selector: str) -> tuple[str, ...]:
        zone = self.provider.zones["d000.example"]
        return next(
            r.values for k, r in zone.items() if k[0] == f"{selector}._domainkey.d000.example"
        )


def test_full_rotation_publishes_waits_switches_and_retires() -> None:
    """New standby key published, signing switches after the TTL, old key replaced after grace."""
    world = _World()
    old_mf1, old_mf2 = world.key("mf1"), world.key("mf2")
    first = world.rotate()
    assert first.waiting is RotationStep.WAIT_TTL
    assert first.state.phase is RotationPhase.PUBLISHED
    assert world.key("mf2") != old_mf2
    assert signing_selector(world.store, "d000.example", TEMPLATE) == "mf1"

    world.clock.advance(timedelta(seconds=299))
    assert world.rotate().waiting is RotationStep.WAIT_TTL  # not yet
    world.clock.advance(timedelta(seconds=1))
    second = world.rotate()
    assert second.state.phase is RotationPhase.SWITCHED
    assert signing_key(world.vault, world.store, "d000.example", TEMPLATE)[0] == "mf2"
    assert world.key("mf1") == old_mf1  # still published during the grace period

    world.clock.advance(GRACE)
    third = world.rotate(start=False)
    assert third.state.phase is RotationPhase.IDLE
    assert third.state.active == "mf2"
    assert world.key("mf1") != old_mf1
    assert world.published("mf1") != world.published("mf2")


def test_failed_publication_never_switches_and_resumes() -> None:
    """If DNS fails after the new key is made, signing stays on the old key; a rerun resumes."""
    world = _World()
    world.provider.fail_on.add("mf2._domainkey.d000.example")
    stuck = world.rotate()
    assert stuck.waiting is RotationStep.PUBLISH
    assert "mf2._domainkey.d000.example" in stuck.detail
    assert world.store.get("d000.example").phase is RotationPhase.PUBLISHING  # type: ignore[union-attr]
    assert signing_selector(world.store, "d000.example", TEMPLATE) == "mf1"
    new_mf2 = world.key("mf2")

    world.provider.fail_on.clear()
    resumed = world.rotate()
    assert resumed.state.phase is RotationPhase.PUBLISHED
    assert world.key("mf2") == new_mf2  # resumed, not restarted with yet another key
    world.clock.advance(timedelta(seconds=300))
    assert world.rotate().state.active == "mf2"


def test_without_start_nothing_begins() -> None:
    """Running with start=False on an idle domain does nothing."""
    world = _World()
    outcome = world.rotate(start=False)
    assert outcome.waiting is RotationStep.DONE
    assert outcome.steps == ()
    assert world.store.get("d000.example") is None
