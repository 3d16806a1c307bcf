"""Rule guards: the literals a pattern needs, found in one pass, never skip a real match."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mailfleet.core.feedback.literals import GuardIndex, required_guards, required_literal
from mailfleet.core.feedback.mime import header, human_text, message_from_raw
from mailfleet.core.feedback.rules import PatternSet
from mailfleet.policy.rules import bounce_rules

CORPUS = Path(__file__).parents[2] / "corpus" / "feedback" / "messages"


@pytest.mark.parametrize(
    ("pattern", "guards"),
    [
        ("spamhaus", (("spamhaus",),)),
        ("message (has )?expired", (("message ",), ("expired",))),
        (
            "(host|domain)( name)? (not found|unknown)",
            (("domain", "host"), ("not found", "unknown")),
        ),
        ("(mail|mailbox) full", (("mail",), (" full",))),
        (r"\bbl\d{6}\b", (("bl",),)),
        ("(a|bc)d", ()),  # a one-letter alternative: nothing every match must contain
        ("(?i)spamhaus", ()),  # either case matches: a literal guard would be wrong
        ("x*(abc)?yz", (("yz",),)),  # repeated and optional parts give no guard
        ("(", ()),  # invalid: no guard, the caller reports the pattern
    ],
)
def test_required_guards(pattern: str, guards: tuple[tuple[str, ...], ...]) -> None:
    """Top-level literals and groups whose every alternative has one; nothing else."""
    assert required_guards(pattern) == guards


def test_required_literal_is_the_longest_single_guard() -> None:
    """The single-literal form: the longest of the required literals."""
    assert required_literal("message (has )?expired") == "message "
    assert required_literal("(a|b)c") == ""


def test_index_finds_overlapping_literals() -> None:
    """Every literal present is found, also inside or overlapping another."""
    index = GuardIndex(["mail", "mailbox", "box full", "absent"])
    assert index.present("the mailbox full") == {"mail", "mailbox", "box full"}
    assert GuardIndex([]).present("anything") == frozenset()


def _texts() -> list[str]:
    texts = []
    for path in sorted(CORPUS.rglob("*")):
        if path.suffix not in (".eml", ".txt"):
            continue
        message = message_from_raw(path.read_bytes())
        texts.append(human_text(message).lower())
        texts.append(header(message, "Subject").lower())
        texts.append(header(message, "From").lower())
    return texts


def test_guards_never_skip_a_match_on_the_corpus() -> None:
    """For every rule pattern and every corpus text (body, subject, sender): whenever the
    pattern matches, its guards are met, so the guarded search finds what a plain one does."""
    rules = bounce_rules()
    sets: list[PatternSet] = [rule.pattern for rule in rules.text]
    sets += [getattr(rules.detect, name) for name in rules.detect.__dataclass_fields__]
    checked = matched = 0
    for text in _texts():
        for patterns in sets:
            present = patterns.index.present(text)
            plain = any(p.search(text) for p in patterns.patterns)
            assert patterns.matches(text, present) is plain
            assert patterns.matches(text) is plain
            for needs, pattern in patterns.pairs:
                if pattern.search(text):
                    matched += 1
                    assert all(present & set(guard) for guard in needs), pattern.pattern
                checked += 1
    assert matched > 500
    assert checked > 100_000


def test_first_position_is_the_earliest_match() -> None:
    """first_position agrees with searching every pattern (a match ending past another's
    start is still found)."""
    patterns = PatternSet(
        (re.compile("original message"), re.compile("message follows")),
        (required_guards("original message"), required_guards("message follows")),
    )
    text = "x: original message follows"
    assert patterns.first_position(text) == text.index("original")
    assert patterns.first_position("nothing here") is None


def test_case_insensitive_sets_use_guards_on_ascii_only() -> None:
    """Markers compiled with IGNORECASE: guards looked up in lower case on ASCII text; on
    other text every pattern is searched (U+017F matches 's' under IGNORECASE)."""
    markers = bounce_rules().detect.original_markers
    assert markers.ignore_case
    text = "Sorry.\n------ This is a copy of the message, including all the headers.\nx"
    assert markers.first_position(text) == text.index("------")
    long_s = "Sorry.\n------ This is a copy of the me\u017f\u017fage\nx"
    plain = min(m.start() for p in markers.patterns if (m := p.search(long_s)))
    assert markers.first_position(long_s) == plain
    assert markers.matches(text)
