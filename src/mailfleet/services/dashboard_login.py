"""Signing in to the dashboard, throttled: repeated failures for one account or from one
client address make further attempts wait (HTTP 429 with ``Retry-After``, RFC 6585 §4).

Failures are counted in a sliding window: after ``account_limit`` failures for an account
within ``window``, or ``client_limit`` from one client address, sign-in is refused without
checking the password until enough of them have aged out. Refused attempts are not counted,
so a locked account opens again on time however hard it is hammered. A success clears the
account's failures (not the client's). The password tried is never stored or logged.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from math import ceil
from typing import Protocol

from mailfleet.core.dashboard.accounts import PasswordHasher, User, UserStore
from mailfleet.core.ports import Clock
from mailfleet.core.secrets import Secret
from mailfleet.services import users as user_service

log = logging.getLogger(__name__)


class LoginFailures(Protocol):
    """Failed sign-ins: when, for which account, from which client."""

    def failures(
        self, account: str, client: str, since: datetime
    ) -> tuple[list[datetime], list[datetime]]:
        """When the account, and the client, failed since ``since``; oldest first."""
        ...

    def record(self, account: str, client: str, at: datetime, forget_before: datetime) -> None:
        """Store one failure and drop those older than ``forget_before``."""
        ...

    def clear_account(self, account: str) -> None:
        """Forget the account's failures."""
        ...


@dataclass(frozen=True, slots=True)
class ThrottleRules:
    """How many failures a window allows, per account and per client address.

    The client limit is higher because one address may be a whole office behind NAT.
    """

    account_limit: int = 5
    client_limit: int = 20
    window: timedelta = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class SignIn:
    """The outcome of an attempt: the user, or a refusal (and when to retry if throttled)."""

    user: User | None
    retry_after: int | None = None  # seconds; set when the attempt was not even checked


def _wait(times: list[datetime], limit: int, window: timedelta, now: datetime) -> float:
    """Seconds until fewer than ``limit`` of ``times`` are in the window (0 if already)."""
    if len(times) < limit:
        return 0.0
    # the failure whose expiry brings the count down to limit - 1
    return max((times[len(times) - limit] + window - now).total_seconds(), 0.0)


def retry_after(
    failures: LoginFailures, rules: ThrottleRules, account: str, client: str, now: datetime
) -> int | None:
    """Seconds to wait before an attempt for ``account`` from ``client`` is checked, or
    ``None`` when it may be checked now."""
    by_account, by_client = failures.failures(account, client, now - rules.window)
    wait = max(
        _wait(by_account, rules.account_limit, rules.window, now),
        _wait(by_client, rules.client_limit, rules.window, now),
    )
    return max(ceil(wait), 1) if wait > 0 else None


def sign_in(
    users: UserStore,
    hasher: PasswordHasher,
    failures: LoginFailures,
    clock: Clock,
    email: str,
    password: Secret,
    client: str,
    rules: ThrottleRules | None = None,
) -> SignIn:
    """Check a sign-in unless the account or the client is throttled; record a failure."""
    rules = rules or ThrottleRules()
    account = user_service.normalise_email(email)[:320]
    now = clock.now()
    wait = retry_after(failures, rules, account, client, now)
    if wait is not None:
        log.warning("sign-in refused for %s from %s: throttled for %d s", account, client, wait)
        return SignIn(None, wait)
    user = user_service.authenticate(users, hasher, account, password)
    if user is None:
        failures.record(account, client, now, now - rules.window)
        log.warning("sign-in failed for %s from %s", account, client)
        return SignIn(None)
    failures.clear_account(account)
    return SignIn(user)
