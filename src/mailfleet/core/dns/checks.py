"""Verification results: named checks per domain, and the fleet's authentication coverage."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Check:
    """One verified property (``record:_dmarc.x TXT``, ``spf:pass:192.0.2.1``, ``dkim:mf1``)."""

    name: str
    ok: bool
    detail: str = ""

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready form."""
        return {"name": self.name, "ok": self.ok, "detail": self.detail}


@dataclass(frozen=True, slots=True)
class DomainCheck:
    """Every check of one domain at one time; ``ok`` when all passed."""

    domain: str
    checked_at: datetime
    checks: tuple[Check, ...]

    @property
    def ok(self) -> bool:
        """True when every check passed (and there was at least one)."""
        return bool(self.checks) and all(c.ok for c in self.checks)

    def failures(self) -> tuple[Check, ...]:
        """The checks that failed."""
        return tuple(c for c in self.checks if not c.ok)

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready form."""
        return {
            "domain": self.domain,
            "checked_at": self.checked_at.isoformat(),
            "ok": self.ok,
            "checks": [c.as_dict() for c in self.checks],
        }


def coverage(domains: Sequence[str], latest: Iterable[DomainCheck]) -> float:
    """Percent of ``domains`` whose latest verification passed (the case study's 100 %)."""
    if not domains:
        return 100.0
    passed = {c.domain for c in latest if c.ok}
    return 100.0 * sum(1 for d in domains if d in passed) / len(domains)


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """What one apply did to one zone: the changes sent, and how it ended."""

    domain: str
    at: datetime
    outcome: str
    changes: tuple[dict[str, object], ...]
    error: str = ""
