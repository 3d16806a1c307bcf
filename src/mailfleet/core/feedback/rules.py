"""Bounce rules as frozen values: status-code and text-pattern tables loaded from data.

The shipped table is ``mailfleet/policy/bounce_rules.toml``; :func:`rules_from_mapping` turns
its parsed content into :class:`BounceRules` and reports every problem at once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mailfleet.core.errors import ConfigError
from mailfleet.core.feedback.model import Reason

_FLAGS = re.IGNORECASE | re.MULTILINE


@dataclass(frozen=True, slots=True)
class StatusRule:
    """The reason an RFC 3463 ``subject.detail`` implies; ``strong`` ones beat text rules."""

    code: str
    reason: Reason
    strong: bool


@dataclass(frozen=True, slots=True)
class TextRule:
    """A pattern over the diagnostic text, its reason, and the permanence it implies if any."""

    reason: Reason
    permanent: bool | None
    pattern: re.Pattern[str]


@dataclass(frozen=True, slots=True)
class DetectRules:
    """Patterns that tell what kind of message something is."""

    bounce_subjects: re.Pattern[str]
    bounce_senders: re.Pattern[str]
    bounce_bodies: re.Pattern[str]
    transient_bodies: re.Pattern[str]
    permanent_bodies: re.Pattern[str]
    original_markers: re.Pattern[str]
    autoreply_subjects: re.Pattern[str]
    complaint_subjects: re.Pattern[str]


@dataclass(frozen=True, slots=True)
class BounceRules:
    """Everything the classifier knows, as data."""

    basic_codes: Mapping[str, str]
    status: Mapping[str, StatusRule]
    text: tuple[TextRule, ...]
    implied_status: Mapping[Reason, str]
    detect: DetectRules


def _compile(patterns: object, where: str, problems: list[str]) -> re.Pattern[str]:
    if patterns is None:  # an absent table matches nothing
        return re.compile(r"(?!)")
    if isinstance(patterns, str):
        patterns = [patterns]
    if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
        problems.append(f"{where}: expected a list of regular expressions")
        return re.compile(r"(?!)")
    try:
        return re.compile("|".join(f"(?:{p})" for p in patterns), _FLAGS)
    except re.error as exc:
        problems.append(f"{where}: invalid regular expression: {exc}")
        return re.compile(r"(?!)")


def _reason(value: object, where: str, problems: list[str]) -> Reason:
    try:
        return Reason(str(value))
    except ValueError:
        problems.append(f"{where}: unknown reason {value!r}")
        return Reason.OTHER


def _status_rules(items: list[Any], problems: list[str]) -> dict[str, StatusRule]:
    rules: dict[str, StatusRule] = {}
    for index, item in enumerate(items):
        where = f"status[{index}]"
        code = str(item.get("code", ""))
        if not re.fullmatch(r"\d{1,3}\.\d{1,3}", code):
            problems.append(f"{where}: code {code!r} is not subject.detail")
            continue
        reason = _reason(item.get("reason"), where, problems)
        rules[code] = StatusRule(code, reason, bool(item.get("strong", False)))
    return rules


def _text_rules(items: list[Any], problems: list[str]) -> tuple[TextRule, ...]:
    rules = []
    for index, item in enumerate(items):
        where = f"text[{index}]"
        reason = _reason(item.get("reason"), where, problems)
        permanent = item.get("permanent")
        pattern = _compile(item.get("patterns"), where, problems)
        rules.append(TextRule(reason, permanent if isinstance(permanent, bool) else None, pattern))
    return tuple(rules)


def rules_from_mapping(data: Mapping[str, Any], source: str) -> BounceRules:
    """Build rules from a parsed rules file; ``ConfigError`` lists every problem in it."""
    problems: list[str] = []
    basic = {str(k): str(v) for k, v in dict(data.get("basic_codes", {})).items()}
    for code, enhanced in basic.items():
        if not re.fullmatch(r"[245]\d\d", code) or not re.fullmatch(r"[245]\.\d+\.\d+", enhanced):
            problems.append(f"basic_codes: {code!r} = {enhanced!r} is not code = status")
    status = _status_rules(list(data.get("status", [])), problems)
    text = _text_rules(list(data.get("text", [])), problems)
    implied = {
        _reason(k, "implied_status", problems): str(v)
        for k, v in dict(data.get("implied_status", {})).items()
    }
    raw_detect = dict(data.get("detect", {}))
    detect = DetectRules(
        **{
            name: _compile(raw_detect.get(name), f"detect.{name}", problems)
            for name in DetectRules.__dataclass_fields__
        }
    )
    if problems:
        raise ConfigError(f"{source}: " + "; ".join(problems))
    return BounceRules(basic, status, text, implied, detect)
