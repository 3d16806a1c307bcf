"""Mailbox use cases: plan, then apply concurrently, resumably, without losing a password.

The order of writes for a new mailbox is what makes a crash at any point safe:

1. its password is generated and stored in the vault (or the one an interrupted run stored is
   reused), so the provider never holds a password that mailfleet does not;
2. the intent is written to the ledger;
3. the provider is called, with retries that honour Retry-After;
4. the outcome is written (state, provider id, provisioned time).

A re-run lists the provider first, so a mailbox created just before a crash is seen as
existing, never created twice; its ledger entry is then completed.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from functools import partial
from typing import TypeVar

from mailfleet.core.errors import ProviderError, SecretNotFound
from mailfleet.core.fleet import Fleet
from mailfleet.core.mailboxes.backoff import RetryPolicy, backoff_delay
from mailfleet.core.mailboxes.errors import MailboxExists, RateLimited, UnsafePlan
from mailfleet.core.mailboxes.model import DesiredMailbox, desired_mailboxes
from mailfleet.core.mailboxes.passwords import generate_password, password_problems
from mailfleet.core.mailboxes.plan import (
    ActionKind,
    MailboxAction,
    MailboxPlan,
    plan_provider,
    suspension_problem,
)
from mailfleet.core.mailboxes.ports import LedgerEntry, MailboxLedger, MailboxProvider
from mailfleet.core.ports import Clock, SecretVault
from mailfleet.core.secrets import Secret
from mailfleet.core.state import MailboxState

T = TypeVar("T")
ProviderFactory = Callable[[str], MailboxProvider]


def password_name(address: str) -> str:
    """The vault name of a mailbox's password."""
    return f"mailbox/{address}/password"


class Status(StrEnum):
    """How one mailbox ended in an apply."""

    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    SUSPENDED = "suspended"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Outcome:
    """One mailbox's result, with the provider's reason when it failed."""

    address: str
    provider: str
    action: ActionKind
    status: Status
    reason: str = ""
    attempts: int = 0

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "address": self.address,
            "provider": self.provider,
            "action": self.action.value,
            "status": self.status.value,
            "reason": self.reason,
            "attempts": self.attempts,
        }


@dataclass(frozen=True)
class ApplyReport:
    """Every outcome of an apply."""

    outcomes: tuple[Outcome, ...]

    def counts(self) -> dict[str, int]:
        """How many mailboxes ended in each status."""
        return {s.value: sum(1 for o in self.outcomes if o.status == s) for s in Status}

    @property
    def failed(self) -> tuple[Outcome, ...]:
        """The failures, with reasons."""
        return tuple(o for o in self.outcomes if o.status == Status.FAILED)

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "ok": not self.failed,
            "summary": self.counts(),
            "mailboxes": [o.as_dict() for o in self.outcomes],
        }


@dataclass
class Retrier:
    """Calls a provider, retrying retryable errors with backoff; counts the tries.

    Shared by every worker of a run. When the provider answers 429 with Retry-After, all
    workers hold until then, instead of each earning its own 429 first. Once ``pace`` is
    given the pool size, calls in flight are also paced like TCP congestion control
    (additive increase, multiplicative decrease): each 429 halves the window, each success
    widens it a little, so a run settles just under the provider's rate limit.
    """

    clock: Clock
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    rand: Callable[[], float] = field(default_factory=lambda: secrets.SystemRandom().random)
    _hold_until: datetime | None = field(default=None, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)
    _slots: threading.Condition = field(default_factory=threading.Condition, init=False)
    _window: float = field(default=0.0, init=False)  # 0: not paced
    _ceiling: int = field(default=0, init=False)
    _in_flight: int = field(default=0, init=False)

    def pace(self, workers: int) -> None:
        """Pace calls for a pool of ``workers``: start wide open, narrow on 429."""
        with self._slots:
            self._ceiling = max(1, workers)
            self._window = float(self._ceiling)

    @property
    def window(self) -> float:
        """How many calls may be in flight now (0 when not paced)."""
        return self._window

    def call(self, fn: Callable[[], T]) -> tuple[T, int]:
        """``fn()``'s result and how many tries it took; re-raises the last error."""
        attempt = 1
        while True:
            self._wait_for_hold()
            self._acquire()
            try:
                result = fn()
            except ProviderError as exc:
                self._release(limited=isinstance(exc, RateLimited))
                if not exc.retryable or attempt >= self.policy.attempts:
                    raise
                hint = exc.retry_after if isinstance(exc, RateLimited) else None
                if hint:
                    self._hold(hint)
                self.clock.sleep(backoff_delay(attempt, self.policy, hint, self.rand()))
                attempt += 1
            else:
                self._release(limited=False)
                return result, attempt

    def _acquire(self) -> None:
        with self._slots:
            while self._window and self._in_flight >= max(1, int(self._window)):
                self._slots.wait()
            self._in_flight += 1

    def _release(self, *, limited: bool) -> None:
        with self._slots:
            self._in_flight -= 1
            if self._window:
                if limited:
                    self._window = max(1.0, self._window / 2)
                else:
                    self._window = min(float(self._ceiling), self._window + 1 / self._window)
            self._slots.notify_all()

    def _hold(self, seconds: float) -> None:
        until = self.clock.now() + timedelta(seconds=seconds)
        with self._lock:
            if self._hold_until is None or until > self._hold_until:
                self._hold_until = until

    def _wait_for_hold(self) -> None:
        with self._lock:
            until = self._hold_until
        if until is not None:
            remaining = (until - self.clock.now()).total_seconds()
            if remaining > 0:
                self.clock.sleep(remaining)


def plan_mailboxes(
    fleet: Fleet,
    providers: ProviderFactory,
    *,
    suspend_missing: bool = False,
    retrier: Retrier,
    only: Sequence[str] = (),
) -> MailboxPlan:
    """List each provider's mailboxes on the spec's domains and diff them with the spec."""
    actions: list[MailboxAction] = []
    for name, desired in desired_mailboxes(fleet).items():
        if only and name not in only:
            continue
        provider = providers(name)
        domains = sorted({m.domain for m in desired})
        listing, _ = retrier.call(partial(provider.list_mailboxes, domains))
        actions += plan_provider(
            name, desired, listing, provider.capabilities, suspend_missing=suspend_missing
        )
    return MailboxPlan(tuple(actions))


def check_safe(plan: MailboxPlan, *, force: bool) -> None:
    """Raise ``UnsafePlan`` when the plan suspends too much at once, unless forced."""
    problem = suspension_problem(plan)
    if problem and not force:
        raise UnsafePlan(problem)


@dataclass
class Applier:
    """Carries out a plan's actions; one ``run`` per mailbox, safe to call from many threads."""

    providers: Mapping[str, MailboxProvider]
    vault: SecretVault
    ledger: MailboxLedger
    clock: Clock
    retrier: Retrier
    known: Mapping[str, LedgerEntry]

    def run(self, action: MailboxAction) -> Outcome:
        """Apply one action and record its outcome; provider errors become a FAILED outcome."""
        provider = self.providers[action.provider]
        try:
            if action.kind == ActionKind.CREATE:
                return self._create(action, provider)
            if action.kind == ActionKind.UPDATE:
                return self._update(action, provider)
            if action.kind == ActionKind.SUSPEND:
                return self._suspend(action, provider)
            if action.kind == ActionKind.INVALID:
                return self._fail(action, action.reason, MailboxState.FAILED, 0)
            return self._unchanged(action)
        except _CallFailed as failed:
            state = MailboxState.FAILED if action.kind == ActionKind.CREATE else None
            return self._fail(action, failed.reason, state, failed.attempts)

    def _password(self, desired: DesiredMailbox, provider: MailboxProvider) -> Secret:
        """The vault's password for the mailbox, stored before any provider call."""
        policy = provider.capabilities.password
        name = password_name(desired.address)
        try:
            stored = self.vault.get(name)  # an interrupted run's password: keep using it
            if not password_problems(stored.reveal(), policy):
                return stored
        except SecretNotFound:
            pass
        password = generate_password(policy)
        self.vault.put(name, password)
        return password

    def _create(self, action: MailboxAction, provider: MailboxProvider) -> Outcome:
        desired = action.desired
        assert desired is not None
        password = self._password(desired, provider)
        self.ledger.begin(action.address, action.provider, "create", self.clock.now())
        try:
            created, tries = self._tried(lambda: provider.create(desired, password))
            provider_id: str | None = created.provider_id
        except MailboxExists:
            # created by an earlier call whose answer was lost: make it ours, password included
            _, tries = self._tried(lambda: provider.set_password(desired.address, password))
            self._tried(lambda: provider.update(desired))
            provider_id = None
        self.ledger.finish(
            action.address,
            action.provider,
            state=MailboxState.ACTIVE,
            at=self.clock.now(),
            provider_id=provider_id,
            provisioned=True,
        )
        return Outcome(action.address, action.provider, action.kind, Status.CREATED, "", tries)

    def _update(self, action: MailboxAction, provider: MailboxProvider) -> Outcome:
        desired = action.desired
        assert desired is not None
        self.ledger.begin(action.address, action.provider, "update", self.clock.now())
        _, tries = self._tried(lambda: provider.update(desired))
        self._finish_active(action)
        reason = "corrected: " + ", ".join(c.value for c in action.changes)
        return Outcome(action.address, action.provider, action.kind, Status.UPDATED, reason, tries)

    def _suspend(self, action: MailboxAction, provider: MailboxProvider) -> Outcome:
        self.ledger.begin(action.address, action.provider, "suspend", self.clock.now())
        _, tries = self._tried(lambda: provider.suspend(action.address))
        self.ledger.finish(
            action.address, action.provider, state=MailboxState.SUSPENDED, at=self.clock.now()
        )
        reason = "not in the spec"
        return Outcome(
            action.address, action.provider, action.kind, Status.SUSPENDED, reason, tries
        )

    def _unchanged(self, action: MailboxAction) -> Outcome:
        entry = self.known.get(action.address)
        current = action.current
        login = current.last_login_at if current else None
        stale = (
            entry is None
            or entry.state != MailboxState.ACTIVE
            or entry.intent is not None
            or (login is not None and login != entry.last_login_at)
        )
        if stale:  # e.g. created just before a crash: complete the ledger, call nobody
            self._finish_active(action)
        return Outcome(action.address, action.provider, action.kind, Status.UNCHANGED)

    def _finish_active(self, action: MailboxAction) -> None:
        current = action.current
        self.ledger.finish(
            action.address,
            action.provider,
            state=MailboxState.ACTIVE,
            at=self.clock.now(),
            provider_id=current.provider_id if current else None,
            provisioned=True,
            last_login_at=current.last_login_at if current else None,
        )

    def _fail(
        self, action: MailboxAction, reason: str, state: MailboxState | None, tries: int
    ) -> Outcome:
        entry = self.known.get(action.address)
        # a failed update or suspension leaves an existing mailbox as it was
        keep = entry.state if entry is not None else MailboxState.ACTIVE
        self.ledger.finish(
            action.address,
            action.provider,
            state=state or keep,
            at=self.clock.now(),
            error=reason,
        )
        return Outcome(action.address, action.provider, action.kind, Status.FAILED, reason, tries)

    def _tried(self, fn: Callable[[], T]) -> tuple[T, int]:
        try:
            return self.retrier.call(fn)
        except MailboxExists:
            raise
        except ProviderError as exc:
            tries = self.retrier.policy.attempts if exc.retryable else 1
            raise _CallFailed(str(exc), tries) from exc


class _CallFailed(Exception):
    """A provider call that failed for good: its reason and how many tries it took."""

    def __init__(self, reason: str, attempts: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.attempts = attempts


def apply_plan(
    plan: MailboxPlan,
    providers: Mapping[str, MailboxProvider],
    vault: SecretVault,
    ledger: MailboxLedger,
    clock: Clock,
    *,
    retrier: Retrier,
    workers: int = 16,
    progress: Callable[[Outcome], None] | None = None,
) -> ApplyReport:
    """Apply every action with at most ``workers`` provider calls in flight.

    One mailbox's failure is recorded with its reason and never stops the others.
    """
    retrier.pace(workers)
    applier = Applier(providers, vault, ledger, clock, retrier, ledger.entries())
    order = {action.address: i for i, action in enumerate(plan.actions)}
    outcomes: list[Outcome] = []
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="mailbox") as pool:
        for future in as_completed([pool.submit(applier.run, a) for a in plan.actions]):
            outcome = future.result()
            outcomes.append(outcome)
            if progress is not None:
                progress(outcome)
    outcomes.sort(key=lambda o: order.get(o.address, 0))
    return ApplyReport(tuple(outcomes))
