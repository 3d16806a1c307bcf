"""Feedback use cases that need no storage: reading report files for scripts and checks."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from mailfleet.core.feedback.model import FeedbackKind, FeedbackReport
from mailfleet.core.feedback.parse import parse_feedback
from mailfleet.core.feedback.rules import BounceRules
from mailfleet.policy.rules import bounce_rules

_MAX_BYTES = 10 * 1024 * 1024  # reports are small; a larger file is read only this far


@dataclass(frozen=True, slots=True)
class ParsedFile:
    """One input file and what it was found to be (``error`` when it could not be read)."""

    file: str
    report: FeedbackReport
    error: str | None = None


def parse_message(raw: bytes, rules: BounceRules | None = None) -> FeedbackReport:
    """Parse and classify one raw message with the shipped (or given) rules."""
    return parse_feedback(raw, rules or bounce_rules())


def parse_files(
    files: Iterable[str], *, stdin: bytes | None = None, rules: BounceRules | None = None
) -> Iterator[ParsedFile]:
    """Parse each file in turn; ``-`` is standard input. Unreadable files still yield a result."""
    active = rules or bounce_rules()
    for name in files:
        try:
            if name == "-":
                raw = stdin or b""
            else:
                with Path(name).open("rb") as handle:
                    raw = handle.read(_MAX_BYTES)
        except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the path
            reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
            yield ParsedFile(name, FeedbackReport(FeedbackKind.OTHER), error=reason)
            continue
        yield ParsedFile(name, parse_feedback(raw, active))
