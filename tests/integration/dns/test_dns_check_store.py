"""Verification results and the apply journal stored in SQL, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from mailfleet.adapters.db.database import Database
from mailfleet.adapters.db.dns_store import SqlDnsCheckStore, SqlDnsJournal
from mailfleet.core.dns.checks import Check, DomainCheck, JournalEntry, coverage

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def test_latest_result_per_domain_wins(database: Database) -> None:
    """The newest run of each domain is what latest() returns, checks and time intact."""
    store = SqlDnsCheckStore(database)
    store.record([DomainCheck("a.test", T0, (Check("spf:budget", False, "11 lookups"),))])
    store.record(
        [
            DomainCheck("a.test", T0 + timedelta(hours=1), (Check("spf:budget", True),)),
            DomainCheck("b.test", T0 + timedelta(hours=1), (Check("dkim:mf1", False, "x"),)),
        ]
    )
    latest = store.latest()
    assert latest["a.test"].ok
    assert latest["a.test"].checked_at == T0 + timedelta(hours=1)
    assert latest["b.test"].checks == (Check("dkim:mf1", False, "x"),)
    assert coverage(["a.test", "b.test"], latest.values()) == 50.0


def test_journal_keeps_each_zone_entry_in_order(database: Database) -> None:
    """Entries read back per domain, oldest first, with their changes and error."""
    journal = SqlDnsJournal(database)
    change = {"kind": "create", "name": "_dmarc.a.test", "type": "TXT"}
    journal.record(JournalEntry("a.test", T0, "failed", (change,), "HTTP 500"))
    journal.record(JournalEntry("b.test", T0, "applied", ()))
    journal.record(JournalEntry("a.test", T0 + timedelta(minutes=5), "applied", (change,)))
    entries = journal.entries("a.test")
    assert [e.outcome for e in entries] == ["failed", "applied"]
    assert entries[0].changes == (change,)
    assert entries[0].error == "HTTP 500"
    assert len(journal.entries()) == 3
