"""The suppression list for people and the API: list, add, remove, import, export; and the
per-domain feedback counts and rates the warmup gate and the alerts read."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from mailfleet.core.errors import MailfleetError
from mailfleet.core.feedback.events import (
    GLOBAL_SCOPE,
    DailyCounts,
    Rates,
    Suppression,
    rolling_rates,
)
from mailfleet.core.feedback.ports import FeedbackStore
from mailfleet.core.ports import Clock

CSV_FIELDS = ("address", "scope", "reason", "source", "created_at", "expires_at")
_ADDRESS = re.compile(r"^[^@\s<>\"]+@[A-Za-z0-9](?:[A-Za-z0-9.\-]*[A-Za-z0-9])?\.[A-Za-z]{2,}$")


class SuppressionInputError(MailfleetError):
    """An address or scope given to the suppression list is not valid."""


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import did: rows added, rows already present, rows refused (with why)."""

    added: int = 0
    unchanged: int = 0
    problems: tuple[str, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {"added": self.added, "unchanged": self.unchanged, "problems": list(self.problems)}


def _check(address: str, scope: str) -> tuple[str, str]:
    address, scope = address.strip().lower(), (scope.strip().lower() or GLOBAL_SCOPE)
    if not _ADDRESS.match(address):
        raise SuppressionInputError(f"{address!r} is not an email address")
    if scope != GLOBAL_SCOPE and not _ADDRESS.match(f"x@{scope}"):
        raise SuppressionInputError(f"scope {scope!r} is neither 'global' nor a domain")
    return address, scope


def list_suppressions(
    store: FeedbackStore, clock: Clock, *, scope: str | None = None, include_expired: bool = False
) -> list[Suppression]:
    """The suppression list (of one scope), active entries only unless asked otherwise."""
    now = clock.now()
    entries = store.suppressions(scope=scope)
    return entries if include_expired else [e for e in entries if e.active(now)]


def add_suppression(
    store: FeedbackStore,
    clock: Clock,
    address: str,
    *,
    scope: str = GLOBAL_SCOPE,
    reason: str = "manual",
    source: str = "manual",
    days: int | None = None,
) -> tuple[Suppression, bool]:
    """Suppress ``address``; the entry and whether it is new. ``days`` makes it expire."""
    address, scope = _check(address, scope)
    now = clock.now()
    expires = now + timedelta(days=days) if days else None
    entry = Suppression(address, scope, reason, source, now, expires)
    return entry, store.suppress(entry)


def remove_suppression(store: FeedbackStore, address: str, *, scope: str | None = None) -> int:
    """Lift the suppressions of ``address`` (one scope, or all); how many were lifted."""
    return store.unsuppress(address.strip().lower(), scope.strip().lower() if scope else None)


def export_csv(store: FeedbackStore) -> str:
    """Every suppression as CSV (``address,scope,reason,source,created_at,expires_at``)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_FIELDS)
    for entry in store.suppressions():
        row = entry.as_dict()
        writer.writerow([row[name] if row[name] is not None else "" for name in CSV_FIELDS])
    return out.getvalue()


def _parse_time(text: str) -> datetime | None:
    if not text.strip():
        return None
    value = datetime.fromisoformat(text.strip())
    if value.tzinfo is None:
        raise ValueError("time without a time zone")
    return value


def import_csv(
    store: FeedbackStore, clock: Clock, text: str, *, source: str = "import"
) -> ImportResult:
    """Import suppressions from CSV (as exported) or a plain list of addresses, one a line.

    Every bad row is reported with its line number; the good rows are imported anyway.
    """
    now = clock.now()
    rows = list(csv.reader(io.StringIO(text)))
    has_header = bool(rows) and rows[0] and rows[0][0].strip().lower() == "address"
    added = unchanged = 0
    problems = []
    for number, row in enumerate(rows, start=1):
        if (number == 1 and has_header) or not row or not row[0].strip():
            continue
        cells = [*row, "", "", "", "", ""][:6]
        try:
            address, scope = _check(cells[0], cells[1])
            created = _parse_time(cells[4]) or now
            entry = Suppression(
                address,
                scope,
                cells[2].strip() or "imported",
                cells[3].strip() or source,
                created,
                _parse_time(cells[5]),
            )
        except (SuppressionInputError, ValueError) as exc:
            problems.append(f"line {number}: {exc}")
            continue
        if store.suppress(entry):
            added += 1
        else:
            unchanged += 1
    return ImportResult(added, unchanged, tuple(problems))


def domain_daily_counts(store: FeedbackStore, clock: Clock, *, days: int = 30) -> list[DailyCounts]:
    """Per-day, per-sending-domain counts over the last ``days`` days (today included)."""
    now = clock.now()
    start = datetime.combine(now.date() - timedelta(days=days - 1), datetime.min.time(), now.tzinfo)
    return store.daily_counts(start, now + timedelta(seconds=1))


def domain_rates(
    store: FeedbackStore, clock: Clock, domain: str, *, days: int = 7, sent: int | None = None
) -> Rates:
    """Rolling bounce, complaint and deferral rates of one sending domain."""
    return rolling_rates(domain_daily_counts(store, clock, days=days), domain.lower(), sent)
