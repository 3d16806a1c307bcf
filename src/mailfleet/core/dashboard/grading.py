"""Grade measured rates against a segment's thresholds, for colouring and for alerts."""

from __future__ import annotations

from enum import StrEnum

from mailfleet.core.fleet import Thresholds

WARN_FRACTION = 0.75  # a rate this close to its gate is shown as a warning before it breaches


class Level(StrEnum):
    """How a figure stands against its threshold."""

    OK = "ok"
    WARN = "warn"
    BREACH = "breach"
    UNKNOWN = "unknown"  # not measured yet


def grade(value: float | None, gate: float, alert: float) -> Level:
    """``BREACH`` at or above the gate; ``WARN`` at the alert line or near the gate; else ``OK``.

    The alert line may sit below the gate (complaints alert at 0.08 % and gate at 0.1 %), so a
    rate can warn before warmup stops.
    """
    if value is None:
        return Level.UNKNOWN
    if value >= gate:
        return Level.BREACH
    if value >= min(alert, gate * WARN_FRACTION):
        return Level.WARN
    return Level.OK


def grade_bounce(value: float | None, thresholds: Thresholds) -> Level:
    """A bounce rate against its gate and alert line."""
    return grade(value, thresholds.bounce_rate, thresholds.bounce_alert)


def grade_complaint(value: float | None, thresholds: Thresholds) -> Level:
    """A complaint rate against its gate and alert line."""
    return grade(value, thresholds.complaint_rate, thresholds.complaint_alert)


def percent(value: float | None, digits: int = 2) -> str:
    """A fraction as a percentage, or an em dash when not measured."""
    return "—" if value is None else f"{value * 100:.{digits}f} %"
