"""Ports of mailbox provisioning: the provider, and the ledger that makes runs resumable."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from mailfleet.core.mailboxes.model import Capabilities, DesiredMailbox, ProviderMailbox
from mailfleet.core.secrets import Secret
from mailfleet.core.state import MailboxState


class MailboxProvider(Protocol):
    """A place that hosts mailboxes (Google Workspace, Microsoft 365, Mailcow, PostfixAdmin).

    Every method raises ``MailboxProviderError`` subclasses with the provider's reason.
    """

    @property
    def capabilities(self) -> Capabilities:
        """What this provider supports, and its password policy."""
        ...

    def list_mailboxes(self, domains: Sequence[str]) -> list[ProviderMailbox]:
        """Every mailbox the provider holds on ``domains``, suspended ones included."""
        ...

    def create(self, mailbox: DesiredMailbox, password: Secret) -> ProviderMailbox:
        """Create the mailbox with ``password`` and every supported setting."""
        ...

    def update(self, mailbox: DesiredMailbox) -> None:
        """Set every supported setting to the desired value, and lift a suspension."""
        ...

    def set_password(self, address: str, password: Secret) -> None:
        """Replace the mailbox's password."""
        ...

    def suspend(self, address: str) -> None:
        """Stop the mailbox from logging in and sending; its mail is kept."""
        ...

    def delete(self, address: str) -> None:
        """Remove the mailbox for good."""
        ...


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """What mailfleet knows of one mailbox's provisioning, beyond the spec."""

    address: str
    provider: str
    state: MailboxState
    provider_id: str | None = None
    intent: str | None = None  # an action begun and not finished: a crash happened mid-call
    intent_at: datetime | None = None
    provisioned_at: datetime | None = None
    last_login_at: datetime | None = None
    last_error: str = ""
    updated_at: datetime | None = None


class MailboxLedger(Protocol):
    """Where each mailbox's intent and outcome are written, one short transaction each."""

    def begin(self, address: str, provider: str, intent: str, at: datetime) -> None:
        """Record that ``intent`` is about to be sent to the provider."""
        ...

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
        """Record the outcome, clear the intent, and set the mailbox's fleet state."""
        ...

    def entries(self) -> Mapping[str, LedgerEntry]:
        """Every entry, by address."""
        ...
