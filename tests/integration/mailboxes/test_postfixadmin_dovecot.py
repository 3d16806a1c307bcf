"""PostfixAdmin provisioning checked by a real Dovecot: the generated password logs in."""

from __future__ import annotations

import imaplib
from pathlib import Path

import pytest
from mailbox_dovecot_server import DovecotServer

from mailfleet.adapters.clock import SystemClock
from mailfleet.adapters.mailboxes.memory import InMemoryMailboxLedger
from mailfleet.adapters.mailboxes.postfixadmin import PostfixAdminProvider
from mailfleet.adapters.vault import InMemoryVault
from mailfleet.core.mailboxes.errors import MailboxExists, MailboxNotFound
from mailfleet.core.mailboxes.model import DesiredMailbox
from mailfleet.core.secrets import Secret
from mailfleet.services.mailboxes import (
    Retrier,
    Status,
    apply_plan,
    password_name,
    plan_mailboxes,
)
from mailfleet.spec.loader import load_fleet_text

SPEC = """
version: 1
defaults: {dns: d, mailbox: pfa, relay: r}
providers:
  dns: {d: {kind: memory}}
  mailbox: {pfa: {kind: postfixadmin, database_url: "sqlite:///unused"}}
  relay: {r: {kind: memory}}
policies:
  business_hours: {default: [{days: mon-fri, start: "08:00", end: "18:00"}]}
  warmup_schedules: {six-weeks: {steps: [{week: 1, target: true}]}}
segments: {primary: {warmup: {priority: first}}}
domains:
  - name: imap.example
    segment: primary
    mailboxes:
      - {username: alice, display_name: Alice, forward_to: [boss@else.example]}
      - {username: bob, display_name: Bob}
"""


def _login(port: int, user: str, password: str) -> str:
    """Log in over IMAP, store a message and select INBOX; 'OK' or the server's refusal."""
    client = imaplib.IMAP4("127.0.0.1", port)
    try:
        client.login(user, password)
        stored, _ = client.append("INBOX", None, None, b"Subject: hi\r\n\r\nbody\r\n")
        selected, _ = client.select("INBOX")
        client.logout()
        return "OK" if (stored, selected) == ("OK", "OK") else f"{stored} {selected}"
    except imaplib.IMAP4.error as exc:
        return str(exc)


@pytest.fixture
def provider(dovecot: DovecotServer) -> PostfixAdminProvider:
    """The adapter on the database Dovecot reads, with cheap bcrypt for speed."""
    return PostfixAdminProvider(dovecot.database_url, clock=SystemClock(), bcrypt_rounds=5)


def test_provisioned_mailboxes_log_in_and_suspended_ones_cannot(
    dovecot: DovecotServer, provider: PostfixAdminProvider
) -> None:
    """apply creates both mailboxes; each logs in with its vault password; a suspended one fails."""
    fleet = load_fleet_text(SPEC, Path("fleet.yaml"))
    vault, ledger, clock = InMemoryVault(), InMemoryMailboxLedger(), SystemClock()
    retrier = Retrier(clock)
    plan = plan_mailboxes(fleet, lambda _n: provider, retrier=retrier)
    report = apply_plan(plan, {"pfa": provider}, vault, ledger, clock, retrier=retrier)
    assert report.counts()["created"] == 2
    for address in ("alice@imap.example", "bob@imap.example"):
        password = vault.get(password_name(address)).reveal()
        assert _login(dovecot.port, address, password) == "OK"
    assert "AUTHENTICATIONFAILED" in _login(dovecot.port, "bob@imap.example", "not-the-password")

    provider.suspend("bob@imap.example")
    bob = vault.get(password_name("bob@imap.example")).reveal()
    assert "AUTHENTICATIONFAILED" in _login(dovecot.port, "bob@imap.example", bob)

    again = plan_mailboxes(fleet, lambda _n: provider, retrier=retrier)
    kinds = {a.address: a.kind.value for a in again.actions}
    assert kinds == {"alice@imap.example": "unchanged", "bob@imap.example": "update"}
    resumed = apply_plan(again, {"pfa": provider}, vault, ledger, clock, retrier=retrier)
    assert [o.status for o in resumed.outcomes] == [Status.UNCHANGED, Status.UPDATED]
    assert _login(dovecot.port, "bob@imap.example", bob) == "OK"


def test_listing_reports_names_forwards_and_suspension(provider: PostfixAdminProvider) -> None:
    """The listing reads back the display name, the forwards from alias.goto, and active."""
    mailbox = DesiredMailbox("carol", "list.example", "Carol", 10, ("x@y.example",), "r", "p", "s")
    provider.create(mailbox, Secret("Carol-Password-123!"))
    provider.suspend(mailbox.address)
    [listed] = provider.list_mailboxes(["list.example"])
    assert (listed.display_name, listed.forward_to, listed.suspended) == (
        "Carol",
        ("x@y.example",),
        True,
    )


def test_duplicates_and_missing_mailboxes_raise_provider_errors(
    provider: PostfixAdminProvider,
) -> None:
    """A second create is MailboxExists; changing an unknown mailbox is MailboxNotFound."""
    mailbox = DesiredMailbox("dave", "dup.example", "Dave", 10, (), "r", "p", "s")
    provider.create(mailbox, Secret("Dave-Password-123!"))
    with pytest.raises(MailboxExists):
        provider.create(mailbox, Secret("Dave-Password-123!"))
    with pytest.raises(MailboxNotFound):
        provider.suspend("nobody@dup.example")


def test_password_reset_takes_effect_at_login(
    dovecot: DovecotServer, provider: PostfixAdminProvider
) -> None:
    """After set_password the old password is refused and the new one works."""
    mailbox = DesiredMailbox("erin", "imap.example", "Erin", 10, (), "r", "p", "s")
    provider.create(mailbox, Secret("Erin-Old-Password-1!"))
    provider.set_password(mailbox.address, Secret("Erin-New-Password-2!"))
    assert _login(dovecot.port, mailbox.address, "Erin-New-Password-2!") == "OK"
    assert "AUTHENTICATIONFAILED" in _login(dovecot.port, mailbox.address, "Erin-Old-Password-1!")
