"""Rates graded against thresholds, and the roles' permissions."""

from __future__ import annotations

import pytest

from mailfleet.core.dashboard.access import Permission, Role, allows
from mailfleet.core.dashboard.grading import Level, grade_bounce, grade_complaint, percent
from mailfleet.core.fleet import Thresholds

T = Thresholds(bounce_rate=0.02, complaint_rate=0.001, bounce_alert=0.02, complaint_alert=0.0008)


@pytest.mark.parametrize(
    ("rate", "level"),
    [
        (None, Level.UNKNOWN),
        (0.0, Level.OK),
        (0.014, Level.OK),
        (0.015, Level.WARN),
        (0.0199, Level.WARN),
        (0.02, Level.BREACH),
        (0.5, Level.BREACH),
    ],
)
def test_bounce_levels(rate: float | None, level: Level) -> None:
    """Bounce rates warn at three quarters of the gate and breach at the gate."""
    assert grade_bounce(rate, T) == level


@pytest.mark.parametrize(
    ("rate", "level"),
    [(0.0007, Level.OK), (0.0008, Level.WARN), (0.00099, Level.WARN), (0.001, Level.BREACH)],
)
def test_complaint_alert_line_below_gate_warns(rate: float, level: Level) -> None:
    """Complaints warn from the alert line (0.08 %), below the gate (0.1 %)."""
    assert grade_complaint(rate, T) == level


def test_segment_thresholds_change_the_grade() -> None:
    """A stricter segment breaches where the default would only warn."""
    strict = Thresholds(bounce_rate=0.01, bounce_alert=0.008)
    assert grade_bounce(0.015, T) == Level.WARN
    assert grade_bounce(0.015, strict) == Level.BREACH


def test_percent_prints_a_dash_when_absent() -> None:
    """An absent rate is a dash, never 0 %."""
    assert percent(None) == "—"
    assert percent(0.0123) == "1.23 %"


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.VIEWER, {Permission.READ}),
        (Role.OPERATOR, {Permission.READ, Permission.OPERATE}),
        (Role.ADMIN, set(Permission)),
    ],
)
def test_roles_carry_their_permissions(role: Role, allowed: set[Permission]) -> None:
    """Each role allows exactly its permissions."""
    assert {p for p in Permission if allows(role, p)} == allowed
