"""In-memory DNS: a provider that keeps zones in a dict, and a resolver that reads them.

Used by unit tests and the demo. ``fail_on`` makes the provider fail like a real one would,
halfway through an apply, to test that the next apply resumes.
"""

from __future__ import annotations

from collections.abc import Sequence

from mailfleet.core.dns.checks import DomainCheck, JournalEntry
from mailfleet.core.dns.errors import DnsProviderUnavailable
from mailfleet.core.dns.plan import Change, ChangeKind
from mailfleet.core.dns.ports import Answer, AnswerStatus
from mailfleet.core.dns.records import Record, RecordType
from mailfleet.core.dns.rotation import RotationState


class InMemoryDnsProvider:
    """Zones as ``{zone: {(name, type): Record}}``; changes apply one RRset at a time."""

    supported_types = frozenset(RecordType)

    def __init__(self, name: str = "memory") -> None:
        self.name = name
        self.zones: dict[str, dict[tuple[str, RecordType], Record]] = {}
        self.fail_on: set[str] = set()  # record names whose change fails (tests)
        self.calls = 0

    def list_records(self, zone: str) -> tuple[Record, ...] | None:
        """The zone's RRsets, or ``None`` when the zone does not exist."""
        rrsets = self.zones.get(zone)
        return None if rrsets is None else tuple(rrsets.values())

    def ensure_zone(self, zone: str) -> None:
        """Create an empty zone if missing."""
        self.zones.setdefault(zone, {})

    def apply(self, zone: str, changes: Sequence[Change]) -> None:
        """Apply changes in order; a name in ``fail_on`` fails after the earlier ones landed."""
        rrsets = self.zones[zone]
        for change in changes:
            self.calls += 1
            record = change.record
            if record.name in self.fail_on:
                raise DnsProviderUnavailable(self.name, zone, record.label(), "simulated outage")
            if change.kind is ChangeKind.DELETE:
                rrsets.pop(record.key, None)
            else:
                rrsets[record.key] = record

    def put(self, record: Record) -> None:
        """Seed a record directly (a foreign record, for tests), creating the zone if needed."""
        zone = next(
            (z for z in self.zones if record.name == z or record.name.endswith("." + z)), None
        )
        self.zones.setdefault(zone or record.name, {})[record.key] = record


class InMemoryResolver:
    """Answers queries from one or more in-memory providers' zones."""

    def __init__(self, *providers: InMemoryDnsProvider) -> None:
        self.providers = providers

    def query(self, name: str, rtype: RecordType) -> Answer:
        """The RRset if present; NODATA when the name exists with other types; else NXDOMAIN."""
        name = name.rstrip(".").lower()
        exists = False
        for provider in self.providers:
            for rrsets in provider.zones.values():
                record = rrsets.get((name, rtype))
                if record is not None:
                    return Answer(AnswerStatus.OK, record.values, record.ttl)
                exists = exists or any(key[0] == name for key in rrsets)
        return Answer(AnswerStatus.NODATA if exists else AnswerStatus.NXDOMAIN)


class InMemoryDnsCheckStore:
    """Verification results in a list; ``latest`` keeps each domain's newest."""

    def __init__(self) -> None:
        self.rows: list[DomainCheck] = []

    def record(self, checks: Sequence[DomainCheck]) -> None:
        """Append a run's results."""
        self.rows.extend(checks)

    def latest(self) -> dict[str, DomainCheck]:
        """The newest result per domain."""
        newest: dict[str, DomainCheck] = {}
        for row in self.rows:
            if row.domain not in newest or row.checked_at >= newest[row.domain].checked_at:
                newest[row.domain] = row
        return newest


class InMemoryRotationStore:
    """Rotation states in a dict."""

    def __init__(self) -> None:
        self.states: dict[str, RotationState] = {}

    def get(self, domain: str) -> RotationState | None:
        """The stored state of ``domain``."""
        return self.states.get(domain)

    def save(self, state: RotationState) -> None:
        """Replace the domain's state."""
        self.states[state.domain] = state


class InMemoryDnsJournal:
    """Apply journal entries in a list."""

    def __init__(self) -> None:
        self.rows: list[JournalEntry] = []

    def record(self, entry: JournalEntry) -> None:
        """Append an entry."""
        self.rows.append(entry)

    def entries(self, domain: str | None = None) -> list[JournalEntry]:
        """Entries for ``domain`` (or all), oldest first."""
        return [e for e in self.rows if domain is None or e.domain == domain]
