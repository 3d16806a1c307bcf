"""Alert rules: validated from ``alert_rules.yaml`` into ``AlertRule`` values."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from mailfleet.core.errors import ConfigError
from mailfleet.core.reputation.rules import AlertRule, Condition, Severity, SubjectKind, Unit
from mailfleet.policy._yaml import describe_errors, read_policy

RULES_FILE = "alert_rules.yaml"
_DURATION = re.compile(r"^(\d+)([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def parse_duration(text: str) -> timedelta:
    """``30m``, ``6h`` or ``2d`` as a timedelta; raise ``ValueError`` otherwise."""
    match = _DURATION.match(text.strip())
    if match is None:
        raise ValueError(f"{text!r} is not a duration such as 30m, 6h or 2d")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


class RuleModel(BaseModel):
    """One entry of ``rules``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str = Field(min_length=1)
    subject: SubjectKind
    fact: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    when: Condition
    threshold: float | None = Field(default=None, ge=0)
    threshold_fact: str | None = None
    min_volume: int = Field(default=0, ge=0)
    unit: Unit = Unit.COUNT
    severity: Severity = Severity.WARNING
    cooldown: timedelta = timedelta(hours=1)
    isolates: bool = False

    @field_validator("cooldown", mode="before")
    @classmethod
    def _duration(cls, value: object) -> object:
        return parse_duration(value) if isinstance(value, str) else value

    @field_validator("when", mode="before")
    @classmethod
    def _yaml_true(cls, value: object) -> object:
        return "true" if value is True else value  # an unquoted `true` in YAML

    @model_validator(mode="after")
    def _threshold_for_above(self) -> RuleModel:
        if self.when == Condition.ABOVE and self.threshold is None:
            raise ValueError("a rule with when: above needs a threshold")
        if self.when == Condition.TRUE and (self.threshold is not None or self.threshold_fact):
            raise ValueError("a rule with when: true takes no threshold")
        return self

    def to_rule(self) -> AlertRule:
        """The core value."""
        return AlertRule(
            key=self.key,
            title=self.title,
            subject=self.subject,
            fact=self.fact,
            when=self.when,
            severity=self.severity,
            cooldown=self.cooldown,
            unit=self.unit,
            threshold=self.threshold,
            threshold_fact=self.threshold_fact,
            min_volume=self.min_volume,
            isolates=self.isolates,
        )


class RuleListModel(BaseModel):
    """The whole policy file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rules: list[RuleModel] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> RuleListModel:
        keys = [r.key for r in self.rules]
        twice = sorted({k for k in keys if keys.count(k) > 1})
        if twice:
            raise ValueError(f"each key may appear once: {twice}")
        return self


def load_rules(path: Path | None = None) -> tuple[AlertRule, ...]:
    """The shipped rules, or those at ``path``; raise ``ConfigError`` with every reason."""
    data, source = read_policy(RULES_FILE, path)
    try:
        model = RuleListModel.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(describe_errors(source, list(exc.errors()))) from None
    return tuple(r.to_rule() for r in model.rules)
