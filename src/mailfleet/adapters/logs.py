"""Logging set-up for entry points: one handler on stderr, level from settings.

Secrets never reach a log line in the first place (``Secret`` masks itself); this module only
decides where lines go and how they look.
"""

from __future__ import annotations

import logging

_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(level: str) -> None:
    """Send mailfleet's log records at ``level`` and above to stderr; quiet noisy libraries."""
    root = logging.getLogger("mailfleet")
    root.setLevel(level)
    if not any(getattr(h, "_mailfleet", False) for h in root.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter(_FORMAT))
        handler._mailfleet = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    for noisy in ("alembic", "sqlalchemy.engine"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
