"""Alert rules and the facts they are evaluated over, as values."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum


class SubjectKind(StrEnum):
    """What an alert is about."""

    DOMAIN = "domain"
    TARGET = "target"  # a sending IP or a domain, as checked in the DNSBLs
    RELAY = "relay"


class Condition(StrEnum):
    """How a rule reads its fact."""

    ABOVE = "above"  # the number is greater than the threshold
    TRUE = "true"  # the flag is set


class Severity(StrEnum):
    """How urgent an alert is."""

    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


class Unit(StrEnum):
    """How a fact's value is shown to a person."""

    PERCENT = "percent"
    DAYS = "days"
    FLAG = "flag"
    COUNT = "count"


@dataclass(frozen=True, slots=True)
class AlertRule:
    """One rule: a fact of a kind of subject, a condition, and what to do when it holds."""

    key: str
    title: str
    subject: SubjectKind
    fact: str
    when: Condition
    severity: Severity
    cooldown: timedelta
    unit: Unit = Unit.COUNT
    threshold: float | None = None
    threshold_fact: str | None = None
    min_volume: int = 0
    isolates: bool = False


FactValue = float | bool


@dataclass(frozen=True, slots=True)
class SubjectFacts:
    """What is known about one subject right now; ``details`` explain facts in words."""

    kind: SubjectKind
    name: str
    values: Mapping[str, FactValue]
    details: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class FactSnapshot:
    """Every subject's facts at one instant."""

    at: datetime
    subjects: tuple[SubjectFacts, ...]

    def of(self, kind: SubjectKind) -> tuple[SubjectFacts, ...]:
        """The subjects of one kind."""
        return tuple(s for s in self.subjects if s.kind == kind)


def format_value(value: FactValue, unit: Unit) -> str:
    """A fact's value as a person reads it: 2.35 %, 4 days, yes."""
    if unit == Unit.FLAG or isinstance(value, bool):
        return "yes" if value else "no"
    if unit == Unit.PERCENT:
        return f"{value * 100:.2f} %"
    if unit == Unit.DAYS:
        return f"{value:g} days"
    return f"{value:g}"
