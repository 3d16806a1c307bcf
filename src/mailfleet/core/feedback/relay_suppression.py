"""Keeping mailfleet's suppression list and a relay's own list in step: what to copy which way.

Relays keep their own lists: Amazon SES an account-level suppression list (reasons BOUNCE
and COMPLAINT), Mailgun per-domain bounces, complaints and unsubscribes. An address one side
suppresses and the other does not is mail the other side would still try to send, or a
bounce it would still count. :func:`plan_sync` compares the two lists and says what to add
where; nothing is ever removed, so running it again changes nothing (it is idempotent).

- pull: a relay's bounces and complaints become global suppressions here (what a relay
  learned about an address holds for every sending domain); Mailgun's unsubscribes apply to
  its own domain, so they become suppressions scoped to that domain.
- push: permanent global suppressions here go to the relay: complaints as complaints, the
  rest as bounces. Suppressions that expire (repeated soft bounces) stay here: a relay's list
  does not expire entries, and the address may recover.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from mailfleet.core.feedback.events import GLOBAL_SCOPE, Suppression


class RemoteKind(StrEnum):
    """Why a relay suppresses an address."""

    BOUNCE = "bounce"
    COMPLAINT = "complaint"
    UNSUBSCRIBE = "unsubscribe"


class Direction(StrEnum):
    """Which way a sync copies."""

    PULL = "pull"
    PUSH = "push"
    BOTH = "both"


@dataclass(frozen=True, slots=True)
class RemoteSuppression:
    """One address on a relay's list."""

    address: str
    kind: RemoteKind
    created_at: datetime | None = None
    detail: str = ""  # the relay's own words (a bounce's error text); or what we send it

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "address": self.address,
            "kind": self.kind.value,
            "created_at": self.created_at.isoformat() if self.created_at else None,
        }


@dataclass(frozen=True, slots=True)
class SyncPlan:
    """What a sync adds on each side."""

    pull: tuple[Suppression, ...] = ()
    push: tuple[RemoteSuppression, ...] = ()
    in_step: int = 0  # addresses already on both sides


def _remote_kind(entry: Suppression, kinds: frozenset[RemoteKind]) -> RemoteKind | None:
    if entry.reason == "complaint" or entry.reason.endswith(":complaint"):
        wanted = RemoteKind.COMPLAINT
    elif entry.reason.startswith("unsubscribe") or entry.reason.endswith(":unsubscribe"):
        wanted = RemoteKind.UNSUBSCRIBE
    else:
        wanted = RemoteKind.BOUNCE
    return wanted if wanted in kinds else None


def plan_sync(
    local: Iterable[Suppression],
    remote: Iterable[RemoteSuppression],
    *,
    relay: str,
    direction: Direction,
    now: datetime,
    kinds: Sequence[RemoteKind] = (RemoteKind.BOUNCE, RemoteKind.COMPLAINT),
    unsubscribe_scope: str | None = None,
) -> SyncPlan:
    """What to add here (``pull``) and on the relay (``push``) so both suppress the same.

    ``kinds`` are the lists the relay keeps (SES: bounce and complaint); ``unsubscribe_scope``
    is the sending domain a relay's unsubscribes apply to (Mailgun: its domain).
    """
    active = [entry for entry in local if entry.active(now)]
    covered = {(e.address.lower(), e.scope) for e in active}
    remote_addresses = {r.address.lower() for r in remote if "@" in r.address}
    pull: dict[tuple[str, str], Suppression] = {}
    if direction in (Direction.PULL, Direction.BOTH):
        for item in remote:
            address = item.address.strip().lower()
            if "@" not in address:
                continue
            scope = GLOBAL_SCOPE
            if item.kind is RemoteKind.UNSUBSCRIBE:
                if unsubscribe_scope is None:
                    continue
                scope = unsubscribe_scope.lower()
            if (address, GLOBAL_SCOPE) in covered or (address, scope) in covered:
                continue
            reason = "complaint" if item.kind is RemoteKind.COMPLAINT else f"{relay}:{item.kind}"
            pull.setdefault(
                (address, scope),
                Suppression(address, scope, reason, f"relay:{relay}", item.created_at or now),
            )
    push: dict[str, RemoteSuppression] = {}
    kind_set = frozenset(kinds)
    if direction in (Direction.PUSH, Direction.BOTH):
        for entry in active:
            address = entry.address.lower()
            if entry.scope != GLOBAL_SCOPE or entry.expires_at is not None:
                continue
            if address in remote_addresses or address in push:
                continue
            kind = _remote_kind(entry, kind_set)
            if kind is not None:
                push[address] = RemoteSuppression(address, kind, entry.created_at, entry.reason)
    in_step = len({e.address.lower() for e in active if e.scope == GLOBAL_SCOPE} & remote_addresses)
    return SyncPlan(tuple(pull.values()), tuple(push.values()), in_step)
