"""The headless demo, end to end: six simulated weeks over real DNS, SMTP and feedback.

Two full runs (the default scenario and the complaint spike) check the outcomes the case
study promises: every domain authenticated and at target volume, and a sour pool domain
rotated out by its alert while nothing else stops.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mailfleet.demo.run import Demo, DemoOptions, DemoOutcome, DomainOutcome

SPIKED = "acme-outreach.test"  # pool-a's first domain, which the spike scenario sours


def _run(directory: Path, scenario: str, days: int = 42) -> DemoOutcome:
    options = DemoOptions(directory=directory, scenario=scenario, days=days, web=False)
    return Demo(options).run()


@pytest.fixture(scope="module")
def default_run(tmp_path_factory: pytest.TempPathFactory) -> DemoOutcome:
    return _run(tmp_path_factory.mktemp("demo-default"), "default")


@pytest.fixture(scope="module")
def spike_run(tmp_path_factory: pytest.TempPathFactory) -> DemoOutcome:
    # The spike starts on day 28; four days later it has been caught and rotated out.
    return _run(tmp_path_factory.mktemp("demo-spike"), "complaint-spike", days=32)


def _by_name(outcome: DemoOutcome) -> dict[str, DomainOutcome]:
    return {d.domain: d for d in outcome.domains}


def _fired(outcome: DemoOutcome) -> list[dict[str, object]]:
    return [a for a in outcome.alerts if a["kind"] == "fired"]


def test_default_authenticates_every_domain(default_run: DemoOutcome) -> None:
    assert len(default_run.domains) == 12
    assert default_run.dns_coverage == 100.0
    assert default_run.mailboxes == 235


def test_default_brings_every_domain_to_target(default_run: DemoOutcome) -> None:
    for domain in default_run.domains:
        assert domain.reached_target_day is not None, domain
        assert domain.cap == domain.target, domain
        assert domain.state == "active", domain
        assert not domain.warmup_paused, domain


def test_default_stays_within_the_case_study_rates(default_run: DemoOutcome) -> None:
    delivered = sum(d.delivered for d in default_run.domains)
    bounced = sum(d.bounced for d in default_run.domains)
    complaints = sum(d.complaints for d in default_run.domains)
    assert delivered > 10_000
    assert 0 < bounced / (delivered + bounced) < 0.015
    assert complaints / delivered < 0.0005
    assert _fired(default_run) == []


def test_default_mail_really_went_through_the_world(default_run: DemoOutcome) -> None:
    accepted = sum(stats["accepted"] for stats in default_run.world.values())
    dsns = sum(stats["dsn_sent"] for stats in default_run.world.values())
    delivered = sum(d.delivered for d in default_run.domains)
    # Every message the dispatcher saw accepted was taken by the world: as a real mailbox's
    # mail, or as an unknown user's that a provider bounces later with a DSN.
    assert delivered == accepted + dsns
    # Unknown users bounce both ways: refused at RCPT, and accepted then bounced by DSN,
    # which came back through the intake and was matched to its message.
    assert sum(stats["rejected_unknown"] for stats in default_run.world.values()) > 0
    assert sum(stats["dsn_sent"] for stats in default_run.world.values()) > 0
    # The receivers verified DKIM on a sample of what they accepted, against the served DNS.
    assert sum(stats["dkim_pass"] for stats in default_run.world.values()) > 100
    assert sum(stats["dkim_fail"] for stats in default_run.world.values()) == 0


def test_default_meets_the_case_study_table(default_run: DemoOutcome) -> None:
    assert default_run.results is not None
    statuses = {row.key: str(row.status) for row in default_run.results.rows}
    assert statuses == dict.fromkeys(statuses, "met"), default_run.results.as_dict()


def test_spike_rotates_out_the_sour_pool_domain(spike_run: DemoOutcome) -> None:
    domains = _by_name(spike_run)
    assert domains[SPIKED].state == "isolated"
    assert domains[SPIKED].complaints > 0
    fired = _fired(spike_run)
    assert any(a["rule"] == "complaint-rate" and a["subject"] == SPIKED for a in fired), fired


def test_spike_stops_nothing_else(spike_run: DemoOutcome) -> None:
    for domain in spike_run.domains:
        if domain.domain == SPIKED:
            continue
        assert domain.state in ("warming", "active"), domain
        assert not domain.warmup_paused, domain
    assert {a["subject"] for a in _fired(spike_run)} == {SPIKED}


def test_spike_complaints_came_back_as_arf_reports(spike_run: DemoOutcome) -> None:
    arf = sum(stats["arf_sent"] for stats in spike_run.world.values())
    assert arf > 0
    # Every report the world sent was taken in and counted against its domain.
    assert sum(d.complaints for d in spike_run.domains) == arf
