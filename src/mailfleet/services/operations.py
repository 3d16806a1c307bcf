"""Operator actions from the dashboard and the API: pause, resume, and the wired actions."""

from __future__ import annotations

from mailfleet.core.dashboard.ports import (
    ActionOutcome,
    ControlOutcome,
    DomainAction,
    DomainActions,
    DomainControl,
    SuppressionSource,
)
from mailfleet.core.ports import Clock


def pause_domain(control: DomainControl, clock: Clock, domain: str, by: str) -> ControlOutcome:
    """Hold ``domain``: nothing is sent from it until it is resumed."""
    return control.pause(domain, by, clock.now())


def resume_domain(control: DomainControl, clock: Clock, domain: str, by: str) -> ControlOutcome:
    """Give ``domain`` back the state it had before the pause."""
    return control.resume(domain, by, clock.now())


def run_action(actions: DomainActions, action: DomainAction, domain: str, by: str) -> ActionOutcome:
    """Run an action that another capability implements; ``NOT_WIRED`` until it exists."""
    if action not in actions.wired():
        return ActionOutcome.NOT_WIRED
    return actions.run(action, domain, by)


def suppress_address(
    suppression: SuppressionSource, clock: Clock, address: str, reason: str, by: str
) -> bool | None:
    """Add ``address`` to the suppression list; ``None`` when the list is not editable."""
    if not suppression.editable():
        return None
    return suppression.suppress(address.strip().lower(), reason.strip(), by, clock.now())


def unsuppress_address(suppression: SuppressionSource, address: str, by: str) -> bool | None:
    """Remove ``address`` from the suppression list; ``None`` when it is not editable."""
    if not suppression.editable():
        return None
    return suppression.unsuppress(address.strip().lower(), by)
