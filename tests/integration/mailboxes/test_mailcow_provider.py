"""The Mailcow adapter against a local fake of Mailcow's API."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from mailbox_fake_mailcow import FakeMailcow

from mailfleet.adapters.clock import FakeClock, SystemClock
from mailfleet.adapters.mailboxes.mailcow import MailcowProvider
from mailfleet.adapters.mailboxes.memory import InMemoryMailboxLedger
from mailfleet.adapters.vault import InMemoryVault
from mailfleet.core.mailboxes.backoff import RetryPolicy
from mailfleet.core.mailboxes.errors import ProviderAuthError
from mailfleet.core.mailboxes.model import DesiredMailbox
from mailfleet.core.ports import Clock
from mailfleet.core.secrets import Secret
from mailfleet.services.mailboxes import (
    ApplyReport,
    Retrier,
    apply_plan,
    password_name,
    plan_mailboxes,
)
from mailfleet.spec.loader import load_fleet_text

SPEC = """
version: 1
defaults: {{dns: d, mailbox: cow, relay: smarthost}}
providers:
  dns: {{d: {{kind: memory}}}}
  mailbox: {{cow: {{kind: mailcow, url: "http://unused", api_key: "env:X"}}}}
  relay: {{smarthost: {{kind: memory}}}}
policies:
  business_hours: {{default: [{{days: mon-fri, start: "08:00", end: "18:00"}}]}}
  warmup_schedules: {{six-weeks: {{steps: [{{week: 1, target: true}}]}}}}
segments: {{primary: {{warmup: {{priority: first}}}}}}
domains:
  - name: cow.example
    segment: primary
    mailboxes: [{{generate: {{count: {count}, pattern: "m{{n:03}}", display_name: "M {{n}}"}}}}]
"""


@pytest.fixture
def fake() -> Iterator[FakeMailcow]:
    """A fake Mailcow on a free port."""
    api = FakeMailcow()
    api.start()
    yield api
    api.stop()


def _provider(fake: FakeMailcow, clock: Clock, key: str = "test-key") -> MailcowProvider:
    return MailcowProvider(fake.url, Secret(key), clock=clock, relayhosts={"smarthost": "3"})


def _apply(
    provider: MailcowProvider,
    count: int,
    clock: Clock,
    vault: InMemoryVault,
    ledger: InMemoryMailboxLedger | None = None,
) -> ApplyReport:
    fleet = load_fleet_text(SPEC.format(count=count), Path("f.yaml"))
    retrier = Retrier(clock, RetryPolicy(attempts=8, base=0.01, jitter=0.0))
    plan = plan_mailboxes(fleet, lambda _n: provider, retrier=retrier)
    return apply_plan(
        plan,
        {"cow": provider},
        vault,
        ledger or InMemoryMailboxLedger(),
        clock,
        retrier=retrier,
        workers=8,
    )


def test_apply_creates_with_settings_and_a_rerun_changes_nothing(
    fake: FakeMailcow, clock: FakeClock
) -> None:
    """Mailboxes get name, daily rate limit and relay host; the second apply sends no change."""
    provider, vault = _provider(fake, clock), InMemoryVault()
    assert _apply(provider, 12, clock, vault).counts()["created"] == 12
    row = fake.mailboxes["m001@cow.example"]
    assert (row["name"], row["rl"], row["attributes"]["relayhost"]) == (
        "M 1",
        {"value": "50", "frame": "d"},
        "3",
    )
    assert (
        fake.passwords["m007@cow.example"] == vault.get(password_name("m007@cow.example")).reveal()
    )
    calls = fake.changing_calls
    assert _apply(provider, 12, clock, vault).counts()["unchanged"] == 12
    assert fake.changing_calls == calls


def test_drift_at_mailcow_is_corrected(fake: FakeMailcow, clock: FakeClock) -> None:
    """A renamed, deactivated mailbox with another rate limit is put back as the spec says."""
    provider, vault = _provider(fake, clock), InMemoryVault()
    _apply(provider, 2, clock, vault)
    fake.mailboxes["m002@cow.example"].update(name="Renamed", active=0, rl=False)
    report = _apply(provider, 2, clock, vault)
    assert report.counts()["updated"] == 1
    row = fake.mailboxes["m002@cow.example"]
    assert (row["name"], row["active"], row["rl"]["value"]) == ("M 2", 1, "50")


def test_rate_limits_are_absorbed() -> None:
    """With 8 requests a second allowed (429 + Retry-After: 1 beyond), 10 mailboxes are all
    created exactly once."""
    api = FakeMailcow(per_second=8)
    api.start()
    clock = SystemClock()
    try:
        report = _apply(_provider(api, clock), 10, clock, InMemoryVault())
    finally:
        api.stop()
    assert report.counts()["created"] == 10
    assert api.limit.refused > 0
    assert set(api.creates.values()) == {1}


def test_per_mailbox_refusals_carry_mailcows_reason(fake: FakeMailcow, clock: FakeClock) -> None:
    """A password_complexity refusal and an exhausted mailbox quota fail only their mailboxes."""
    fake.fail_next["m001@cow.example"] = (
        200,
        [{"type": "danger", "msg": "password_complexity"}],
        {},
    )
    fake.max_mailboxes = 3
    report = _apply(_provider(fake, clock), 5, clock, InMemoryVault())
    reasons = sorted(o.reason for o in report.failed)
    assert "mailcow: password_complexity (m001@cow.example)" in reasons
    assert sum("max_mailbox_exceeded" in r for r in reasons) == 1
    assert report.counts()["created"] == 3


def test_a_wrong_api_key_is_an_auth_error(fake: FakeMailcow, clock: FakeClock) -> None:
    """Mailcow's 401 becomes ProviderAuthError with its message."""
    with pytest.raises(ProviderAuthError, match="authentication failed"):
        _provider(fake, clock, key="wrong").list_mailboxes(["cow.example"])


def test_suspend_and_delete(fake: FakeMailcow, clock: FakeClock) -> None:
    """suspend sets active 0; delete removes the mailbox."""
    provider = _provider(fake, clock)
    mailbox = DesiredMailbox("x", "cow.example", "X", 10, (), "smarthost", "cow", "s")
    provider.create(mailbox, Secret("Xx-123456789!"))
    provider.suspend(mailbox.address)
    [listed] = provider.list_mailboxes(["cow.example"])
    assert listed.suspended
    provider.delete(mailbox.address)
    assert provider.list_mailboxes(["cow.example"]) == []


def test_last_login_reported_by_mailcow_reaches_the_ledger(
    fake: FakeMailcow, clock: FakeClock
) -> None:
    """Mailcow's last_imap_login is recorded by the next apply, without any changing call."""
    provider, vault, ledger = _provider(fake, clock), InMemoryVault(), InMemoryMailboxLedger()
    _apply(provider, 2, clock, vault, ledger)
    fake.mailboxes["m001@cow.example"]["last_imap_login"] = 1767603600  # 2026-01-05 09:00 UTC
    calls = fake.changing_calls
    _apply(provider, 2, clock, vault, ledger)
    login = ledger.entries()["m001@cow.example"].last_login_at
    assert login is not None
    assert login.isoformat() == "2026-01-05T09:00:00+00:00"
    assert fake.changing_calls == calls
