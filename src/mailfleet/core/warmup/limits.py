"""Cap arithmetic for the limiter: windows that reset by themselves, and checks per send.

A window is a fixed length of time offset from the epoch, so a day starts at local midnight
(the offset is the zone's UTC offset) and an hour at the local hour. Its index is computed
from one time base (the limiter's: Redis server time, or the caller's clock), never from each
worker's own idea of the date, and a counter kept under an old index is simply stale: the next
window starts from zero without anyone resetting it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

DAY_SECONDS = 86_400
HOUR_SECONDS = 3_600


class Scope(StrEnum):
    """What a cap limits."""

    DOMAIN = "domain"
    MAILBOX = "mailbox"
    IP = "ip"
    PROVIDER = "provider"  # the receiving mailbox provider (gmail, microsoft, ...)


@dataclass(frozen=True, slots=True)
class Window:
    """A repeating window of ``seconds``, shifted by ``offset`` seconds (the UTC offset)."""

    name: str
    seconds: int
    offset: int = 0

    def index(self, epoch: float) -> int:
        """Which window ``epoch`` (seconds since 1970, UTC) falls in."""
        return math.floor((epoch + self.offset) / self.seconds)

    def remaining(self, epoch: float) -> float:
        """Seconds until the window containing ``epoch`` ends."""
        return self.seconds - ((epoch + self.offset) % self.seconds)


def daily_window(timezone: str, at: datetime) -> Window:
    """Local calendar days in ``timezone`` (the offset in force at ``at``)."""
    offset = at.astimezone(ZoneInfo(timezone)).utcoffset()
    seconds = int(offset.total_seconds()) if offset is not None else 0
    return Window("day", DAY_SECONDS, seconds)


def hourly_window(timezone: str, at: datetime) -> Window:
    """Local clock hours in ``timezone`` (half-hour zones included)."""
    offset = at.astimezone(ZoneInfo(timezone)).utcoffset()
    seconds = int(offset.total_seconds()) if offset is not None else 0
    return Window("hour", HOUR_SECONDS, seconds % HOUR_SECONDS)


@dataclass(frozen=True, slots=True)
class CapCheck:
    """One cap to respect: at most ``limit`` sends per ``window`` for ``scope``/``name``."""

    scope: Scope
    name: str
    limit: int
    window: Window
    # The counter's name, unique per scope, name and window; computed once, read per send.
    key: str = field(init=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", f"{self.scope}:{self.name}:{self.window.name}")


@dataclass(frozen=True, slots=True)
class Grant:
    """The outcome of an acquire: all caps took the sends, or none did and one said why."""

    granted: bool
    count: int
    blocked_by: str | None = None  # the key of the first cap that was full
    used: int = 0  # that cap's count in its current window

    def __bool__(self) -> bool:
        return self.granted


def send_checks(
    *,
    domain: str,
    timezone: str,
    at: datetime,
    domain_daily: int,
    domain_hourly: int,
    mailbox: tuple[str, int] | None = None,
    ip: tuple[str, int] | None = None,
    provider: tuple[str, int] | None = None,
) -> tuple[CapCheck, ...]:
    """Every cap one send must pass: the domain's day and hour, and optionally its mailbox's
    day, its sending IP's day and the receiving provider's hour (each as ``(name, limit)``)."""
    day = daily_window(timezone, at)
    hour = hourly_window(timezone, at)
    checks = [
        CapCheck(Scope.DOMAIN, domain, domain_daily, day),
        CapCheck(Scope.DOMAIN, domain, domain_hourly, hour),
    ]
    if mailbox is not None:
        checks.append(CapCheck(Scope.MAILBOX, mailbox[0], mailbox[1], day))
    if ip is not None:
        checks.append(CapCheck(Scope.IP, ip[0], ip[1], day))
    if provider is not None:
        checks.append(CapCheck(Scope.PROVIDER, provider[0], provider[1], hour))
    return tuple(checks)
