"""Applying a plan against the in-memory provider: idempotence, retries, failures, passwords."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from mailfleet.adapters.clock import FakeClock
from mailfleet.adapters.mailboxes.memory import InMemoryMailboxLedger, InMemoryMailboxProvider
from mailfleet.adapters.vault import InMemoryVault
from mailfleet.core.fleet import Fleet
from mailfleet.core.mailboxes.backoff import RetryPolicy
from mailfleet.core.mailboxes.errors import (
    MailboxRejected,
    ProviderUnavailable,
    QuotaExhausted,
    RateLimited,
    UnsafePlan,
)
from mailfleet.core.mailboxes.plan import ActionKind
from mailfleet.core.secrets import Secret
from mailfleet.core.state import MailboxState
from mailfleet.services.mailboxes import (
    ApplyReport,
    Retrier,
    Status,
    apply_plan,
    check_safe,
    password_name,
    plan_mailboxes,
)

from .conftest import make_fleet


class World:
    """One provider, vault, ledger and fake clock, with a ``run`` that plans and applies."""

    def __init__(self, clock: FakeClock) -> None:
        self.provider = InMemoryMailboxProvider()
        self.vault = InMemoryVault()
        self.ledger = InMemoryMailboxLedger()
        self.clock = clock
        self.retrier = Retrier(clock, RetryPolicy(attempts=4, base=1.0, jitter=0.0))

    def run(self, fleet: Fleet, *, suspend_missing: bool = False, workers: int = 4) -> ApplyReport:
        plan = plan_mailboxes(
            fleet, self.factory, suspend_missing=suspend_missing, retrier=self.retrier
        )
        return apply_plan(
            plan,
            {"local": self.provider},
            self.vault,
            self.ledger,
            self.clock,
            retrier=self.retrier,
            workers=workers,
        )

    @property
    def factory(self) -> Callable[[str], InMemoryMailboxProvider]:
        return lambda _name: self.provider


@pytest.fixture
def world(clock: FakeClock) -> World:
    """A fresh world on the fake clock."""
    return World(clock)


def test_apply_creates_every_mailbox_with_its_vault_password(world: World, fleet: Fleet) -> None:
    """Each created mailbox's password at the provider is the one in the vault."""
    report = world.run(fleet)
    assert report.counts()["created"] == 5
    for address, password in world.provider.passwords.items():
        assert world.vault.get(password_name(address)).reveal() == password
    assert {e.state for e in world.ledger.entries().values()} == {MailboxState.ACTIVE}


def test_a_second_apply_makes_no_changing_call(world: World, fleet: Fleet) -> None:
    """Re-running an applied spec lists the provider and changes nothing."""
    world.run(fleet)
    before = len(world.provider.changing_calls())
    report = world.run(fleet)
    assert report.counts()["unchanged"] == 5
    assert len(world.provider.changing_calls()) == before


def test_drift_is_corrected(world: World, fleet: Fleet) -> None:
    """A display name changed at the provider is set back on the next apply."""
    world.run(fleet)
    address = "hello@one.example"
    world.provider.mailboxes[address] = world.provider.mailboxes[address].__class__(
        address, "mem-1", "Tampered", 40, (), "local"
    )
    report = world.run(fleet)
    updated = [o for o in report.outcomes if o.status == Status.UPDATED]
    assert [o.address for o in updated] == [address]
    assert "display_name" in updated[0].reason
    assert world.provider.mailboxes[address].display_name == "Hello One"


def test_rate_limits_are_retried_after_the_providers_hint(world: World, fleet: Fleet) -> None:
    """Two 429s with Retry-After 30 s delay that mailbox by at least 60 s, then it is created."""
    address = "sdr01@two.example"
    world.provider.failures[("create", address)] = [
        RateLimited("429 Too Many Requests", retry_after=30),
        RateLimited("429 Too Many Requests", retry_after=30),
    ]
    start = world.clock.now()
    report = world.run(fleet, workers=1)
    outcome = next(o for o in report.outcomes if o.address == address)
    assert outcome.status == Status.CREATED
    assert outcome.attempts == 3
    assert world.clock.now() - start >= timedelta(seconds=60)


def test_one_mailbox_failing_does_not_stop_the_batch(world: World, fleet: Fleet) -> None:
    """A rejected name and an exhausted quota fail with the provider's reason; the rest succeed."""
    world.provider.failures[("create", "hello@one.example")] = [
        MailboxRejected("Invalid input: name is reserved")
    ]
    world.provider.failures[("create", "sales@one.example")] = [
        QuotaExhausted("No available licenses for SKU O365_BUSINESS_PREMIUM")
    ]
    report = world.run(fleet)
    reasons = {o.address: o.reason for o in report.failed}
    assert reasons == {
        "hello@one.example": "Invalid input: name is reserved",
        "sales@one.example": "No available licenses for SKU O365_BUSINESS_PREMIUM",
    }
    assert report.counts()["created"] == 3
    assert world.ledger.entries()["hello@one.example"].state == MailboxState.FAILED
    assert world.ledger.entries()["hello@one.example"].last_error.startswith("Invalid input")


def test_retries_give_up_after_the_policy_allows(world: World, fleet: Fleet) -> None:
    """A provider that rate-limits forever fails that mailbox after 4 tries, with the reason."""
    address = "sdr02@two.example"
    world.provider.failures[("create", address)] = [RateLimited("slow down")] * 10
    report = world.run(fleet)
    outcome = next(o for o in report.outcomes if o.address == address)
    assert (outcome.status, outcome.reason, outcome.attempts) == (Status.FAILED, "slow down", 4)


def test_the_password_is_in_the_vault_before_the_create_call(world: World, fleet: Fleet) -> None:
    """At the moment the provider is asked to create a mailbox, its password is already stored."""
    seen: dict[str, bool] = {}
    original = world.provider.create

    def spying_create(mailbox, password):  # type: ignore[no-untyped-def]
        stored = world.vault.get(password_name(mailbox.address))
        seen[mailbox.address] = stored == password
        return original(mailbox, password)

    world.provider.create = spying_create  # type: ignore[method-assign]
    world.run(fleet)
    assert len(seen) == 5
    assert all(seen.values())


def test_a_rerun_after_a_crash_reuses_the_stored_password(world: World, fleet: Fleet) -> None:
    """A mailbox whose create was cut off keeps the password stored before the cut."""
    address = "hello@one.example"
    world.vault.put(password_name(address), Secret("Kept-Password-From-Crash-42!"))
    world.ledger.begin(address, "local", "create", world.clock.now())
    world.run(fleet)
    assert world.provider.passwords[address] == "Kept-Password-From-Crash-42!"
    assert world.ledger.entries()[address].intent is None


def test_a_create_whose_answer_was_lost_is_adopted(world: World, fleet: Fleet) -> None:
    """A create that succeeded but timed out is retried, meets 'exists', and gets our password."""
    address = "sales@one.example"
    original = world.provider.create

    lost: list[str] = []

    def lossy_create(mailbox, password):  # type: ignore[no-untyped-def]
        created = original(mailbox, password)
        if mailbox.address == address and not lost:
            lost.append(address)
            raise ProviderUnavailable("504 Gateway Timeout")
        return created

    world.provider.create = lossy_create  # type: ignore[method-assign]
    report = world.run(fleet, workers=1)
    outcome = next(o for o in report.outcomes if o.address == address)
    assert outcome.status == Status.CREATED
    assert [c for c in world.provider.calls if c[1] == address].count(("create", address)) == 2
    assert ("set_password", address) in world.provider.calls
    assert world.provider.passwords[address] == world.vault.get(password_name(address)).reveal()


def test_a_mailbox_created_before_a_crash_is_recorded_without_a_call(
    world: World, fleet: Fleet
) -> None:
    """Created at the provider but never recorded: the re-run records it and creates nothing."""
    world.run(fleet)
    address = "sdr03@two.example"
    world.ledger.begin(address, "local", "create", world.clock.now())  # as if cut off
    calls = len(world.provider.changing_calls())
    world.run(fleet)
    assert len(world.provider.changing_calls()) == calls
    assert world.ledger.entries()[address].intent is None


def test_suspend_missing_suspends_mailboxes_that_left_the_spec(world: World) -> None:
    """Shrinking a generated range and asking to suspend suspends exactly the dropped ones."""
    world.run(make_fleet(count=4))
    report = world.run(make_fleet(count=2), suspend_missing=True)
    suspended = sorted(o.address for o in report.outcomes if o.status == Status.SUSPENDED)
    assert suspended == ["sdr03@two.example", "sdr04@two.example"]
    assert world.provider.mailboxes["sdr04@two.example"].suspended
    assert world.ledger.entries()["sdr04@two.example"].state == MailboxState.SUSPENDED


def test_invalid_mailboxes_are_reported_and_never_sent(world: World) -> None:
    """An invalid plan entry becomes a failed outcome without a provider call."""
    fleet = make_fleet(count=1)
    plan = plan_mailboxes(fleet, world.factory, retrier=world.retrier)
    broken = plan.actions[0].__class__(
        ActionKind.INVALID, "bad@one.example", "local", None, None, reason="refused name"
    )
    report = apply_plan(
        plan.__class__((broken,)),
        {"local": world.provider},
        world.vault,
        world.ledger,
        world.clock,
        retrier=world.retrier,
    )
    assert report.failed[0].reason == "refused name"
    assert world.provider.changing_calls() == []


def test_a_failed_update_leaves_an_existing_mailbox_active(world: World, fleet: Fleet) -> None:
    """An update refused by the provider is reported, and the mailbox stays active."""
    world.run(fleet)
    address = "hello@one.example"
    world.provider.mailboxes[address] = world.provider.mailboxes[address].__class__(
        address, "mem-1", "Tampered", 40, (), "local"
    )
    world.provider.failures[("update", address)] = [MailboxRejected("name not allowed")]
    report = world.run(fleet)
    assert [o.reason for o in report.failed] == ["name not allowed"]
    entry = world.ledger.entries()[address]
    assert (entry.state, entry.last_error) == (MailboxState.ACTIVE, "name not allowed")


def test_mass_suspension_needs_force(world: World) -> None:
    """Suspending 18 of 20 mailboxes is refused unless forced; suspending 2 of 20 is not."""
    world.run(make_fleet(count=18))
    big = plan_mailboxes(
        make_fleet(count=1), world.factory, suspend_missing=True, retrier=world.retrier
    )
    with pytest.raises(UnsafePlan, match="suspends 17 of 20"):
        check_safe(big, force=False)
    check_safe(big, force=True)
    small = plan_mailboxes(
        make_fleet(count=16), world.factory, suspend_missing=True, retrier=world.retrier
    )
    check_safe(small, force=False)
