"""Bounce rules as frozen values: status-code and text-pattern tables loaded from data.

The shipped table is ``mailfleet/policy/bounce_rules.toml``; :func:`rules_from_mapping` turns
its parsed content into :class:`BounceRules` and reports every problem at once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mailfleet.core.errors import ConfigError
from mailfleet.core.feedback.literals import Guard, GuardIndex, required_guards
from mailfleet.core.feedback.model import Reason

# Patterns are written in lower case and matched against lower-cased text: several times
# faster than re.IGNORECASE. Only the quoted-original markers, whose match position slices the
# original text, keep IGNORECASE (lower-casing can change a string's length).
_FLAGS = re.MULTILINE
_POSITIONAL = ("original_markers",)


@dataclass(frozen=True, slots=True)
class PatternSet:
    """Regular expressions, each tried only when the text holds its guards.

    The guards are the literals a pattern cannot match without (see :mod:`literals`); one
    pass of an Aho-Corasick automaton finds which of them a text holds, so most patterns are
    never run. The patterns stay apart rather than joined into one alternation: each keeps
    the ``re`` engine's literal-prefix fast path, which an alternation of dozens of patterns
    loses (it cost more than all the separate, guarded searches, even on a subject line).
    """

    patterns: tuple[re.Pattern[str], ...]
    # per pattern, the guards it needs, all of them: each a tuple of alternative literals
    guards: tuple[tuple[Guard, ...], ...] = ()
    pairs: tuple[tuple[tuple[Guard, ...], re.Pattern[str]], ...] = field(
        init=False, repr=False, compare=False
    )
    index: GuardIndex = field(init=False, repr=False, compare=False)
    # compiled with IGNORECASE (lower-case guards are then looked up in the lower-cased text)
    ignore_case: bool = False
    # literal -> the patterns (by position) whose first guard it is an alternative of, and
    # the patterns without guards: what a text's literals make worth searching
    by_literal: dict[str, tuple[int, ...]] = field(init=False, repr=False, compare=False)
    unguarded: frozenset[int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        guards = self.guards or tuple(() for _ in self.patterns)
        # (guards, pattern) zipped once: the loops below run for every diagnostic.
        object.__setattr__(self, "pairs", tuple(zip(guards, self.patterns, strict=True)))
        literals = (a for needs in guards for guard in needs for a in guard)
        object.__setattr__(self, "index", GuardIndex(literals))
        keyed: dict[str, list[int]] = {}
        for position, needs in enumerate(guards):
            for alternative in needs[0] if needs else ():
                keyed.setdefault(alternative, []).append(position)
        object.__setattr__(self, "by_literal", {k: tuple(v) for k, v in keyed.items()})
        object.__setattr__(
            self, "unguarded", frozenset(i for i, needs in enumerate(guards) if not needs)
        )

    def _candidates(self, present: frozenset[str] | None) -> list[int]:
        """Positions of the patterns whose guards ``present`` meets, in order."""
        if present is None:
            return list(range(len(self.pairs)))
        found = set(self.unguarded)
        for literal in present:
            found.update(self.by_literal.get(literal, ()))
        pairs = self.pairs
        return [i for i in sorted(found) if _met(pairs[i][0], present)]

    def matches(self, text: str, present: frozenset[str] | None = None) -> bool:
        """Whether any pattern matches somewhere in ``text``.

        ``present``: the guard literals ``text`` contains, when the caller found them for
        several sets at once (a superset is fine); found here otherwise.
        """
        if present is None:
            present = self._present(text)
        return any(self.patterns[i].search(text) for i in self._candidates(present))

    def _present(self, text: str) -> frozenset[str] | None:
        """The guard literals in ``text``; ``None`` when guards cannot be used on it."""
        if not self.ignore_case:
            return self.index.present(text)
        if text.isascii():
            # ASCII text only: there lower() folds exactly as IGNORECASE does; elsewhere some
            # characters fold to two (U+0130) or to ASCII letters (U+017F), so every pattern
            # is searched.
            return self.index.present(text.lower())
        return None

    def first_position(self, text: str) -> int | None:
        """Where the earliest match of any pattern starts, or ``None``."""
        first: int | None = None
        for position in self._candidates(self._present(text)):
            match = self.patterns[position].search(text)
            if match is not None and (first is None or match.start() < first):
                first = match.start()
        return first


def _met(needs: tuple[Guard, ...], present: frozenset[str]) -> bool:
    """Whether ``present`` holds an alternative of every guard in ``needs``."""
    for guard in needs:
        if len(guard) == 1:
            if guard[0] not in present:
                return False
        elif present.isdisjoint(guard):
            return False
    return True


_NEVER = PatternSet(())


@dataclass(frozen=True, slots=True)
class StatusRule:
    """The reason an RFC 3463 ``subject.detail`` implies; ``strong`` ones beat text rules."""

    code: str
    reason: Reason
    strong: bool


@dataclass(frozen=True, slots=True)
class TextRule:
    """A pattern over the (lower-cased) diagnostic, its reason, and the permanence it implies."""

    reason: Reason
    permanent: bool | None
    pattern: PatternSet


@dataclass(frozen=True, slots=True)
class DetectRules:
    """Patterns that tell what kind of message something is."""

    bounce_subjects: PatternSet
    bounce_senders: PatternSet
    bounce_bodies: PatternSet
    transient_bodies: PatternSet
    permanent_bodies: PatternSet
    original_markers: PatternSet
    autoreply_subjects: PatternSet
    complaint_subjects: PatternSet


@dataclass(frozen=True, slots=True)
class BounceRules:
    """Everything the classifier knows, as data."""

    basic_codes: Mapping[str, str]
    status: Mapping[str, StatusRule]
    text: tuple[TextRule, ...]
    implied_status: Mapping[Reason, str]
    detect: DetectRules
    # The guard literals of every text rule: one pass over a diagnostic finds them for all.
    text_index: GuardIndex = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        literals = (a for rule in self.text for a in rule.pattern.index.literals)
        object.__setattr__(self, "text_index", GuardIndex(literals))


def _compile(patterns: object, where: str, problems: list[str], flags: int = _FLAGS) -> PatternSet:
    if patterns is None:  # an absent table matches nothing
        return _NEVER
    if isinstance(patterns, str):
        patterns = [patterns]
    if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
        problems.append(f"{where}: expected a list of regular expressions")
        return _NEVER
    compiled = []
    for text in patterns:
        for alternative in _split_top_level(text):
            try:
                compiled.append(re.compile(alternative, flags))
            except re.error as exc:
                problems.append(f"{where}: invalid regular expression {alternative!r}: {exc}")
    # The patterns are written in lower case, so their literals are the lower-case guards
    # even when compiled with IGNORECASE (positional sets, see first_position).
    guards = tuple(required_guards(p.pattern) for p in compiled)
    return PatternSet(tuple(compiled), guards, ignore_case=bool(flags & re.IGNORECASE))


def _split_top_level(pattern: str) -> list[str]:
    """Split ``a|b(c|d)`` into ``a`` and ``b(c|d)``: the alternatives outside any group."""
    parts, depth, start, index, in_class = [], 0, 0, 0, False
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(pattern[start:index])
            start = index + 1
        index += 1
    parts.append(pattern[start:])
    return [part for part in parts if part]


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
            name: _compile(
                raw_detect.get(name),
                f"detect.{name}",
                problems,
                (_FLAGS | re.IGNORECASE) if name in _POSITIONAL else _FLAGS,
            )
            for name in DetectRules.__dataclass_fields__
        }
    )
    if problems:
        raise ConfigError(f"{source}: " + "; ".join(problems))
    return BounceRules(basic, status, text, implied, detect)
