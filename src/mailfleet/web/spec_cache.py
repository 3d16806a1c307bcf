"""The fleet spec as the web app sees it: loaded on demand, reloaded when the file changes."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from mailfleet.core.errors import SpecError
from mailfleet.core.fleet import Fleet
from mailfleet.spec import load_fleet


@dataclass(frozen=True, slots=True)
class SpecView:
    """The loaded fleet, or why there is none. Pages still work without it."""

    fleet: Fleet | None
    problem: str | None


class SpecCache:
    """Loads ``path`` once per change of its modification time and size."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._view = SpecView(None, None)

    def current(self) -> SpecView:
        """The fleet of the spec file as it is now."""
        try:
            stat = self._path.stat()
        except OSError:
            return SpecView(None, f"no spec at {self._path}: thresholds are the defaults")
        stamp = (stat.st_mtime_ns, stat.st_size)
        with self._lock:
            if stamp != self._stamp:
                try:
                    self._view = SpecView(load_fleet(self._path), None)
                except SpecError as exc:
                    self._view = SpecView(None, f"{self._path}: {exc}; run mailfleet validate")
                self._stamp = stamp
            return self._view
