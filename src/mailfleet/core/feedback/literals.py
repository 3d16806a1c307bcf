"""The literal text a regular expression cannot match without: a cheap pre-check.

Most rule patterns do not match most diagnostics, so each pattern is guarded by literals
that every match of it must contain: single literals (``message (has )?expired`` needs
``message `` and ``expired``), and sets of alternatives of which a match contains at least
one (``(mailbox|user) unknown`` needs ``mailbox`` or ``user``, and `` unknown``). Which
literals a text contains is found in one pass for all patterns (:class:`GuardIndex`, an
Aho-Corasick automaton), and a pattern is searched only when all its guards are met.

Only items that every match must pass through are read: literals at the top level of a
sequence, and groups there (recursively; a group's alternatives must each have a guard).
Nothing inside a repeat, a class or an optional part is used, which is what makes a guard
sound: a pattern is never skipped on a text it would match.
"""

from __future__ import annotations

import re
import re._constants as sre_constants  # type: ignore[import-not-found]
import re._parser as sre_parser  # type: ignore[import-not-found]
from collections.abc import Iterable
from typing import Any

import ahocorasick

_MIN_GUARD = 2  # one-character guards are in almost every text
Guard = tuple[str, ...]  # alternatives: a match contains at least one; () means no guard


def _score(guard: Guard) -> tuple[int, int]:
    """Longer shortest alternative first (it filters more), then fewer alternatives."""
    return (min(map(len, guard)), -len(guard)) if guard else (0, 0)


def _best(candidates: Iterable[Guard]) -> Guard:
    usable = [g for g in candidates if g and min(map(len, g)) >= _MIN_GUARD]
    return max(usable, key=_score) if usable else ()


def _sequence_guard(items: Any) -> Guard:
    """The best guard of a parsed sequence (a list of (op, value) items)."""
    return _best(_candidates(items))


def _candidates(items: Any) -> list[Guard]:
    """Every guard of a parsed sequence: a match contains (an alternative of) each one."""
    candidates: list[Guard] = []
    run: list[str] = []
    for op, value in items:
        if op is sre_constants.LITERAL and isinstance(value, int):
            run.append(chr(value))
            continue
        if run:
            candidates.append(("".join(run),))
            run = []
        if op is sre_constants.SUBPATTERN:
            _group, add_flags, _del_flags, inner = value
            if not add_flags & re.IGNORECASE:
                candidates.append(_sequence_guard(inner.data))
        elif op is sre_constants.BRANCH:
            _, branches = value
            guards = [_sequence_guard(branch.data) for branch in branches]
            if all(guards):
                candidates.append(tuple(sorted({a for g in guards for a in g})))
    if run:
        candidates.append(("".join(run),))
    return [g for g in candidates if g and min(map(len, g)) >= _MIN_GUARD]


def required_guards(pattern: str) -> tuple[Guard, ...]:
    """Guards that every match of ``pattern`` satisfies, all of them: for each, the match
    contains at least one of its alternatives. ``()`` when nothing is known."""
    try:
        parsed = sre_parser.parse(pattern)
    except Exception:  # the caller compiles the pattern and reports it
        return ()
    if parsed.state.flags & re.IGNORECASE:  # an inline (?i): literals match either case
        return ()
    return tuple(dict.fromkeys(_candidates(parsed.data)))


def required_literal(pattern: str) -> str:
    """The longest single literal every match of ``pattern`` contains, or ``""``."""
    singles = [g[0] for g in required_guards(pattern) if len(g) == 1]
    return max(singles, key=len) if singles else ""


class GuardIndex:
    """Finds which of many guard literals occur in a text, in one pass over it."""

    def __init__(self, literals: Iterable[str]) -> None:
        self.literals = frozenset(literal for literal in literals if literal)
        self._automaton: Any = None
        if self.literals:
            automaton = ahocorasick.Automaton()
            for literal in sorted(self.literals):
                automaton.add_word(literal, literal)
            automaton.make_automaton()
            self._automaton = automaton

    def present(self, text: str) -> frozenset[str]:
        """The guard literals that occur in ``text``."""
        if self._automaton is None:
            return frozenset()
        return frozenset(found for _end, found in self._automaton.iter(text))

    def __reduce__(self) -> tuple[type[GuardIndex], tuple[tuple[str, ...]]]:
        # Rebuilt from its literals when sent to a worker process.
        return (GuardIndex, (tuple(sorted(self.literals)),))
