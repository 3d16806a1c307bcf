"""Plan a provider's mailboxes: the spec's wishes against the provider's listing (pure diff).

Like a DNS plan, nothing outside the spec is touched unless asked: mailboxes at the provider
that left the spec are suspended only with ``suspend_missing``, and only on the spec's domains.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from mailfleet.core.mailboxes.model import Capabilities, DesiredMailbox, ProviderMailbox, Setting


class ActionKind(StrEnum):
    """What happens to one mailbox."""

    CREATE = "create"
    UPDATE = "update"  # settings drifted (or it was suspended): set them again
    UNCHANGED = "unchanged"
    SUSPEND = "suspend"  # left the spec; only when asked
    INVALID = "invalid"  # the provider would refuse it; reported, never sent


CHANGING = frozenset({ActionKind.CREATE, ActionKind.UPDATE, ActionKind.SUSPEND})


@dataclass(frozen=True, slots=True)
class MailboxAction:
    """One mailbox's planned action, the settings that differ, and why if invalid."""

    kind: ActionKind
    address: str
    provider: str
    desired: DesiredMailbox | None
    current: ProviderMailbox | None
    changes: tuple[Setting, ...] = ()
    reason: str = ""

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "action": self.kind.value,
            "address": self.address,
            "provider": self.provider,
            "changes": [c.value for c in self.changes],
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class MailboxPlan:
    """Every mailbox's action across providers."""

    actions: tuple[MailboxAction, ...]

    def of(self, kind: ActionKind) -> tuple[MailboxAction, ...]:
        """Actions of one kind."""
        return tuple(a for a in self.actions if a.kind == kind)

    def counts(self) -> dict[str, int]:
        """How many of each kind."""
        return {kind.value: len(self.of(kind)) for kind in ActionKind}

    @property
    def changing(self) -> tuple[MailboxAction, ...]:
        """The actions that call the provider."""
        return tuple(a for a in self.actions if a.kind in CHANGING)


def suspension_problem(plan: MailboxPlan, *, max_fraction: float = 0.1, floor: int = 5) -> str:
    """Why suspending this many mailboxes at once looks like a mistake, or an empty string.

    More than ``floor`` suspensions that are also more than ``max_fraction`` of the mailboxes
    the providers hold usually means a spec was truncated, not that the fleet shrank.
    """
    suspensions = len(plan.of(ActionKind.SUSPEND))
    held = sum(1 for a in plan.actions if a.current is not None)
    if suspensions > floor and suspensions > max_fraction * held:
        return (
            f"the plan suspends {suspensions} of {held} mailboxes at the providers; "
            "check the spec, then pass --force to go ahead"
        )
    return ""


def drift(
    desired: DesiredMailbox, current: ProviderMailbox, capabilities: Capabilities
) -> tuple[Setting, ...]:
    """Supported settings whose listed value differs; unreported values count as no drift."""
    wanted: Mapping[Setting, object] = {
        Setting.DISPLAY_NAME: desired.display_name,
        Setting.DAILY_LIMIT: desired.daily_limit,
        Setting.FORWARDING: tuple(sorted(desired.forward_to)),
        Setting.RELAY: desired.relay,
    }
    have: Mapping[Setting, object] = {
        Setting.DISPLAY_NAME: current.display_name,
        Setting.DAILY_LIMIT: current.daily_limit,
        Setting.FORWARDING: tuple(sorted(current.forward_to))
        if current.forward_to is not None
        else None,
        Setting.RELAY: current.relay,
    }
    changed = [
        setting
        for setting, value in wanted.items()
        if capabilities.supports(setting) and have[setting] is not None and have[setting] != value
    ]
    if current.suspended:
        changed.append(Setting.SUSPENDED)
    return tuple(changed)


def invalid_reason(desired: DesiredMailbox, capabilities: Capabilities) -> str:
    """Why the provider would refuse this mailbox as written, or an empty string."""
    problem = capabilities.username_problem(desired.username)
    if problem:
        return problem
    if len(desired.display_name) > capabilities.max_display_name:
        return (
            f"display name is {len(desired.display_name)} characters; {capabilities.kind} "
            f"allows {capabilities.max_display_name}"
        )
    limit = capabilities.max_daily_limit
    if (
        limit is not None
        and capabilities.supports(Setting.DAILY_LIMIT)
        and desired.daily_limit > limit
    ):
        return f"daily limit {desired.daily_limit} is above {capabilities.kind}'s maximum {limit}"
    return ""


def plan_provider(
    provider: str,
    desired: Sequence[DesiredMailbox],
    listing: Iterable[ProviderMailbox],
    capabilities: Capabilities,
    *,
    suspend_missing: bool = False,
) -> list[MailboxAction]:
    """Actions for one provider. Duplicate spec addresses keep their first occurrence."""
    current = {m.address.lower(): m for m in listing}
    actions: list[MailboxAction] = []
    seen: set[str] = set()
    for mailbox in desired:
        address = mailbox.address.lower()
        if address in seen:
            continue
        seen.add(address)
        have = current.get(address)
        reason = invalid_reason(mailbox, capabilities) if have is None else ""
        if reason:
            actions.append(
                MailboxAction(ActionKind.INVALID, address, provider, mailbox, None, reason=reason)
            )
        elif have is None:
            actions.append(MailboxAction(ActionKind.CREATE, address, provider, mailbox, None))
        else:
            changes = drift(mailbox, have, capabilities)
            kind = ActionKind.UPDATE if changes else ActionKind.UNCHANGED
            actions.append(MailboxAction(kind, address, provider, mailbox, have, changes))
    if suspend_missing:
        domains = {m.domain for m in desired}
        for address, have in sorted(current.items()):
            if address not in seen and not have.suspended and address.split("@")[-1] in domains:
                actions.append(MailboxAction(ActionKind.SUSPEND, address, provider, None, have))
    return actions
