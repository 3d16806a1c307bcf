"""The in-memory mailbox provider and ledger: the twins that unit tests and the demo use."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime

from mailfleet.core.mailboxes.errors import MailboxExists, MailboxNotFound, MailboxProviderError
from mailfleet.core.mailboxes.model import Capabilities, DesiredMailbox, ProviderMailbox
from mailfleet.core.mailboxes.ports import LedgerEntry
from mailfleet.core.secrets import Secret
from mailfleet.core.state import MailboxState
from mailfleet.policy.mailboxes import capabilities as declared


class InMemoryMailboxProvider:
    """Mailboxes in a dict. ``calls`` records every call; ``failures`` injects errors by address.

    A failure is raised once per entry in its list, so ``[RateLimited(...), None]`` fails the
    first try only; ``None`` entries mean "succeed".
    """

    def __init__(self, capabilities: Capabilities | None = None) -> None:
        self._capabilities = capabilities or declared("memory")
        self.mailboxes: dict[str, ProviderMailbox] = {}
        self.passwords: dict[str, str] = {}
        self.calls: list[tuple[str, str]] = []
        self.failures: dict[tuple[str, str], list[MailboxProviderError | None]] = {}
        self._lock = threading.Lock()
        self._next_id = 1

    @property
    def capabilities(self) -> Capabilities:
        """The declared capabilities of the memory kind (or those given)."""
        return self._capabilities

    def _enter(self, method: str, address: str) -> None:
        with self._lock:
            self.calls.append((method, address))
            queue = self.failures.get((method, address))
            error = queue.pop(0) if queue else None
        if error is not None:
            raise error

    def list_mailboxes(self, domains: Sequence[str]) -> list[ProviderMailbox]:
        """Mailboxes on ``domains``."""
        self._enter("list", ",".join(domains))
        wanted = set(domains)
        with self._lock:
            return [m for a, m in self.mailboxes.items() if a.split("@")[1] in wanted]

    def create(self, mailbox: DesiredMailbox, password: Secret) -> ProviderMailbox:
        """Add the mailbox; ``MailboxExists`` if the address is taken."""
        self._enter("create", mailbox.address)
        with self._lock:
            if mailbox.address in self.mailboxes:
                raise MailboxExists(f"{mailbox.address} already exists")
            created = ProviderMailbox(
                address=mailbox.address,
                provider_id=f"mem-{self._next_id}",
                display_name=mailbox.display_name,
                daily_limit=mailbox.daily_limit,
                forward_to=mailbox.forward_to,
                relay=mailbox.relay,
            )
            self._next_id += 1
            self.mailboxes[mailbox.address] = created
            self.passwords[mailbox.address] = password.reveal()
            return created

    def update(self, mailbox: DesiredMailbox) -> None:
        """Set every setting and lift a suspension."""
        self._enter("update", mailbox.address)
        with self._lock:
            current = self._get(mailbox.address)
            self.mailboxes[mailbox.address] = replace(
                current,
                display_name=mailbox.display_name,
                daily_limit=mailbox.daily_limit,
                forward_to=mailbox.forward_to,
                relay=mailbox.relay,
                suspended=False,
            )

    def set_password(self, address: str, password: Secret) -> None:
        """Replace the password."""
        self._enter("set_password", address)
        with self._lock:
            self._get(address)
            self.passwords[address] = password.reveal()

    def suspend(self, address: str) -> None:
        """Mark the mailbox suspended."""
        self._enter("suspend", address)
        with self._lock:
            self.mailboxes[address] = replace(self._get(address), suspended=True)

    def delete(self, address: str) -> None:
        """Remove the mailbox."""
        self._enter("delete", address)
        with self._lock:
            self._get(address)
            del self.mailboxes[address]
            self.passwords.pop(address, None)

    def _get(self, address: str) -> ProviderMailbox:
        try:
            return self.mailboxes[address]
        except KeyError:
            raise MailboxNotFound(f"{address} does not exist") from None

    def changing_calls(self) -> list[tuple[str, str]]:
        """Calls that change something (all but ``list``)."""
        return [c for c in self.calls if c[0] != "list"]


class InMemoryMailboxLedger:
    """The ``MailboxLedger`` twin: entries in a dict."""

    def __init__(self) -> None:
        self._entries: dict[str, LedgerEntry] = {}
        self._lock = threading.Lock()

    def begin(self, address: str, provider: str, intent: str, at: datetime) -> None:
        """Record an intent."""
        with self._lock:
            entry = self._entries.get(address) or LedgerEntry(
                address, provider, MailboxState.PLANNED
            )
            self._entries[address] = replace(
                entry, provider=provider, intent=intent, intent_at=at, updated_at=at
            )

    def finish(
        self,
        address: str,
        provider: str,
        *,
        state: MailboxState,
        at: datetime,
        provider_id: str | None = None,
        error: str = "",
        provisioned: bool = False,
        last_login_at: datetime | None = None,
    ) -> None:
        """Record an outcome."""
        with self._lock:
            entry = self._entries.get(address) or LedgerEntry(address, provider, state)
            self._entries[address] = replace(
                entry,
                provider=provider,
                state=state,
                provider_id=provider_id or entry.provider_id,
                intent=None,
                intent_at=None,
                provisioned_at=entry.provisioned_at or (at if provisioned else None),
                last_login_at=last_login_at or entry.last_login_at,
                last_error=error,
                updated_at=at,
            )

    def entries(self) -> Mapping[str, LedgerEntry]:
        """A copy of every entry."""
        with self._lock:
            return dict(self._entries)
