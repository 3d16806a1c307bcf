"""DMARC aggregate reports: parsing every container, per-source totals, staged decisions."""

from __future__ import annotations

import gzip
import io
import zipfile
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from dmarc_samples import report_xml

from dns_support.fleets import make_fleet
from mailfleet.adapters.clock import FakeClock
from mailfleet.adapters.feedback.dmarc_memory import InMemoryDmarcStore
from mailfleet.core.dns.dkim import KeyAlgorithm
from mailfleet.core.dns.dmarc import DmarcPolicy
from mailfleet.core.dns.records import RecordType
from mailfleet.core.dns.templates import desired_zone
from mailfleet.core.errors import ConfigError
from mailfleet.core.feedback.dmarc_report import ReportError, read_reports, source_days
from mailfleet.core.feedback.dmarc_stage import (
    DailyTotals,
    StagePolicy,
    StageRecord,
    decide_stage,
)
from mailfleet.policy.dns import load_dns_template
from mailfleet.policy.rules import dmarc_stage_policy, dmarc_stage_policy_from
from mailfleet.services import dmarc as dmarc_service

SAMPLES = Path(__file__).parents[2] / "corpus" / "feedback" / "dmarc"
POLICY = StagePolicy(min_pass_ratio=0.98, min_messages=1000, min_days=14, window_days=28)
NOW = datetime(2026, 3, 31, 12, 0, tzinfo=UTC)


def test_rfc7489_report_is_read_with_aligned_results() -> None:
    """Google's format: domain, period, policy and per-record aligned DKIM/SPF results."""
    [report] = read_reports((SAMPLES / "google-rfc7489.xml").read_bytes())
    assert (report.org_name, report.domain, report.policy) == (
        "google.com",
        "news.example.com",
        "none",
    )
    assert report.begin == datetime(2026, 3, 2, tzinfo=UTC)
    assert report.messages == 128
    assert [(r.source_ip, r.count, r.passed) for r in report.rows] == [
        ("192.0.2.10", 120, True),
        ("192.0.2.10", 5, True),
        ("203.0.113.66", 3, False),
    ]


def test_rfc9990_namespaced_report_is_read() -> None:
    """The dmarc-2.0 namespace is understood: its rows are read like the older format's."""
    [report] = read_reports((SAMPLES / "microsoft-rfc9990.xml").read_bytes())
    assert (report.domain, report.policy, report.messages) == ("news.example.com", "quarantine", 40)
    [row] = report.rows
    assert (row.source_ip, row.dkim_aligned, row.spf_aligned, row.passed) == (
        "2001:db8::25",
        True,
        False,
        True,
    )


def _containers(xml: bytes) -> dict[str, bytes]:
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("google.com!news.example.com!1772409600!1772495999.xml", xml)
    mail = EmailMessage()
    mail["Subject"] = "Report domain: news.example.com Submitter: google.com"
    mail.set_content("DMARC aggregate report attached.")
    mail.add_attachment(
        gzip.compress(xml), maintype="application", subtype="gzip", filename="r.xml.gz"
    )
    return {"gzip": gzip.compress(xml), "zip": zipped.getvalue(), "email": mail.as_bytes()}


@pytest.mark.parametrize("container", ["gzip", "zip", "email"])
def test_every_container_gives_the_same_report(container: str) -> None:
    """.xml.gz, .zip and a report email carrying a gzip attachment all read the same."""
    xml = (SAMPLES / "google-rfc7489.xml").read_bytes()
    assert read_reports(_containers(xml)[container]) == read_reports(xml)


@pytest.mark.parametrize(
    "data",
    [
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]>'
        b"<feedback>&b;</feedback>",
        b"<html><body>not a report</body></html>",
        b"\x1f\x8bnot gzip at all",
        b"PK\x03\x04 broken zip",
        b"Subject: hello\n\nno attachment here\n",
        b"<feedback><policy_published><domain>x.example</domain></policy_published>"
        b"<report_metadata><date_range><begin>soon</begin></date_range></report_metadata></feedback>",
    ],
)
def test_hostile_or_wrong_input_is_a_report_error(data: bytes) -> None:
    """Entity tricks, other XML, broken archives and mails without reports raise ReportError."""
    with pytest.raises(ReportError):
        read_reports(data)


def test_source_days_sum_rows_per_ip() -> None:
    """Rows from one IP are summed; aligned passes, DKIM and SPF passes counted apart."""
    [report] = read_reports((SAMPLES / "google-rfc7489.xml").read_bytes())
    days = {d.source_ip: d for d in source_days(report)}
    first = days["192.0.2.10"]
    assert (first.day, first.messages, first.passed, first.dkim_pass, first.spf_pass) == (
        date(2026, 3, 2),
        125,
        125,
        120,
        125,
    )
    assert (days["203.0.113.66"].messages, days["203.0.113.66"].passed) == (3, 0)


def _days(domain: str, count: int, per_day: int, failed: int, end: date) -> list[DailyTotals]:
    return [
        DailyTotals(domain, end - timedelta(days=i), per_day, per_day - failed)
        for i in range(1, count + 1)
    ]


def test_enough_aligned_volume_moves_none_to_quarantine() -> None:
    """14 days, 1,400 messages, 99 % aligned: the domain may go from none to quarantine."""
    totals = _days("a.example", 14, 100, 1, NOW.date())
    decision = decide_stage("a.example", None, totals, POLICY, NOW)
    assert (decision.current, decision.proposed) == (DmarcPolicy.NONE, DmarcPolicy.QUARANTINE)
    assert decision.advance
    assert decision.pass_ratio == pytest.approx(0.99)


@pytest.mark.parametrize(
    ("days", "per_day", "failed", "why"),
    [
        (13, 100, 0, "13 of the 14 days"),
        (14, 50, 0, "700 messages"),
        (20, 100, 3, "below 98.00%"),
    ],
)
def test_too_little_evidence_holds(days: int, per_day: int, failed: int, why: str) -> None:
    """Too few days, too few messages or too low a pass rate keep the current stage."""
    totals = _days("a.example", days, per_day, failed, NOW.date())
    decision = decide_stage("a.example", None, totals, POLICY, NOW)
    assert not decision.advance
    assert why in decision.reason


def test_only_evidence_since_the_last_change_counts() -> None:
    """Days before the domain reached quarantine do not count towards reject."""
    totals = _days("a.example", 28, 100, 0, NOW.date())
    changed = StageRecord("a.example", DmarcPolicy.QUARANTINE, NOW - timedelta(days=10))
    assert not decide_stage("a.example", changed, totals, POLICY, NOW).advance
    earlier = StageRecord("a.example", DmarcPolicy.QUARANTINE, NOW - timedelta(days=20))
    decision = decide_stage("a.example", earlier, totals, POLICY, NOW)
    assert decision.proposed is DmarcPolicy.REJECT


def test_a_falling_pass_rate_never_moves_a_domain_down() -> None:
    """At reject with failing mail the decision holds reject: only a person moves it down."""
    totals = _days("a.example", 20, 100, 50, NOW.date())
    current = StageRecord("a.example", DmarcPolicy.REJECT, NOW - timedelta(days=40))
    decision = decide_stage("a.example", current, totals, POLICY, NOW)
    assert decision.proposed is DmarcPolicy.REJECT
    quarantined = StageRecord("a.example", DmarcPolicy.QUARANTINE, NOW - timedelta(days=40))
    assert decide_stage("a.example", quarantined, totals, POLICY, NOW).proposed is (
        DmarcPolicy.QUARANTINE
    )


def test_shipped_stage_policy_loads_and_bad_ones_are_refused() -> None:
    """The shipped thresholds load; a ratio above 1 or a window shorter than min_days fail."""
    assert dmarc_stage_policy().min_days == 14
    with pytest.raises(ConfigError, match="min_pass_ratio"):
        dmarc_stage_policy_from(
            {"min_pass_ratio": 1.5, "min_messages": 1, "min_days": 1, "window_days": 1}, "t"
        )
    with pytest.raises(ConfigError, match="window_days"):
        dmarc_stage_policy_from(
            {"min_pass_ratio": 0.9, "min_messages": 1, "min_days": 14, "window_days": 7}, "t"
        )


def test_service_ingests_once_and_applies_a_stage(clock: FakeClock) -> None:
    """Reports count once; stage --apply stores the move up; stage policies feed DNS."""
    store = InMemoryDmarcStore()
    today = clock.now().date()
    files = [
        (f"r{i}.xml", report_xml("b.example", today - timedelta(days=i), 99, 1))
        for i in range(1, 16)
    ]
    first = dmarc_service.ingest_reports(files, store=store, clock=clock)
    again = dmarc_service.ingest_reports(files[:1], store=store, clock=clock)
    assert sum(f.added for f in first) == 15
    assert (again[0].added, again[0].duplicates) == (0, 1)
    unread = dmarc_service.ingest_reports([("x.txt", b"hello")], store=store, clock=clock)
    assert unread[0].error
    [decision] = dmarc_service.stage_decisions(store, clock, apply=True)
    assert decision.proposed is DmarcPolicy.QUARANTINE
    assert dmarc_service.stage_policies(store) == {"b.example": DmarcPolicy.QUARANTINE}
    [again_decision] = dmarc_service.stage_decisions(store, clock)
    assert not again_decision.advance  # evidence restarts after the change
    dmarc_service.set_stage(store, clock, "b.example", DmarcPolicy.NONE, "new sender")
    assert dmarc_service.stage_policies(store) == {"b.example": DmarcPolicy.NONE}


def test_dns_template_publishes_each_domains_stage() -> None:
    """A staged domain's _dmarc record carries its stage; other domains keep the template's."""
    fleet = make_fleet(2, relay={"dkim_cname": "{selector}.dkim.relay.test."})
    template = replace(
        load_dns_template(),
        key_algorithm=KeyAlgorithm.ED25519,
        dmarc_domain_policies=(("d000.example", DmarcPolicy.QUARANTINE),),
    )

    def dmarc_of(index: int) -> str:
        zone = desired_zone(fleet, fleet.domains[index], template)
        [record] = [
            r for r in zone.records if r.name.startswith("_dmarc.") and r.type is RecordType.TXT
        ]
        return record.values[0]

    assert "p=quarantine" in dmarc_of(0)
    assert "p=none" in dmarc_of(1)
