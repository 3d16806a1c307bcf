"""Operator actions from the dashboard and the API: pause, resume, and the wired actions."""

from __future__ import annotations

from mailfleet.core.dashboard.ports import (
    ActionOutcome,
    ControlOutcome,
    DomainAction,
    DomainActions,
    DomainControl,
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
