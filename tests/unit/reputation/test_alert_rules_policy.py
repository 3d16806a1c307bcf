"""The shipped alert rules and their validation."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from mailfleet.core.errors import ConfigError
from mailfleet.core.reputation.rules import Condition, SubjectKind
from mailfleet.policy.alerts import load_rules, parse_duration


def test_shipped_rules_cover_the_issue() -> None:
    """Bounce 2 %, complaints 0.08 %, listings, drift, DKIM, warmup, relays and deferrals."""
    rules = {r.key: r for r in load_rules()}
    assert rules["bounce-rate"].threshold == 0.02
    assert rules["complaint-rate"].threshold == 0.0008
    assert rules["blocklisted"].when == Condition.TRUE
    assert rules["blocklisted"].subject == SubjectKind.TARGET
    assert rules["relay-failing"].subject == SubjectKind.RELAY
    assert {"dns-drift", "dkim-mismatch", "warmup-held", "deferral-spike"} <= set(rules)
    assert {k for k, r in rules.items() if r.isolates} == {
        "bounce-rate",
        "complaint-rate",
        "blocklisted",
    }


def test_durations() -> None:
    """Cooldowns are written 30m, 6h or 2d."""
    assert parse_duration("30m") == timedelta(minutes=30)
    assert parse_duration("2d") == timedelta(days=2)
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration("soon")


def test_invalid_rules_report_every_reason(tmp_path: Path) -> None:
    """An 'above' rule without threshold and a bad cooldown are both reported."""
    path = tmp_path / "rules.yaml"
    path.write_text(
        """
rules:
  - {key: a, title: A, subject: domain, fact: x, when: above}
  - {key: b, title: B, subject: domain, fact: y, when: "true", cooldown: soon}
  - {key: c, title: C, subject: planet, fact: z, when: "true"}
""",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as info:
        load_rules(path)
    message = str(info.value)
    assert "needs a threshold" in message
    assert "not a duration" in message
    assert "subject" in message
