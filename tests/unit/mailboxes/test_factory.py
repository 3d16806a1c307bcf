"""Building mailbox providers from the spec's providers section."""

from __future__ import annotations

import pytest

from mailfleet.adapters.clock import FakeClock
from mailfleet.adapters.mailboxes.factory import build_mailbox_provider
from mailfleet.adapters.mailboxes.http import retry_after_seconds
from mailfleet.adapters.mailboxes.mailcow import MailcowProvider
from mailfleet.adapters.mailboxes.postfixadmin import PostfixAdminProvider
from mailfleet.core.errors import ConfigError
from mailfleet.core.fleet import Provider, ProviderRole


def _spec(kind: str, **settings: object) -> Provider:
    return Provider(ProviderRole.MAILBOX, "main", kind, settings)


def test_mailcow_is_built_with_its_key_from_the_environment(clock: FakeClock) -> None:
    """api_key: env:NAME is resolved from the given environment."""
    spec = _spec("mailcow", url="https://mail.example", api_key="env:COW_KEY")
    provider = build_mailbox_provider(spec, {"COW_KEY": "k"}, clock)
    assert isinstance(provider, MailcowProvider)
    assert provider.capabilities.kind == "mailcow"


def test_a_missing_secret_names_the_provider_and_setting(clock: FakeClock) -> None:
    """An unset variable is a ConfigError naming the provider, the key and the variable."""
    spec = _spec("mailcow", url="https://mail.example", api_key="env:COW_KEY")
    with pytest.raises(ConfigError, match=r"'main'.*api_key.*COW_KEY"):
        build_mailbox_provider(spec, {}, clock)


def test_missing_settings_are_reported(clock: FakeClock) -> None:
    """Microsoft 365 without tenant_id says so."""
    with pytest.raises(ConfigError, match="tenant_id"):
        build_mailbox_provider(_spec("microsoft365"), {}, clock)


def test_postfixadmin_password_is_kept_out_of_the_url(clock: FakeClock) -> None:
    """database_password from a reference is joined to database_url at build time."""
    spec = _spec(
        "postfixadmin",
        database_url="postgresql+psycopg://pfa@127.0.0.1/postfix",
        database_password="env:PFA_PW",
    )
    provider = build_mailbox_provider(spec, {"PFA_PW": "s3cret"}, clock)
    assert isinstance(provider, PostfixAdminProvider)
    assert provider._engine.url.password == "s3cret"


def test_google_needs_a_service_account_key(clock: FakeClock) -> None:
    """Credentials that are not a service-account JSON are a ConfigError."""
    spec = _spec("google", credentials="env:SA", subject="admin@g.example")
    with pytest.raises(ConfigError, match="service-account JSON"):
        build_mailbox_provider(spec, {"SA": "not json"}, clock)


def test_retry_after_reads_seconds_and_http_dates(clock: FakeClock) -> None:
    """Retry-After: 120 and an HTTP-date 90 s ahead (RFC 9110 10.2.3); junk is ignored."""
    now = clock.now()
    assert retry_after_seconds("120", now) == 120.0
    assert retry_after_seconds("Mon, 05 Jan 2026 09:01:30 GMT", now) == 90.0
    assert retry_after_seconds("soon", now) is None
