"""DMARC reports and stages in the real tables (SQLite and PostgreSQL), and the CLI end to end."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from typer.testing import CliRunner

from mailfleet.adapters.db.database import Database
from mailfleet.adapters.db.feedback_dmarc_store import SqlDmarcStore
from mailfleet.cli.app import app
from mailfleet.core.dns.dmarc import DmarcPolicy
from mailfleet.core.feedback.dmarc_report import read_reports
from mailfleet.core.feedback.dmarc_stage import StageRecord

SAMPLES = Path(__file__).parents[2] / "corpus" / "feedback" / "dmarc"
sys.path.insert(0, str(Path(__file__).parents[2] / "unit" / "feedback"))
from dmarc_samples import report_xml  # noqa: E402

T0 = datetime(2026, 3, 5, 12, 0, tzinfo=UTC)


def test_reports_sum_per_domain_ip_day_and_count_once(database: Database) -> None:
    """Two reporters on one day add up per source IP; the same report again adds nothing."""
    store = SqlDmarcStore(database)
    [google] = read_reports((SAMPLES / "google-rfc7489.xml").read_bytes())
    [microsoft] = read_reports((SAMPLES / "microsoft-rfc9990.xml").read_bytes())
    assert store.add_report(google, T0)
    assert store.add_report(microsoft, T0)
    assert not store.add_report(google, T0)
    days = {d.source_ip: d for d in store.source_days(google.begin.date())}
    assert (days["192.0.2.10"].messages, days["192.0.2.10"].passed) == (125, 125)
    assert (days["203.0.113.66"].messages, days["203.0.113.66"].passed) == (3, 0)
    assert (days["2001:db8::25"].messages, days["2001:db8::25"].dkim_pass) == (40, 40)
    assert store.source_days(google.begin.date() + timedelta(days=1)) == []
    second = read_reports(report_xml("news.example.com", google.begin.date(), 10, 0, org="yahoo"))
    assert store.add_report(second[0], T0)
    days = {d.source_ip: d for d in store.source_days(google.begin.date())}
    assert days["192.0.2.10"].messages == 135


def test_stages_are_stored_and_replaced(database: Database) -> None:
    """set_stage stores a domain's stage and a later call replaces it."""
    store = SqlDmarcStore(database)
    store.set_stage(StageRecord("a.example", DmarcPolicy.QUARANTINE, T0, "auto"))
    store.set_stage(StageRecord("b.example", DmarcPolicy.NONE, T0, "new"))
    store.set_stage(StageRecord("a.example", DmarcPolicy.REJECT, T0 + timedelta(days=20), "auto"))
    assert [(s.domain, s.stage, s.changed_at) for s in store.stages()] == [
        ("a.example", DmarcPolicy.REJECT, T0 + timedelta(days=20)),
        ("b.example", DmarcPolicy.NONE, T0),
    ]


SPEC = """\
version: 1
name: dmarctest
defaults: {dns: mem, mailbox: gw, relay: relay}
providers:
  dns:
    mem: {kind: memory}
  mailbox:
    gw: {kind: google}
  relay:
    relay: {kind: smtp, host: smtp.relay.test}
segments:
  primary:
    purpose: test
    volume: {profile: low}
    warmup: {priority: first}
domains:
  - {name: staged.example, segment: primary, sending_ips: [192.0.2.10]}
  - {name: other.example, segment: primary, sending_ips: [192.0.2.11]}
"""


def test_cli_ingest_report_stage_then_dns_plan(tmp_path: Path) -> None:
    """Reports in, stage --apply moves the domain to quarantine, dns plan publishes p=quarantine."""
    today = datetime.now(UTC).date()
    files = []
    for i in range(1, 16):
        path = tmp_path / f"r{i}.xml"
        path.write_bytes(report_xml("staged.example", today - timedelta(days=i), 99, 1))
        files.append(str(path))
    spec = tmp_path / "fleet.yaml"
    spec.write_text(SPEC)
    base = ["--data-dir", str(tmp_path / "state")]
    env = {"MAILFLEET_MASTER_KEY": ""}
    runner = CliRunner()
    ingested = runner.invoke(app, [*base, "dmarc", "ingest", *files, "--json"], env=env)
    assert ingested.exit_code == 0, ingested.stdout
    assert sum(r["added"] for r in json.loads(ingested.stdout)) == 15
    report = runner.invoke(app, [*base, "dmarc", "report", "--json"], env=env)
    rows = json.loads(report.stdout)
    assert {r["source_ip"] for r in rows} == {"192.0.2.10", "198.51.100.7"}
    staged = runner.invoke(app, [*base, "dmarc", "stage", "--apply", "--json"], env=env)
    [decision] = json.loads(staged.stdout)["domains"]
    assert (decision["current"], decision["proposed"]) == ("none", "quarantine")
    plan = runner.invoke(app, [*base, "dns", "plan", "-f", str(spec), "--json"], env=env)
    assert plan.exit_code == 0, plan.stdout
    values = _dmarc_values(json.loads(plan.stdout))
    assert len(values) == 2
    assert sum("p=quarantine" in v for v in values) == 1
    assert sum("p=none" in v for v in values) == 1
    bad = runner.invoke(app, [*base, "dmarc", "ingest", str(spec), "--json"], env=env)
    assert bad.exit_code == 2


def _dmarc_values(plan: object) -> list[str]:
    """Every _dmarc TXT value anywhere in the plan's JSON."""
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
        elif isinstance(node, str) and node.startswith("v=DMARC1"):
            found.append(node)

    walk(plan)
    return found
