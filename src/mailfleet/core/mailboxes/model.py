"""Values of mailbox provisioning: what the spec wants, what a provider has, what it supports."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from mailfleet.core.fleet import Fleet, ProviderRole


class Setting(StrEnum):
    """A mailbox setting that mailfleet keeps uniform; providers declare which they support."""

    DISPLAY_NAME = "display_name"
    DAILY_LIMIT = "daily_limit"
    FORWARDING = "forwarding"
    RELAY = "relay"  # the SMTP relay (smarthost) the mailbox sends through
    SUSPENDED = "suspended"


@dataclass(frozen=True, slots=True)
class PasswordPolicy:
    """A provider's password rules: length bounds and how many of each class it demands."""

    min_length: int = 16
    max_length: int = 64
    length: int = 24  # what mailfleet generates, within the bounds
    min_lower: int = 1
    min_upper: int = 1
    min_digits: int = 1
    min_symbols: int = 1
    symbols: str = "!#%+-=_.:@"  # symbols every provider and SMTP tool accepts unquoted

    def problems(self) -> list[str]:
        """Why this policy cannot be met (empty when it can)."""
        found = []
        if not self.min_length <= self.length <= self.max_length:
            found.append(f"length {self.length} is outside {self.min_length}-{self.max_length}")
        required = self.min_lower + self.min_upper + self.min_digits + self.min_symbols
        if required > self.length:
            found.append(f"the classes need {required} characters but length is {self.length}")
        if self.min_symbols and not self.symbols:
            found.append("symbols are required but none are allowed")
        return found


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What one provider kind supports, declared as data (``policy/mailboxes/providers.toml``)."""

    kind: str
    settings: frozenset[Setting]
    password: PasswordPolicy
    username_pattern: str = r"^[a-z0-9][a-z0-9._+-]{0,63}$"
    max_display_name: int = 128
    max_daily_limit: int | None = None

    def supports(self, setting: Setting) -> bool:
        """True when the provider can hold ``setting``."""
        return setting in self.settings

    def username_problem(self, username: str) -> str | None:
        """Why the provider would refuse ``username``, or ``None``."""
        if not re.fullmatch(self.username_pattern, username):
            return f"{self.kind} does not accept the username {username!r}"
        return None


@dataclass(frozen=True, slots=True)
class DesiredMailbox:
    """One mailbox as the spec wants it, with the names of its provider, relay and segment."""

    username: str
    domain: str
    display_name: str
    daily_limit: int
    forward_to: tuple[str, ...]
    relay: str
    provider: str
    segment: str

    @property
    def address(self) -> str:
        """``username@domain``."""
        return f"{self.username}@{self.domain}"


@dataclass(frozen=True, slots=True)
class ProviderMailbox:
    """One mailbox as a provider lists it. ``None`` means the provider does not report it."""

    address: str
    provider_id: str
    display_name: str | None = None
    daily_limit: int | None = None
    forward_to: tuple[str, ...] | None = None
    relay: str | None = None
    suspended: bool = False
    last_login_at: datetime | None = None
    created_at: datetime | None = None
    extra: tuple[tuple[str, str], ...] = field(default=())


def desired_mailboxes(fleet: Fleet) -> dict[str, list[DesiredMailbox]]:
    """Every mailbox of the spec, grouped by the name of its mailbox provider, in spec order."""
    grouped: dict[str, list[DesiredMailbox]] = {}
    for domain in fleet.domains:
        for mailbox in domain.mailboxes:
            grouped.setdefault(domain.mailbox_provider, []).append(
                DesiredMailbox(
                    username=mailbox.username,
                    domain=domain.name,
                    display_name=mailbox.display_name or mailbox.username,
                    daily_limit=mailbox.daily_limit,
                    forward_to=tuple(sorted(mailbox.forward_to)),
                    relay=domain.relay,
                    provider=domain.mailbox_provider,
                    segment=domain.segment,
                )
            )
    return grouped


def provider_kinds(fleet: Fleet) -> dict[str, str]:
    """Mailbox provider names to their kinds."""
    return {
        name: provider.kind
        for (role, name), provider in fleet.providers.items()
        if role == ProviderRole.MAILBOX
    }
