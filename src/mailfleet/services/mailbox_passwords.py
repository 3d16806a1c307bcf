"""Password rotation: a new password to each chosen mailbox, without a window where the vault
and the provider disagree for good.

The new password is first stored under ``mailbox/<address>/password.next``, then sent to the
provider, then promoted to ``mailbox/<address>/password``. A rotation cut off at any point is
finished by running it again: a pending ``.next`` is reused, never replaced.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

from mailfleet.core.errors import ProviderError, SecretNotFound
from mailfleet.core.fleet import Fleet
from mailfleet.core.mailboxes.model import DesiredMailbox, desired_mailboxes
from mailfleet.core.mailboxes.passwords import generate_password, password_problems
from mailfleet.core.mailboxes.plan import ActionKind
from mailfleet.core.mailboxes.ports import MailboxLedger, MailboxProvider
from mailfleet.core.ports import Clock, SecretVault
from mailfleet.core.secrets import Secret
from mailfleet.core.state import MailboxState
from mailfleet.services.mailboxes import (
    ApplyReport,
    Outcome,
    ProviderFactory,
    Retrier,
    Status,
    password_name,
)


def pending_name(address: str) -> str:
    """Where a rotation keeps the new password until the provider has it."""
    return password_name(address) + ".next"


def chosen(
    fleet: Fleet, addresses: Sequence[str] = (), domain: str | None = None
) -> list[DesiredMailbox]:
    """Spec mailboxes matching the addresses and/or domain (all when neither is given)."""
    wanted = {a.lower() for a in addresses}
    return [
        m
        for group in desired_mailboxes(fleet).values()
        for m in group
        if (not wanted or m.address in wanted) and (domain is None or m.domain == domain)
    ]


def rotate_passwords(
    mailboxes: Sequence[DesiredMailbox],
    providers: ProviderFactory,
    vault: SecretVault,
    ledger: MailboxLedger,
    clock: Clock,
    *,
    retrier: Retrier,
    workers: int = 8,
    progress: Callable[[Outcome], None] | None = None,
) -> ApplyReport:
    """Give each mailbox a new password; failures are reported per mailbox."""
    resolved = {m.provider: providers(m.provider) for m in mailboxes}

    def one(mailbox: DesiredMailbox) -> Outcome:
        outcome = _rotate(mailbox, resolved[mailbox.provider], vault, ledger, clock, retrier)
        if progress is not None:
            progress(outcome)
        return outcome

    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="rotate") as pool:
        return ApplyReport(tuple(pool.map(one, mailboxes)))


def _rotate(
    mailbox: DesiredMailbox,
    provider: MailboxProvider,
    vault: SecretVault,
    ledger: MailboxLedger,
    clock: Clock,
    retrier: Retrier,
) -> Outcome:
    address, policy = mailbox.address, provider.capabilities.password
    try:
        fresh = vault.get(pending_name(address))  # an interrupted rotation: finish it
        if password_problems(fresh.reveal(), policy):
            raise SecretNotFound(address)
    except SecretNotFound:
        fresh = generate_password(policy)
        vault.put(pending_name(address), fresh)
    ledger.begin(address, mailbox.provider, "rotate", clock.now())
    try:
        _, tries = retrier.call(lambda: provider.set_password(address, fresh))
    except ProviderError as exc:
        ledger.finish(
            address, mailbox.provider, state=MailboxState.ACTIVE, at=clock.now(), error=str(exc)
        )
        return Outcome(address, mailbox.provider, ActionKind.UPDATE, Status.FAILED, str(exc))
    _promote(vault, address, fresh)
    ledger.finish(address, mailbox.provider, state=MailboxState.ACTIVE, at=clock.now())
    return Outcome(
        address, mailbox.provider, ActionKind.UPDATE, Status.UPDATED, "password rotated", tries
    )


def _promote(vault: SecretVault, address: str, fresh: Secret) -> None:
    vault.put(password_name(address), fresh)
    vault.delete(pending_name(address))
