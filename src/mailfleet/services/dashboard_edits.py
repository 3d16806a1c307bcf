"""What the dashboard changes: the suppression list and the domain actions, through the
capabilities' own services (suppression, DNS verification, DKIM rotation, isolation)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from mailfleet.core.dashboard.ports import ActionOutcome, DomainAction
from mailfleet.core.dashboard.values import SuppressionItem
from mailfleet.core.errors import MailfleetError
from mailfleet.core.feedback.ports import FeedbackStore
from mailfleet.core.ports import Clock
from mailfleet.core.reputation.ports import DomainStateStore
from mailfleet.core.state import DomainState
from mailfleet.services import isolation
from mailfleet.services.suppression import add_suppression, list_suppressions, remove_suppression

DASHBOARD_SOURCE = "dashboard"


class SuppressionEditor:
    """Implements ``SuppressionSource`` over the feedback store: searchable and editable."""

    def __init__(self, store: FeedbackStore, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    def search(self, text: str, limit: int) -> Sequence[SuppressionItem]:
        """Active suppressions whose address contains ``text``, newest first."""
        needle = text.strip().lower()
        chosen = [
            e for e in list_suppressions(self._store, self._clock) if needle in e.address.lower()
        ]
        chosen.sort(key=lambda e: e.created_at, reverse=True)
        return tuple(
            SuppressionItem(e.address, f"{e.reason} ({e.scope}, {e.source})", e.created_at)
            for e in chosen[:limit]
        )

    def editable(self) -> bool:
        """Edits go to the same table the senders read: always possible."""
        return True

    def suppress(self, address: str, reason: str, by: str, now: datetime) -> bool:
        """Suppress ``address`` everywhere; ``False`` when it already was.

        Raises ``SuppressionInputError`` for a string that is not an email address.
        """
        _, added = add_suppression(
            self._store, self._clock, address, reason=reason, source=f"{DASHBOARD_SOURCE}:{by}"
        )
        return added

    def unsuppress(self, address: str, by: str) -> bool:
        """Lift every suppression of ``address``; ``False`` when there was none."""
        return remove_suppression(self._store, address) > 0


DomainRun = Callable[[str], bool]  # runs an action on one domain; True when it succeeded


@dataclass(frozen=True)
class ServiceDomainActions:
    """Implements ``DomainActions``: rotate-out isolates the domain (or restores an isolated
    one); DNS re-verification and DKIM rotation run when the composition root gives them."""

    states: DomainStateStore
    clock: Clock
    reverify: DomainRun | None = None
    rotate_dkim: DomainRun | None = None

    def wired(self) -> frozenset[DomainAction]:
        """The actions with an engine behind them."""
        wired = {DomainAction.ROTATE_OUT}
        if self.reverify is not None:
            wired.add(DomainAction.REVERIFY_DNS)
        if self.rotate_dkim is not None:
            wired.add(DomainAction.ROTATE_DKIM)
        return frozenset(wired)

    def run(self, action: DomainAction, domain: str, by: str) -> ActionOutcome:
        """Run one action now; ``FAILED`` when its service refuses or fails."""
        try:
            if action is DomainAction.ROTATE_OUT:
                return self._rotate_out(domain, by)
            engine = self.reverify if action is DomainAction.REVERIFY_DNS else self.rotate_dkim
            if engine is None:
                return ActionOutcome.NOT_WIRED
            return ActionOutcome.DONE if engine(domain) else ActionOutcome.FAILED
        except (MailfleetError, KeyError):  # refused, failed, or not in the spec
            return ActionOutcome.FAILED

    def _rotate_out(self, domain: str, by: str) -> ActionOutcome:
        """Isolate an active domain; a second rotate-out puts an isolated one back."""
        reason = f"dashboard, by {by}"
        if self.states.domain_states().get(domain) == DomainState.ISOLATED:
            isolation.restore_domain(self.states, domain, self.clock, reason)
        else:
            isolation.isolate_domain(self.states, domain, self.clock, reason)
        return ActionOutcome.DONE
