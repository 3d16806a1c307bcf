"""Password rotation: vault and provider never disagree for good."""

from __future__ import annotations

from mailfleet.adapters.clock import FakeClock
from mailfleet.adapters.mailboxes.memory import InMemoryMailboxLedger, InMemoryMailboxProvider
from mailfleet.adapters.vault import InMemoryVault
from mailfleet.core.errors import SecretNotFound
from mailfleet.core.fleet import Fleet
from mailfleet.core.mailboxes.backoff import RetryPolicy
from mailfleet.core.mailboxes.errors import ProviderUnavailable
from mailfleet.services.mailbox_passwords import chosen, pending_name, rotate_passwords
from mailfleet.services.mailboxes import Retrier, Status, apply_plan, password_name, plan_mailboxes


def _provisioned(fleet: Fleet, clock: FakeClock) -> tuple[InMemoryMailboxProvider, InMemoryVault]:
    provider, vault = InMemoryMailboxProvider(), InMemoryVault()
    retrier = Retrier(clock, RetryPolicy(attempts=2, base=0.1, jitter=0.0))
    plan = plan_mailboxes(fleet, lambda _n: provider, retrier=retrier)
    apply_plan(plan, {"local": provider}, vault, InMemoryMailboxLedger(), clock, retrier=retrier)
    return provider, vault


def _rotate(
    fleet: Fleet, provider: InMemoryMailboxProvider, vault: InMemoryVault, clock: FakeClock
):  # type: ignore[no-untyped-def]
    retrier = Retrier(clock, RetryPolicy(attempts=2, base=0.1, jitter=0.0))
    return rotate_passwords(
        chosen(fleet, domain="one.example"),
        lambda _n: provider,
        vault,
        InMemoryMailboxLedger(),
        clock,
        retrier=retrier,
    )


def test_rotation_gives_new_passwords_held_by_both(fleet: Fleet, clock: FakeClock) -> None:
    """Each chosen mailbox gets a new password, the same in the vault and at the provider."""
    provider, vault = _provisioned(fleet, clock)
    before = dict(provider.passwords)
    report = _rotate(fleet, provider, vault, clock)
    assert [o.address for o in report.outcomes] == ["hello@one.example", "sales@one.example"]
    for address in ("hello@one.example", "sales@one.example"):
        assert provider.passwords[address] != before[address]
        assert vault.get(password_name(address)).reveal() == provider.passwords[address]
        assert pending_name(address) not in list(vault.names())
    assert provider.passwords["sdr01@two.example"] == before["sdr01@two.example"]


def test_an_interrupted_rotation_is_finished_with_the_same_password(
    fleet: Fleet, clock: FakeClock
) -> None:
    """When the provider fails, the old password stays current and the next run reuses the
    pending one."""
    provider, vault = _provisioned(fleet, clock)
    address = "hello@one.example"
    old = provider.passwords[address]
    provider.failures[("set_password", address)] = [ProviderUnavailable("503")] * 2
    report = _rotate(fleet, provider, vault, clock)
    assert report.counts()["failed"] == 1
    assert vault.get(password_name(address)).reveal() == old == provider.passwords[address]
    pending = vault.get(pending_name(address)).reveal()
    _rotate(fleet, provider, vault, clock)
    assert provider.passwords[address] == pending == vault.get(password_name(address)).reveal()
    try:
        vault.get(pending_name(address))
        raise AssertionError("the pending password should be gone")
    except SecretNotFound:
        pass


def test_chosen_filters_by_address_and_domain(fleet: Fleet) -> None:
    """Addresses and domain narrow the selection; neither means every spec mailbox."""
    assert len(chosen(fleet)) == 5
    assert [m.address for m in chosen(fleet, ["SALES@one.example"])] == ["sales@one.example"]
    assert len(chosen(fleet, domain="two.example")) == 3
    assert Status.UPDATED.value == "updated"
