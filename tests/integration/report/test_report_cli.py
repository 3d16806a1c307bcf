"""``mailfleet report`` end to end: history written through the real stores on SQLite and
PostgreSQL, then the table read back in each format."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from report_seeding import (
    ALPHA,
    BETA,
    WARMUP_DAYS,
    Seeded,
    add_user,
    build_app,
    isolate,
    seed_dns,
    seed_dnsbl,
    seed_provisioning,
    seed_warmup_and_feedback,
)
from typer.testing import CliRunner

from mailfleet.cli.app import app
from mailfleet.core.feedback.events import EventKind, FeedbackEvent
from mailfleet.core.results import Status

runner = CliRunner()


def _invoke(seeded: Seeded, db_url: str, *args: str) -> tuple[int, str]:
    base = ["--data-dir", str(seeded.spec.parent / "cli"), "--database-url", db_url]
    result = runner.invoke(app, [*base, "report", "-f", str(seeded.spec), *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stdout


def _rows(out: str) -> dict[str, dict[str, object]]:
    return {row["key"]: row for row in json.loads(out)["rows"]}


def test_a_healthy_fleet_in_every_format(db_url: str, tmp_path: Path) -> None:
    """A fleet warmed in a week, clean checks, an isolated complaint spike: every target met,
    the isolated domain reported apart; Markdown, HTML and JSON all carry the rows."""
    seeded = build_app(db_url, tmp_path)
    seed_provisioning(seeded)
    seed_warmup_and_feedback(seeded, bounces={ALPHA: 2, BETA: 1}, complaints={BETA: 3})
    seed_dns(seeded)
    seed_dnsbl(seeded)
    isolate(seeded, BETA, restore=True)  # back in rotation now: the log still counts it
    add_user(seeded)
    seeded.app.close()

    code, out = _invoke(seeded, db_url, "--format", "json")
    assert code == 0
    document = json.loads(out)
    assert document["ok"] is True
    assert document["fleet"] == "results"
    rows = _rows(out)
    assert {k: r["status"] for k, r in rows.items()} == dict.fromkeys(rows, "met")
    operational = rows["target_volume"]["evidence"]
    assert isinstance(operational, dict)
    assert operational["days"] == 7  # the short schedule's target week starts on ramp day 7
    assert operational["first_warmup_day"] == seeded.first_day.isoformat()
    bounce = rows["bounce_rate"]["evidence"]
    assert isinstance(bounce, dict)
    at_target_days = WARMUP_DAYS - 7
    assert bounce["attempts"] == 200 * at_target_days  # beta is isolated: apart
    assert bounce["bounces"] == 2 * at_target_days
    assert bounce["worst_domain"] == ALPHA
    assert bounce["isolated_worst_domain"] == BETA
    complaints = rows["complaint_rate"]["evidence"]
    assert isinstance(complaints, dict)
    assert complaints["complaints"] == 0
    assert complaints["isolated_rate"] == 3 / 199
    assert "isolated domains" in str(rows["complaint_rate"]["outcome"])
    assert rows["blacklisting"]["outcome"] == "Zero in 1 DNSBL check"
    assert rows["provisioning_time"]["outcome"] == "4 mailboxes in 1 min 30 s via API"
    assert rows["authentication"]["outcome"] == "100% — SPF, DKIM, DMARC on all 2 domains"
    assert rows["visibility"]["outcome"].startswith("2 of 2 domains and 4 of 4 mailboxes")

    code, out = _invoke(seeded, db_url, "--format", "md", "--check")
    assert code == 0
    lines = out.splitlines()
    header = lines.index("| Dimension | Outcome | Target | Status |")
    assert lines[header + 1] == "|---|---|---|---|"
    table = lines[header + 2 :]
    assert len(table) == 9
    assert all(line.startswith("| ") for line in table)
    assert table[0].startswith("| Infrastructure operational time | All 2 domains live")
    assert table[1].startswith("| Target sending volume | All 2 domains at target")

    page = tmp_path / "results.html"
    code, out = _invoke(seeded, db_url, "-o", str(page))
    assert code == 0
    assert "Wrote" in out
    assert "9 met" in out
    html = page.read_text("utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert html.count("<tr><td>") == 9
    assert "<td>Blacklisting incidents</td><td>Zero in 1 DNSBL check" in html
    assert "src=" not in html
    assert "href=" not in html


def test_missed_targets_fail_only_with_check(db_url: str, tmp_path: Path) -> None:
    """A listed IP, high bounces, a failing DKIM, no dashboard user: the rows say so, the
    report still exits 0, and ``--check`` exits 1; a one-day period measures no rates."""
    seeded = build_app(db_url, tmp_path)
    seed_warmup_and_feedback(seeded, bounces={ALPHA: 4}, complaints={})
    seed_dns(seeded, dkim_ok=(ALPHA,))
    seed_dnsbl(seeded, listed_ip="192.0.2.2")
    seeded.app.close()

    code, out = _invoke(seeded, db_url, "--json")
    assert code == 0
    assert json.loads(out)["ok"] is False
    rows = _rows(out)
    statuses = {k: r["status"] for k, r in rows.items()}
    assert statuses == {
        "operational_time": "met",
        "target_volume": "met",
        "blacklisting": "not met",
        "bounce_rate": "not met",
        "complaint_rate": "met",
        "authentication": "not met",
        "provisioning_time": "not measured",
        "visibility": "not met",
        "config_variance": "not met",  # beta's DKIM record differs from the template
    }
    assert rows["blacklisting"]["outcome"] == "1 listing: 192.0.2.2 on zen.spamhaus.org"
    assert rows["bounce_rate"]["evidence"]["worst_rate"] == 0.02  # type: ignore[index]
    assert rows["authentication"]["outcome"] == "50% (1 of 2): failing beta.example (DKIM)"

    code, _ = _invoke(seeded, db_url, "--json", "--check")
    assert code == 1
    code, out = _invoke(seeded, db_url, "--json", "--days", "1")
    rows = _rows(out)
    assert rows["bounce_rate"]["status"] == "not measured"  # nothing sent today
    assert rows["blacklisting"]["status"] == "not measured"  # the check ran yesterday
    assert json.loads(out)["period"]["start"] == json.loads(out)["period"]["end"]


def test_the_app_method_on_an_empty_database(db_url: str, tmp_path: Path) -> None:
    """``App.results_report`` on a synced fleet with no history claims nothing."""
    seeded = build_app(db_url, tmp_path)
    report = seeded.app.results_report(seeded.fleet)
    seeded.app.close()
    assert [str(r.status) for r in report.rows] == [
        "not measured",
        "not measured",
        "not measured",
        "not measured",
        "not measured",
        "not measured",
        "not measured",
        "not met",
        "met",
    ]


def test_without_a_period_history_ahead_of_the_clock_counts(db_url: str, tmp_path: Path) -> None:
    """Everything stored is read when no period is given, even events stamped after the
    report's clock (history written under a faster clock); ``--days`` stops at now."""
    seeded = build_app(db_url, tmp_path)
    later = seeded.clock.now() + timedelta(days=3)
    events = [FeedbackEvent(EventKind.DELIVERY, "r@x.example", later, sending_domain=ALPHA)]
    seeded.app.feedback_store().add_events(events)
    everything = seeded.app.results_report(seeded.fleet)
    recent = seeded.app.results_report(seeded.fleet, days=7)
    seeded.app.close()
    assert everything.row("complaint_rate").evidence["delivered"] == 1
    assert recent.row("complaint_rate").status is Status.NOT_MEASURED
