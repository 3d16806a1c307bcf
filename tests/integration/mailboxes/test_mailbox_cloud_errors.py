"""Vendor-specific answers of Google Workspace and Microsoft 365, through their fakes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from mailbox_fake_google import FakeGoogle
from mailbox_fake_graph import FakeGraph

from mailfleet.adapters.clock import SystemClock
from mailfleet.adapters.mailboxes.google import GoogleWorkspaceProvider, join_name, split_name
from mailfleet.adapters.mailboxes.microsoft365 import Microsoft365Provider
from mailfleet.core.mailboxes.errors import (
    MailboxRejected,
    ProviderAuthError,
    QuotaExhausted,
    RateLimited,
)
from mailfleet.core.mailboxes.model import DesiredMailbox
from mailfleet.core.secrets import Secret


@pytest.fixture
def google() -> Iterator[FakeGoogle]:
    """A fake Google on a free port."""
    fake = FakeGoogle()
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def graph() -> Iterator[FakeGraph]:
    """A fake Microsoft Graph on a free port."""
    fake = FakeGraph()
    fake.start()
    yield fake
    fake.stop()


def _google(fake: FakeGoogle, subject: str | None = None) -> GoogleWorkspaceProvider:
    return GoogleWorkspaceProvider(
        Secret(fake.service_account_json()),
        subject or fake.admin,
        clock=SystemClock(),
        api_url=fake.url,
    )


def _graph(fake: FakeGraph, secret: str | None = None) -> Microsoft365Provider:
    return Microsoft365Provider(
        fake.tenant,
        fake.client_id,
        Secret(secret or fake.client_secret),
        clock=SystemClock(),
        sku_id=fake.sku,
        graph_url=fake.url,
        login_url=fake.url,
    )


def _box(username: str, name: str = "Sam Lee") -> DesiredMailbox:
    return DesiredMailbox(username, "c.example", name, 40, (), "r", "p", "s")


def test_google_names_round_trip() -> None:
    """Display names split into given/family names and join back unchanged."""
    for name in ("Acme SDR 7", "Hello", "Jean Luc Picard"):
        assert join_name(*split_name(name)) == name


def test_google_token_is_fetched_once_and_reused(google: FakeGoogle) -> None:
    """One signed-JWT exchange serves many calls."""
    provider = _google(google)
    for n in range(3):
        provider.create(_box(f"u{n}"), Secret("Passw0rd-Long!"))
    assert google.token_requests == 1


def test_google_without_delegation_is_an_auth_error(google: FakeGoogle) -> None:
    """A subject the service account may not act for is refused at the token endpoint."""
    with pytest.raises(ProviderAuthError, match="unauthorized"):
        _google(google, subject="someone@else.example").list_mailboxes(["c.example"])


def test_google_rejects_a_short_password_and_a_full_domain(google: FakeGoogle) -> None:
    """'Invalid Password' is MailboxRejected; 'Domain user limit reached' is QuotaExhausted."""
    provider = _google(google)
    with pytest.raises(MailboxRejected, match="Invalid Password"):
        provider.create(_box("short"), Secret("short"))
    google.max_users = 0
    with pytest.raises(QuotaExhausted, match="user limit"):
        provider.create(_box("full"), Secret("Passw0rd-Long!"))


def test_google_rate_limit_answers_are_rate_limited(google: FakeGoogle) -> None:
    """A 429 with Retry-After: 7 is read as RateLimited with a 7-second hint."""
    provider = _google(google)
    provider.list_mailboxes(["c.example"])  # fetches the token while requests are allowed
    google.limit.per_second = 0
    google.limit.retry_after = "7"
    with pytest.raises(RateLimited) as caught:
        provider.list_mailboxes(["c.example"])
    assert caught.value.retry_after == 7.0


def test_graph_wrong_secret_is_an_auth_error(graph: FakeGraph) -> None:
    """AADSTS7000215 from the token endpoint is ProviderAuthError with that reason."""
    with pytest.raises(ProviderAuthError, match="AADSTS7000215"):
        _graph(graph, secret="wrong").list_mailboxes(["c.example"])


def test_graph_assigns_a_licence_and_reports_exhaustion(graph: FakeGraph) -> None:
    """Each created user gets the SKU; when seats run out the create fails as QuotaExhausted,
    and a later update (after seats are added) assigns the missing licence."""
    graph.seats = 1
    provider = _graph(graph)
    provider.create(_box("one"), Secret("Passw0rd-Long!"))
    assert graph.licensed == {"one@c.example"}
    with pytest.raises(QuotaExhausted, match="available licenses"):
        provider.create(_box("two"), Secret("Passw0rd-Long!"))
    graph.seats = 2
    provider.update(_box("two"))
    assert graph.licensed == {"one@c.example", "two@c.example"}


def test_graph_rejects_a_weak_password_with_its_message(graph: FakeGraph) -> None:
    """Graph's complexity refusal comes back as MailboxRejected with Microsoft's words."""
    with pytest.raises(MailboxRejected, match="password complexity"):
        _graph(graph).create(_box("weak"), Secret("alllowercase"))
