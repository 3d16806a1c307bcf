"""The literal text a regular expression cannot match without: a cheap pre-check.

``"spamhaus" in text`` costs a fraction of a regex search, and most rule patterns do not
match most diagnostics, so each pattern is guarded by the longest run of plain characters
that every match of it must contain. Only top-level sequence items are read (never inside a
group, a repeat or a class), which is what makes the guard sound.
"""

from __future__ import annotations

import re
import re._constants as sre_constants  # type: ignore[import-not-found]
import re._parser as sre_parser  # type: ignore[import-not-found]

_MIN_GUARD = 3  # shorter guards filter too little to pay for the test


def required_literal(pattern: str) -> str:
    """The longest literal that every match of ``pattern`` contains, or ``""``."""
    try:
        parsed = sre_parser.parse(pattern)
    except Exception:  # the caller compiles the pattern and reports it
        return ""
    if parsed.state.flags & re.IGNORECASE:  # an inline (?i): literals match either case
        return ""
    best, run = "", []
    for op, value in parsed.data:
        if op is sre_constants.LITERAL and isinstance(value, int):
            run.append(chr(value))
            continue
        best = max(best, "".join(run), key=len)
        run = []
    best = max(best, "".join(run), key=len)
    return best if len(best) >= _MIN_GUARD else ""
