"""The results table's definitions, on plain figures."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from mailfleet.core.results import (
    AuthFigures,
    DomainFigures,
    Listing,
    ResultsInput,
    Status,
    caps_by_day,
    days_at_target,
    provisioning_runs,
    reached_target,
    results_table,
)

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
START = date(2026, 2, 2)
PASS = AuthFigures(True, True, True, NOW)


def _domain(name: str, **changes: object) -> DomainFigures:
    healthy = DomainFigures(
        name=name,
        target=2000,
        warmup_start=START,
        sending_since=START,
        reached_target=START + timedelta(days=20),
        attempts_at_target=10_000,
        bounces_at_target=80,
        delivered=20_000,
        complaints=4,
        auth=PASS,
    )
    return replace(healthy, **changes)  # type: ignore[arg-type]


def _input(*domains: DomainFigures, **changes: object) -> ResultsInput:
    base = ResultsInput(
        fleet="acme",
        generated_at=NOW,
        period_start=None,
        period_end=NOW.date(),
        domains=domains,
        dnsbl_runs=30,
        provisioned=tuple(NOW - timedelta(days=40, seconds=s) for s in range(0, 240, 10)),
        mailboxes_in_spec=24,
        mailboxes_stored=24,
        dashboard_users=1,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_no_data_is_not_measured_never_met() -> None:
    """An empty database claims nothing: every data-driven row is "not measured"."""
    bare = DomainFigures("a.example", target=2000, synced=False)
    report = results_table(
        ResultsInput("acme", NOW, None, NOW.date(), (bare,), mailboxes_in_spec=3)
    )
    statuses = {r.key: r.status for r in report.rows}
    for key in (
        "operational_time",
        "target_volume",
        "blacklisting",
        "bounce_rate",
        "complaint_rate",
        "authentication",
        "provisioning_time",
        "config_variance",
    ):
        assert statuses[key] is Status.NOT_MEASURED, key
    assert statuses["visibility"] is Status.NOT_MET  # nothing synced, no user
    assert report.unmet == (report.row("visibility"),)
    assert len(report.rows) == 9


def test_a_healthy_fleet_meets_every_target() -> None:
    """Two domains at target in 20 days, low rates, clean checks: all nine rows met."""
    report = results_table(_input(_domain("a.example"), _domain("b.example")))
    assert [r.status for r in report.rows] == [Status.MET] * 9
    assert report.row("operational_time").outcome == "All 2 domains live (sending) in 0 days"
    assert report.row("target_volume").outcome == "All 2 domains at target volume in 20 days"
    assert report.row("target_volume").evidence["days"] == 20
    assert report.row("blacklisting").outcome == "Zero in 30 DNSBL checks"
    bounce = report.row("bounce_rate")
    assert bounce.evidence["fleet_rate"] == 160 / 20_000
    assert bounce.outcome.startswith("0.80% fleet-wide")
    assert report.row("authentication").outcome == "100% — SPF, DKIM, DMARC on all 2 domains"
    assert report.row("provisioning_time").outcome == "24 mailboxes in 3 min 50 s via API"


def test_target_volume_uses_the_last_domain_and_misses_after_six_weeks() -> None:
    """The slowest domain decides; 43 days misses the six-week window."""
    slow = _domain("b.example", reached_target=START + timedelta(days=43))
    row = results_table(_input(_domain("a.example"), slow)).row("target_volume")
    assert row.status is Status.NOT_MET
    assert row.evidence["last_domain_at_target"] == "2026-03-17"


def test_operational_time_uses_the_last_domain_to_send_and_misses_after_21_days() -> None:
    """Live is sending at all: the last domain to start decides, 22 days misses."""
    late = _domain("b.example", sending_since=START + timedelta(days=22))
    row = results_table(_input(_domain("a.example"), late)).row("operational_time")
    assert row.status is Status.NOT_MET
    assert row.evidence["days"] == 22
    prompt = results_table(_input(_domain("a.example"), replace(late, sending_since=START)))
    assert prompt.row("operational_time").status is Status.MET


def test_a_domain_never_at_target_is_open_then_missed() -> None:
    """Inside the window the outcome is still open; past it, the target is missed."""
    never = _domain("b.example", reached_target=None, attempts_at_target=0)
    recent = _input(_domain("a.example"), never, period_end=START + timedelta(days=10))
    row = results_table(recent).row("target_volume")
    assert row.status is Status.NOT_MEASURED
    assert row.outcome == "Not yet: 1 of 2 domains at target volume after 10 days"
    assert row.evidence["not_yet"] == ["b.example"]
    late = _input(_domain("a.example"), never, period_end=START + timedelta(days=45))
    row = results_table(late).row("target_volume")
    assert row.status is Status.NOT_MET
    assert "after 45 days" in row.outcome


def test_bounce_rate_judges_the_worst_domain() -> None:
    """A fleet average under 1.5 % still misses when one domain is at 1.6 %."""
    bad = _domain("b.example", bounces_at_target=160)
    row = results_table(_input(_domain("a.example"), bad)).row("bounce_rate")
    assert row.status is Status.NOT_MET
    assert row.evidence["worst_domain"] == "b.example"
    assert row.evidence["worst_rate"] == 0.016
    assert "worst domain b.example 1.60%" in row.outcome


def test_an_isolated_domain_is_reported_apart() -> None:
    """A complaint spike on an isolated domain is a caught incident: shown, not counted."""
    spiked = _domain("b.example", complaints=60, isolated=True)
    row = results_table(_input(_domain("a.example"), spiked)).row("complaint_rate")
    assert row.status is Status.MET
    assert row.evidence["fleet_rate"] == 4 / 20_000
    assert row.evidence["isolated_worst_domain"] == "b.example"
    assert row.evidence["isolated_rate"] == 60 / 20_000
    assert "isolated domains 0.300% (caught and rotated out" in row.outcome
    same_unisolated = replace(spiked, isolated=False)
    missed = results_table(_input(_domain("a.example"), same_unisolated)).row("complaint_rate")
    assert missed.status is Status.NOT_MET


def test_only_isolated_domains_measured_is_not_a_pass() -> None:
    """When every measured domain is isolated there is no operating figure to judge."""
    row = results_table(_input(_domain("a.example", isolated=True))).row("complaint_rate")
    assert row.status is Status.NOT_MEASURED


def test_listings_count_distinct_subject_zone_pairs() -> None:
    """Each listing pair is an incident, named in the outcome."""
    seen = [
        Listing("192.0.2.1", "zen.spamhaus.org", NOW, NOW, 3),
        Listing("a.example", "dbl.spamhaus.org", NOW, NOW, 1),
    ]
    row = results_table(_input(_domain("a.example"), listings=tuple(seen))).row("blacklisting")
    assert row.status is Status.NOT_MET
    assert row.evidence["incidents"] == 2
    assert row.outcome.startswith("2 listings: 192.0.2.1 on zen.spamhaus.org")


def test_authentication_names_failures_and_unverified_domains() -> None:
    """Missing DKIM and a never-verified domain bring the share down to a third."""
    no_dkim = _domain("b.example", auth=AuthFigures(True, False, True, NOW))
    unverified = _domain("c.example", auth=None)
    row = results_table(_input(_domain("a.example"), no_dkim, unverified)).row("authentication")
    assert row.status is Status.NOT_MET
    assert row.evidence["passing"] == 1
    assert row.evidence["failing"] == {"b.example": ["DKIM"]}
    assert row.outcome == "33% (1 of 3): failing b.example (DKIM); never verified c.example"


def test_provisioning_runs_split_on_long_pauses() -> None:
    """Outcomes weeks apart are separate runs; each run's own length is judged."""
    first = [NOW - timedelta(days=30, minutes=m) for m in range(5)]
    second = [NOW - timedelta(minutes=m) for m in (0, 20, 40)]
    runs = provisioning_runs(first + second)
    assert [r.mailboxes for r in runs] == [5, 3]
    assert runs[1].duration == timedelta(minutes=40)
    row = results_table(_input(_domain("a.example"), provisioned=tuple(first + second))).row(
        "provisioning_time"
    )
    assert row.status is Status.MET
    assert row.outcome == "8 mailboxes in 2 runs via API, the longest 3 in 40 min"
    slow = tuple(NOW - timedelta(minutes=25 * n) for n in range(4))  # 75 min, no 30-min gap
    assert (
        results_table(_input(_domain("a.example"), provisioned=slow))
        .row("provisioning_time")
        .status
        is Status.NOT_MET
    )


def test_variance_counts_drift_unsynced_and_records() -> None:
    """Drift, an unsynced domain and a record off template are all variance."""
    drifted = _domain("b.example", drift=("relay",))
    unsynced = _domain("c.example", synced=False)
    records = _domain("d.example", record_mismatches=("_dmarc.d.example TXT",))
    row = results_table(_input(_domain("a.example"), drifted, unsynced, records)).row(
        "config_variance"
    )
    assert row.status is Status.NOT_MET
    assert row.evidence["drift"] == {"b.example": ["relay"]}
    assert row.evidence["unsynced"] == ["c.example"]
    assert row.evidence["record_mismatches"] == {"d.example": ["_dmarc.d.example TXT"]}


def test_visibility_needs_a_user_and_every_mailbox() -> None:
    """Without a dashboard user, or with mailboxes missing, visibility is not met."""
    assert (
        results_table(_input(_domain("a.example"), dashboard_users=0)).row("visibility").status
        is Status.NOT_MET
    )
    assert (
        results_table(_input(_domain("a.example"), mailboxes_stored=20)).row("visibility").status
        is Status.NOT_MET
    )


def test_caps_come_from_the_previous_days_decision() -> None:
    """A decision at the end of day D sets D + 1's cap; a re-run replaces it."""
    d = date(2026, 2, 2)
    caps = caps_by_day([(d, 50), (d + timedelta(days=1), 2000), (d + timedelta(days=1), 1000)])
    assert caps == {d + timedelta(days=1): 50, d + timedelta(days=2): 1000}
    caps = caps_by_day([(d, 50), (d + timedelta(days=1), 2000), (d + timedelta(days=3), 2000)])
    assert reached_target(caps, 2000) == d + timedelta(days=2)
    assert days_at_target(caps, 2000) == {d + timedelta(days=2), d + timedelta(days=4)}
    assert reached_target(caps, 0) is None
    assert reached_target({}, 2000) is None


def test_as_dict_is_json_ready() -> None:
    """The JSON form carries the period, a summary and every row."""
    data = results_table(_input(_domain("a.example"))).as_dict()
    assert data["summary"] == {"met": 9, "not met": 0, "not measured": 0}
    assert data["period"] == {"start": None, "end": "2026-03-02"}


def test_a_domain_not_sending_yet_keeps_operational_time_open() -> None:
    """Inside three weeks a domain that has not sent yet leaves the row open, named."""
    a = _domain("a.example", sending_since=START)
    waiting = _domain("b.example", sending_since=None)
    recent = _input(a, waiting, period_end=START + timedelta(days=5))
    row = results_table(recent).row("operational_time")
    assert row.status is Status.NOT_MEASURED
    assert row.evidence["not_yet"] == ["b.example"]
    assert results_table(_input(a, waiting)).row("operational_time").status is Status.NOT_MET
