"""Loading fleet.yaml: the template, bulk forms, and every kind of mistake reported at once."""

from __future__ import annotations

import textwrap
from importlib import resources
from ipaddress import IPv6Address
from pathlib import Path

import pytest

from mailfleet.core.errors import SpecError, SpecProblem
from mailfleet.core.fleet import Audience, Fleet, ProviderRole, WarmupPriority
from mailfleet.spec import load_fleet, load_fleet_text

TEMPLATE = resources.files("mailfleet.spec").joinpath("template.yaml").read_text("utf-8")

HEADER = """\
version: 1
defaults: {dns: local, mailbox: local, relay: local}
providers:
  dns: {local: {kind: memory}}
  mailbox: {local: {kind: memory}}
  relay: {local: {kind: memory}}
segments:
  primary: {warmup: {priority: first}}
  pool-a: {warmup: {priority: progressive}, volume: {profile: high}}
"""


def load(text: str, tmp_path: Path) -> Fleet:
    path = tmp_path / "fleet.yaml"
    path.write_text(text, encoding="utf-8")
    return load_fleet(path)


def problems(text: str, tmp_path: Path) -> list[SpecProblem]:
    with pytest.raises(SpecError) as caught:
        load(text, tmp_path)
    return caught.value.problems


def test_template_is_the_case_study_fleet() -> None:
    """The `init` template validates and has the case study's five segments and six weeks."""
    fleet = load_fleet_text(TEMPLATE, Path("fleet.yaml"))
    assert list(fleet.segments) == ["primary", "pool-a", "pool-b", "transactional", "monitoring"]
    assert fleet.segments["primary"].priority is WarmupPriority.FIRST
    assert fleet.segments["pool-a"].priority is WarmupPriority.PROGRESSIVE
    six = fleet.segments["pool-a"].schedule
    assert [(s.low, s.high) for s in six.steps] == [
        (20, 50),
        (100, 200),
        (500, 1000),
        (2000, 5000),
        (5000, 10000),
        (None, None),
    ]
    assert six.steps[0].audience is Audience.MOST_ENGAGED
    assert six.steps[-1].is_target
    assert fleet.thresholds.bounce_rate == pytest.approx(0.02)
    assert fleet.thresholds.complaint_rate == pytest.approx(0.001)
    assert fleet.thresholds.complaint_alert == pytest.approx(0.0008)
    assert len(fleet.domains) == 6
    assert sum(1 for _ in fleet.mailboxes()) == 66


def test_segment_overrides_inherit_the_rest(tmp_path: Path) -> None:
    """A segment's threshold override changes only the keys it names."""
    fleet = load_fleet_text(TEMPLATE, tmp_path / "fleet.yaml")
    transactional = fleet.segments["transactional"].thresholds
    assert transactional.bounce_rate == pytest.approx(0.01)
    assert transactional.complaint_rate == pytest.approx(fleet.thresholds.complaint_rate)


def test_defaults_fill_domains_and_mailboxes(tmp_path: Path) -> None:
    """Domains inherit providers, time zone and hours; mailboxes inherit the daily limit."""
    fleet = load_fleet_text(TEMPLATE, tmp_path / "fleet.yaml")
    outreach = fleet.domain("acme-outreach.example")
    assert outreach.dns_provider == "local"
    assert outreach.timezone == "America/New_York"
    assert outreach.business_hours.name == "default"
    assert outreach.sending_ips[1] == IPv6Address("2001:db8::20")
    assert outreach.mailboxes[0].daily_limit == 40
    assert fleet.domain("acme.example").mailboxes[1].daily_limit == 60
    assert fleet.provider(ProviderRole.RELAY, "local").kind == "memory"


def test_generate_numbers_mailboxes_with_the_pattern(tmp_path: Path) -> None:
    """A count with a pattern yields that many numbered mailboxes and display names."""
    text = HEADER + textwrap.dedent("""\
        domains:
          - name: Example.COM.
            segment: pool-a
            mailboxes:
              - generate: {count: 12, start: 5, pattern: "sdr{n:03}", display_name: "SDR {n}"}
        """)
    fleet = load(text, tmp_path)
    domain = fleet.domains[0]
    assert domain.name == "example.com"
    names = [m.username for m in domain.mailboxes]
    assert names[0] == "sdr005"
    assert names[-1] == "sdr016"
    assert len(names) == 12
    assert domain.mailboxes[0].display_name == "SDR 5"
    assert domain.mailboxes[0].address == "sdr005@example.com"


def test_csv_mailboxes_load_and_bad_rows_name_the_csv_line(tmp_path: Path) -> None:
    """CSV rows become mailboxes; a bad row is reported with the CSV file and its line."""
    (tmp_path / "team.csv").write_text(
        "username,display_name,daily_limit,forward_to\n"
        "ann,Ann Lee,30,ann@home.example;boss@home.example\n"
        "bob,Bob,-1,\n"
        "carl,Carl,,\n",
        encoding="utf-8",
    )
    text = HEADER + textwrap.dedent("""\
        domains:
          - name: team.example
            segment: primary
            mailboxes:
              - csv: team.csv
        """)
    found = problems(text, tmp_path)
    assert [(p.file.name, p.line, p.where) for p in found] == [("team.csv", 3, "daily_limit")]
    (tmp_path / "team.csv").write_text(
        "username,display_name,daily_limit,forward_to\nann,Ann Lee,30,ann@home.example\n",
        encoding="utf-8",
    )
    fleet = load(text, tmp_path)
    mailbox = fleet.domains[0].mailboxes[0]
    assert (mailbox.display_name, mailbox.daily_limit) == ("Ann Lee", 30)
    assert mailbox.forward_to == ("ann@home.example",)


TEN_MISTAKES = """\
version: 1
defaults: {dns: local, mailbox: local, relay: local}
providers:
  dns: {local: {kind: memory}}
  mailbox:
    local: {kind: memory}
    gw: {kind: google, api_key: "AIzaSy-a-literal-key"}
  relay: {local: {kind: memory}}
policies:
  bounce_treshold: 3%
  business_hours:
    office:
      - {days: mon-fri, start: "08:00", end: "12:00"}
      - {days: fri, start: "11:00", end: "15:00"}
segments:
  primary: {warmup: {priority: first}}
domains:
  - name: one.example
    segment: primray
    mailboxes:
      - {username: ann}
      - {username: ann}
      - {username: bob, daily_limit: -5}
  - name: bad_name..example
    segment: primary
  - name: three.example
    segment: primary
    relay: nosuch
    timezone: Mars/Olympus
    business_hours: office
"""


def test_ten_mistakes_are_all_reported_with_their_lines(tmp_path: Path) -> None:
    """Every mistake in a spec is reported in one run, each with its line and location."""
    found = {(p.line, p.where): p.message for p in problems(TEN_MISTAKES, tmp_path)}
    expected = {
        (7, "providers.mailbox.gw"): "a secret must be a reference",
        (10, "policies.bounce_treshold"): "unknown key 'bounce_treshold'",
        (12, "policies.business_hours.office"): "overlap on fri",
        (19, "domains[0].segment"): "unknown segment 'primray'",
        (22, "domains[0].mailboxes"): "duplicate mailbox 'ann@one.example'",
        (23, "domains[0].mailboxes[2].daily_limit"): "greater than or equal to 0",
        (24, "domains[1].name"): "not a valid domain name",
        (28, "domains[2].relay"): "unknown relay provider 'nosuch'",
        (29, "domains[2].timezone"): "not an IANA time zone",
    }
    for key, fragment in expected.items():
        assert key in found, f"missing problem at {key}; got {sorted(found)}"
        assert fragment in found[key]
    assert len(found) == len(expected)


def test_problems_carry_hints(tmp_path: Path) -> None:
    """Unknown names come with a 'did you mean' hint; every problem names the file."""
    found = problems(TEN_MISTAKES, tmp_path)
    by_where = {p.where: p for p in found}
    assert by_where["domains[0].segment"].hint == "did you mean 'primary'?"
    assert by_where["policies.bounce_treshold"].hint == "did you mean 'thresholds'?"
    assert all(p.file == tmp_path / "fleet.yaml" for p in found)
    assert found[0].render().startswith(f"{tmp_path / 'fleet.yaml'}:")


def test_yaml_syntax_error_is_reported_alone_with_its_line(tmp_path: Path) -> None:
    """A YAML syntax error stops the parse and is reported with its line."""
    found = problems("version: 1\nsegments:\n  primary: {warmup: [first\ndomains: []\n", tmp_path)
    assert len(found) == 1
    assert found[0].message.startswith("YAML syntax error")
    assert found[0].line in (3, 4)


def test_duplicate_yaml_keys_are_reported(tmp_path: Path) -> None:
    """A key written twice in one mapping is an error, not a silent override."""
    found = problems(HEADER + "segments: {}\ndomains: []\n", tmp_path)
    assert len(found) == 1
    assert "duplicate key" in found[0].message
    assert found[0].line is not None


def test_missing_file_suggests_init(tmp_path: Path) -> None:
    """A spec that does not exist points the user at `mailfleet init`."""
    with pytest.raises(SpecError) as caught:
        load_fleet(tmp_path / "nope.yaml")
    assert "init" in caught.value.problems[0].hint


@pytest.mark.parametrize(
    ("snippet", "fragment"),
    [
        ("{week: 1, min: 50, max: 20}", "greater than max"),
        ("{week: 2, min: 20, max: 50}", "without gaps"),
        ("{week: 1, target: true, min: 5}", "takes no min or max"),
    ],
)
def test_bad_warmup_schedules_are_rejected(tmp_path: Path, snippet: str, fragment: str) -> None:
    """Schedules must run week 1, 2, ... with sane ranges."""
    text = HEADER + f"policies:\n  warmup_schedules:\n    mine:\n      steps: [{snippet}]\n"
    text += "domains:\n  - {name: a.example, segment: primary}\n"
    found = problems(text, tmp_path)
    assert any(fragment in p.message for p in found), [p.message for p in found]
    assert all(p.where.startswith("policies.warmup_schedules.mine") for p in found)


def test_percentages_and_fractions_mean_the_same(tmp_path: Path) -> None:
    """Rates may be written as '0.1%' or 0.001."""
    a = load(
        HEADER + "policies: {thresholds: {complaint_rate: 0.1%}}\n"
        "domains: [{name: a.example, segment: primary}]\n",
        tmp_path,
    )
    b = load(
        HEADER + "policies: {thresholds: {complaint_rate: 0.001}}\n"
        "domains: [{name: a.example, segment: primary}]\n",
        tmp_path,
    )
    assert a.thresholds == b.thresholds


def test_alert_must_fire_before_the_gate(tmp_path: Path) -> None:
    """A segment override that puts an alert above its gate is rejected."""
    text = (
        HEADER.replace(
            "primary: {warmup: {priority: first}}",
            "primary: {warmup: {priority: first}, thresholds: {complaint_rate: 0.05%}}",
        )
        + "domains: [{name: a.example, segment: primary}]\n"
    )
    found = problems(text, tmp_path)
    assert found[0].where.startswith("segments.primary")
    assert "complaint_alert must not exceed" in found[0].message


def test_idn_domains_are_stored_as_a_labels(tmp_path: Path) -> None:
    """Internationalised domain names are normalised to their ASCII (A-label) form."""
    fleet = load(HEADER + "domains: [{name: bücher.example, segment: primary}]\n", tmp_path)
    assert fleet.domains[0].name == "xn--bcher-kva.example"
