"""Repeated failed sign-ins are throttled per account and per client address."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from mailfleet.adapters.clock import FakeClock
from mailfleet.adapters.dashboard_twins import MemoryUserStore
from mailfleet.adapters.db.web_login_store import MemoryLoginFailures
from mailfleet.adapters.db.web_login_tables import WebLoginFailureRow
from mailfleet.core.dashboard.access import Role
from mailfleet.core.secrets import Secret
from mailfleet.services import dashboard_login
from mailfleet.services.dashboard_login import ThrottleRules
from mailfleet.services.users import add_user
from web_support import FAST_HASHER, PASSWORD, WebEnv, csrf_of, email_of

WRONG = "not the password at all"


def _attempt(client: TestClient, email: str, password: str) -> tuple[int, str | None]:
    token = csrf_of(client.get("/login").text)
    response = client.post(
        "/login",
        data={"csrf_token": token, "email": email, "password": password, "next": "/"},
        follow_redirects=False,
    )
    return response.status_code, response.headers.get("retry-after")


def test_five_failures_lock_the_account_until_the_window_passes(
    env: WebEnv, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    """The sixth attempt is refused with 429 and Retry-After, even with the right password;
    it opens again when the oldest failure leaves the 15-minute window."""
    client = env.client()
    email = email_of(Role.OPERATOR)
    with caplog.at_level(logging.INFO):
        for _ in range(5):
            assert _attempt(client, email, WRONG) == (401, None)
            clock.advance(timedelta(minutes=1))
        status, retry = _attempt(client, email, PASSWORD)
    assert status == 429
    # the first failure was at minute 0; it is now minute 5, so 10 minutes remain
    assert retry == str(10 * 60)
    assert WRONG not in caplog.text
    assert PASSWORD not in caplog.text
    assert "sign-in failed for operator@example.com" in caplog.text
    page = client.get("/login")
    assert page.status_code == 200  # the form itself is never throttled
    clock.advance(timedelta(minutes=10) - timedelta(seconds=1))
    assert _attempt(client, email, PASSWORD)[0] == 429
    clock.advance(timedelta(seconds=1))
    assert _attempt(client, email, PASSWORD) == (303, None)


def test_failures_are_stored_without_the_password(env: WebEnv) -> None:
    """What the throttle keeps is the account, the client and the time."""
    client = env.client()
    _attempt(client, "Someone@Example.com", WRONG)
    with env.app.database().session() as s:
        rows = s.scalars(select(WebLoginFailureRow)).all()
    assert [(r.account, r.client) for r in rows] == [("someone@example.com", "testclient")]
    stored = " ".join(str(v) for r in rows for v in vars(r).values())
    assert WRONG not in stored


def test_a_success_clears_the_account_and_throttling_is_per_account(
    env: WebEnv, clock: FakeClock
) -> None:
    """Four failures then a success start the count again; another account is unaffected
    by one account's lockout (below the per-client limit)."""
    client = env.client()
    viewer, admin = email_of(Role.VIEWER), email_of(Role.ADMIN)
    for _ in range(4):
        _attempt(client, viewer, WRONG)
    assert _attempt(client, viewer, PASSWORD)[0] == 303
    for _ in range(4):
        assert _attempt(client, viewer, WRONG)[0] == 401
    assert _attempt(client, viewer, WRONG)[0] == 401
    assert _attempt(client, viewer, PASSWORD)[0] == 429
    assert _attempt(env.client(), admin, PASSWORD)[0] == 303


def test_a_client_trying_many_accounts_is_throttled(env: WebEnv) -> None:
    """Twenty failures from one address across accounts stop that address."""
    client = env.client()
    for i in range(20):
        assert _attempt(client, f"guess{i}@example.com", WRONG)[0] == 401
    status, retry = _attempt(client, email_of(Role.ADMIN), PASSWORD)
    assert status == 429
    assert retry is not None
    assert int(retry) == 15 * 60


@pytest.mark.parametrize("hammer", [0, 50])
def test_lockout_ends_on_time_however_often_it_is_tried(clock: FakeClock, hammer: int) -> None:
    """Refused attempts are neither checked nor counted: the lockout ends 15 minutes after
    the failures, however many attempts came in between."""
    users, failures = MemoryUserStore(), MemoryLoginFailures()
    add_user(users, FAST_HASHER, clock, "a@example.com", Role.VIEWER, Secret(PASSWORD))

    def attempt(password: str) -> dashboard_login.SignIn:
        return dashboard_login.sign_in(
            users, FAST_HASHER, failures, clock, "a@example.com", Secret(password), "192.0.2.1"
        )

    for _ in range(5):
        assert attempt(WRONG) == dashboard_login.SignIn(None)
    for _ in range(hammer):
        assert attempt(PASSWORD).retry_after == 15 * 60
    assert len(failures.rows) == 5
    clock.advance(ThrottleRules().window)
    signed = attempt(PASSWORD)
    assert signed.user is not None
    assert signed.user.email == "a@example.com"
    assert failures.rows == []
