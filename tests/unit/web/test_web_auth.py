"""Passwords, API tokens, CSRF tokens and session cookies."""

from __future__ import annotations

import pytest
from fastapi import HTTPException
from starlette.requests import Request

from mailfleet.adapters.argon2_hasher import Argon2Hasher
from mailfleet.adapters.clock import FakeClock
from mailfleet.adapters.dashboard_twins import MemoryUserStore
from mailfleet.adapters.vault import InMemoryVault
from mailfleet.core.dashboard.access import Role
from mailfleet.core.secrets import Secret
from mailfleet.services import users
from mailfleet.web.security import (
    SESSION_KEY_NAME,
    check_csrf,
    csrf_token,
    is_loopback,
    session_key,
)

HASHER = Argon2Hasher(time_cost=1, memory_kib=1024)
PASSWORD = Secret("correct horse battery")


def _request() -> Request:
    return Request({"type": "http", "session": {}})


def test_hash_is_argon2id_salted_and_verifies() -> None:
    """A hash is argon2id, differs per call (salt), and verifies only the right password."""
    first, second = HASHER.hash("pw-123456789"), HASHER.hash("pw-123456789")
    assert first.startswith("$argon2id$")
    assert first != second
    assert HASHER.verify(first, "pw-123456789")
    assert not HASHER.verify(first, "pw-12345678")


def test_malformed_hash_is_a_mismatch() -> None:
    """A corrupt stored hash fails verification instead of raising."""
    assert not HASHER.verify("not-a-hash", "anything")


def test_add_and_authenticate(clock: FakeClock) -> None:
    """A user signs in with the right password, case-insensitive email; not with a wrong one."""
    store = MemoryUserStore()
    users.add_user(store, HASHER, clock, " Ops@Example.com ", Role.OPERATOR, PASSWORD)
    user = users.authenticate(store, HASHER, "ops@example.com", PASSWORD)
    assert user is not None
    assert user.role == Role.OPERATOR
    assert users.authenticate(store, HASHER, "ops@example.com", Secret("wrong password!")) is None
    assert users.authenticate(store, HASHER, "nobody@example.com", PASSWORD) is None


def test_password_is_never_stored(clock: FakeClock) -> None:
    """The store holds a hash, not the password."""
    store = MemoryUserStore()
    users.add_user(store, HASHER, clock, "a@example.com", Role.VIEWER, PASSWORD)
    stored = store.credentials("a@example.com")
    assert stored is not None
    assert PASSWORD.reveal() not in stored.password_hash


@pytest.mark.parametrize("password", ["short", ""])
def test_weak_password_refused(clock: FakeClock, password: str) -> None:
    """Passwords under twelve characters are refused."""
    with pytest.raises(ValueError, match="at least 12"):
        users.add_user(
            MemoryUserStore(), HASHER, clock, "a@example.com", Role.VIEWER, Secret(password)
        )


def test_duplicate_user_refused(clock: FakeClock) -> None:
    """An email can be registered once."""
    store = MemoryUserStore()
    users.add_user(store, HASHER, clock, "a@example.com", Role.VIEWER, PASSWORD)
    with pytest.raises(ValueError, match="already exists"):
        users.add_user(store, HASHER, clock, "A@example.com", Role.ADMIN, PASSWORD)


def test_token_is_stored_as_digest_and_identifies_its_user(clock: FakeClock) -> None:
    """An issued token maps back to its user; only its SHA-256 digest is stored."""
    store = MemoryUserStore()
    users.add_user(store, HASHER, clock, "a@example.com", Role.ADMIN, PASSWORD)
    token = users.issue_token(store, clock, "a@example.com", "ci")
    assert token is not None
    assert token.reveal().startswith(users.TOKEN_PREFIX)
    assert token.reveal() not in store.tokens
    assert users.token_digest(token.reveal()) in store.tokens
    owner = users.user_for_token(store, clock, token.reveal())
    assert owner is not None
    assert owner.email == "a@example.com"


def test_unknown_tokens_and_users(clock: FakeClock) -> None:
    """Tokens for unknown users are not issued; unknown or malformed tokens match nobody."""
    store = MemoryUserStore()
    assert users.issue_token(store, clock, "ghost@example.com") is None
    assert users.user_for_token(store, clock, "mft_nothing") is None
    assert users.user_for_token(store, clock, "Bearer junk") is None


def test_csrf_token_is_stable_per_session_and_checked() -> None:
    """The session's token passes; any other value is refused with 403."""
    request = _request()
    token = csrf_token(request)
    assert csrf_token(request) == token
    check_csrf(request, token)
    with pytest.raises(HTTPException) as refused:
        check_csrf(request, token + "x")
    assert refused.value.status_code == 403


def test_csrf_refused_without_a_session_token() -> None:
    """A form posted to a session that never showed a form is refused."""
    with pytest.raises(HTTPException):
        check_csrf(_request(), "anything")


def test_session_key_is_generated_once_in_the_vault(clock: FakeClock) -> None:
    """The cookie-signing key is created on first use and then reused."""
    vault = InMemoryVault()
    first = session_key(vault)
    assert len(first.reveal()) >= 48
    assert session_key(vault) == first
    assert list(vault.names("web/")) == [SESSION_KEY_NAME]


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]", True),
        ("0.0.0.0", False),  # noqa: S104
        ("192.0.2.1", False),
        ("mail.example.com", False),
    ],
)
def test_loopback_detection(host: str, loopback: bool) -> None:
    """Cookies may skip the Secure flag only on loopback addresses."""
    assert is_loopback(host) is loopback
