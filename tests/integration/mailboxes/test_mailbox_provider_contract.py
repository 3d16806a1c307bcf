"""One contract, every mailbox provider: the in-memory twin and the three cloud adapters
(against their local fakes) must behave the same way through the port."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from mailbox_fake_google import FakeGoogle
from mailbox_fake_graph import FakeGraph
from mailbox_fake_mailcow import FakeMailcow

from mailfleet.adapters.clock import SystemClock
from mailfleet.adapters.mailboxes.google import GoogleWorkspaceProvider
from mailfleet.adapters.mailboxes.mailcow import MailcowProvider
from mailfleet.adapters.mailboxes.memory import InMemoryMailboxProvider
from mailfleet.adapters.mailboxes.microsoft365 import Microsoft365Provider
from mailfleet.core.mailboxes.errors import MailboxExists, MailboxNotFound
from mailfleet.core.mailboxes.model import DesiredMailbox
from mailfleet.core.mailboxes.passwords import generate_password
from mailfleet.core.mailboxes.ports import MailboxProvider
from mailfleet.core.secrets import Secret


@dataclass
class Subject:
    """A provider under test and a view into the backend behind it."""

    provider: MailboxProvider
    passwords: Callable[[], dict[str, str]]
    domain: str


def _memory() -> Iterator[Subject]:
    provider = InMemoryMailboxProvider()
    yield Subject(provider, lambda: provider.passwords, "c.example")


def _mailcow() -> Iterator[Subject]:
    fake = FakeMailcow().start()
    assert isinstance(fake, FakeMailcow)
    provider = MailcowProvider(fake.url, Secret(fake.api_key), clock=SystemClock())
    yield Subject(provider, lambda: fake.passwords, "c.example")
    provider.close()
    fake.stop()


def _google() -> Iterator[Subject]:
    fake = FakeGoogle()
    fake.start()
    provider = GoogleWorkspaceProvider(
        Secret(fake.service_account_json()), fake.admin, clock=SystemClock(), api_url=fake.url
    )
    yield Subject(provider, lambda: fake.passwords, "c.example")
    provider.close()
    fake.stop()


def _graph() -> Iterator[Subject]:
    fake = FakeGraph()
    fake.start()
    provider = Microsoft365Provider(
        fake.tenant,
        fake.client_id,
        Secret(fake.client_secret),
        clock=SystemClock(),
        sku_id=fake.sku,
        graph_url=fake.url,
        login_url=fake.url,
    )
    yield Subject(provider, lambda: fake.passwords, "c.example")
    provider.close()
    fake.stop()


MAKERS: dict[str, Callable[[], Iterator[Subject]]] = {
    "memory": _memory,
    "mailcow": _mailcow,
    "google": _google,
    "microsoft365": _graph,
}


@pytest.fixture(params=list(MAKERS))
def subject(request: pytest.FixtureRequest) -> Iterator[Subject]:
    """Each provider in turn, with its backend."""
    yield from MAKERS[request.param]()


def _mailbox(username: str, domain: str, name: str = "Jane Doe", **kw: Any) -> DesiredMailbox:
    return DesiredMailbox(username, domain, name, 40, (), "r", "p", "s", **kw)


def test_created_mailbox_is_listed_with_its_name(subject: Subject) -> None:
    """create then list: the address and display name come back, not suspended."""
    mailbox = _mailbox("jane", subject.domain)
    password = generate_password(subject.provider.capabilities.password)
    subject.provider.create(mailbox, password)
    [listed] = subject.provider.list_mailboxes([subject.domain])
    assert (listed.address, listed.display_name, listed.suspended) == (
        "jane@c.example",
        "Jane Doe",
        False,
    )
    assert subject.passwords()["jane@c.example"] == password.reveal()


def test_a_second_create_is_mailbox_exists(subject: Subject) -> None:
    """Creating the same address twice raises MailboxExists with the provider's reason."""
    mailbox = _mailbox("dup", subject.domain)
    password = generate_password(subject.provider.capabilities.password)
    subject.provider.create(mailbox, password)
    with pytest.raises(MailboxExists) as caught:
        subject.provider.create(mailbox, password)
    assert caught.value.reason


def test_suspend_then_update_resumes(subject: Subject) -> None:
    """suspend shows as suspended in the listing; update lifts it and sets the name."""
    subject.provider.create(
        _mailbox("sus", subject.domain), generate_password(subject.provider.capabilities.password)
    )
    subject.provider.suspend("sus@c.example")
    assert subject.provider.list_mailboxes([subject.domain])[0].suspended
    subject.provider.update(_mailbox("sus", subject.domain, name="New Name"))
    [listed] = subject.provider.list_mailboxes([subject.domain])
    assert (listed.suspended, listed.display_name) == (False, "New Name")


def test_set_password_replaces_it(subject: Subject) -> None:
    """set_password changes the password the backend holds."""
    policy = subject.provider.capabilities.password
    subject.provider.create(_mailbox("pw", subject.domain), generate_password(policy))
    fresh = generate_password(policy)
    subject.provider.set_password("pw@c.example", fresh)
    assert subject.passwords()["pw@c.example"] == fresh.reveal()


def test_unknown_mailboxes_are_not_found(subject: Subject) -> None:
    """Changing a mailbox that does not exist raises MailboxNotFound."""
    with pytest.raises(MailboxNotFound):
        subject.provider.suspend("ghost@c.example")


def test_delete_removes_it(subject: Subject) -> None:
    """delete removes the mailbox from the listing; other domains are not listed."""
    policy = subject.provider.capabilities.password
    subject.provider.create(_mailbox("del", subject.domain), generate_password(policy))
    subject.provider.create(_mailbox("other", "elsewhere.example"), generate_password(policy))
    subject.provider.delete("del@c.example")
    assert subject.provider.list_mailboxes([subject.domain]) == []
