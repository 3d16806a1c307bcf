"""DKIM key rotation as a stored state machine, over the two published selectors.

One selector signs (``active``), the other stands by with a published key. A rotation:

    IDLE ──generate──► PUBLISHING ──record resolves──► PUBLISHED ──TTL passed──► SWITCHED
      ▲                                                                            │
      └─────────────── old selector gets a fresh standby key ◄── grace passed ─────┘

Every step is recorded before its effect, and each step re-checks the world, so a process
that dies anywhere resumes at the right step. Signing reads only ``active``, which moves to
the new selector only after the new key was seen resolving and its TTL has passed: signing
never uses an unpublished key.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum


class RotationPhase(StrEnum):
    """Where a domain's rotation stands."""

    IDLE = "idle"
    PUBLISHING = "publishing"  # new key for the standby selector stored; DNS being written
    PUBLISHED = "published"  # the new key resolves; waiting for old answers to expire
    SWITCHED = "switched"  # signing uses the new selector; the old key is in its grace period


class RotationStep(StrEnum):
    """What the driver should do next."""

    START = "start"  # generate the standby selector's new key, then publish it
    PUBLISH = "publish"  # (re)apply DNS and check that the new key resolves
    WAIT_TTL = "wait-ttl"
    SWITCH = "switch"
    WAIT_GRACE = "wait-grace"
    RETIRE = "retire"  # replace the old selector's key with a fresh standby key, publish it
    DONE = "done"


@dataclass(frozen=True, slots=True)
class RotationState:
    """A domain's stored rotation state."""

    domain: str
    active: str  # the selector that signs
    phase: RotationPhase = RotationPhase.IDLE
    target: str = ""  # the selector being rotated in
    published_at: datetime | None = None
    switched_at: datetime | None = None


def standby(selectors: tuple[str, ...], active: str) -> str:
    """The selector that is not signing (the first other one)."""
    return next(s for s in selectors if s != active)


def next_step(
    state: RotationState, now: datetime, *, ttl: timedelta, grace: timedelta, started: bool
) -> RotationStep:
    """The next step for ``state`` at ``now``; ``started`` asks to begin a new rotation."""
    if state.phase is RotationPhase.IDLE:
        return RotationStep.START if started else RotationStep.DONE
    if state.phase is RotationPhase.PUBLISHING:
        return RotationStep.PUBLISH
    if state.phase is RotationPhase.PUBLISHED:
        assert state.published_at is not None
        return RotationStep.SWITCH if now - state.published_at >= ttl else RotationStep.WAIT_TTL
    assert state.switched_at is not None
    return RotationStep.RETIRE if now - state.switched_at >= grace else RotationStep.WAIT_GRACE


def begin(state: RotationState, selectors: tuple[str, ...]) -> RotationState:
    """IDLE -> PUBLISHING for the standby selector."""
    return replace(state, phase=RotationPhase.PUBLISHING, target=standby(selectors, state.active))


def published(state: RotationState, now: datetime) -> RotationState:
    """PUBLISHING -> PUBLISHED once the new key was seen resolving."""
    return replace(state, phase=RotationPhase.PUBLISHED, published_at=now)


def switched(state: RotationState, now: datetime) -> RotationState:
    """PUBLISHED -> SWITCHED: the target selector signs from now on."""
    return replace(state, phase=RotationPhase.SWITCHED, active=state.target, switched_at=now)


def retired(state: RotationState) -> RotationState:
    """SWITCHED -> IDLE once the old selector holds a fresh standby key."""
    return RotationState(state.domain, state.active)
