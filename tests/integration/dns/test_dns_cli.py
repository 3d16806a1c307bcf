"""The ``mailfleet dns`` commands end to end against the real PowerDNS."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from typer.testing import CliRunner

from dns_support.pdns import PowerDnsServer
from mailfleet.cli.app import app

SPEC = """\
version: 1
name: clitest
defaults: {{dns: pdns, mailbox: gw, relay: relay}}
providers:
  dns:
    pdns: {{kind: powerdns, api_url: "{api}", api_key: "env:MF_TEST_PDNS_KEY",
           resolver: "127.0.0.1:{port}"}}
  mailbox:
    gw: {{kind: google}}
  relay:
    relay: {{kind: smtp, host: smtp.relay.test, return_path_host: rp.relay.test}}
segments:
  primary:
    purpose: test
    volume: {{profile: low}}
    warmup: {{priority: first}}
domains:
  - {{name: one.{suffix}, segment: primary, sending_ips: [192.0.2.10]}}
  - {{name: two.{suffix}, segment: primary, sending_ips: [192.0.2.11]}}
"""


def _run(args: list[str], env: dict[str, str]) -> tuple[int, dict[str, object]]:
    result = CliRunner().invoke(app, args, env=env)
    return result.exit_code, json.loads(result.stdout) if result.stdout.strip() else {}


def test_plan_apply_apply_verify_status(pdns: PowerDnsServer, tmp_path: Path) -> None:
    """plan lists creates, apply writes, a second apply is empty, verify reports 100 %."""
    suffix = f"c{uuid.uuid4().hex[:8]}.test"
    spec = tmp_path / "fleet.yaml"
    spec.write_text(SPEC.format(api=pdns.api_url, port=pdns.dns_port, suffix=suffix))
    env = {"MF_TEST_PDNS_KEY": pdns.api_key, "MAILFLEET_MASTER_KEY": ""}
    base = ["--data-dir", str(tmp_path / "state"), "dns"]

    code, planned = _run([*base, "plan", "-f", str(spec), "--json"], env)
    assert code == 0, planned
    assert planned["totals"] == {"create": 12, "update": 0, "delete": 0}

    code, applied = _run([*base, "apply", "-f", str(spec), "--json"], env)
    assert code == 0, applied
    assert {z["outcome"] for z in applied["zones"]} == {"applied"}  # type: ignore[union-attr]

    code, again = _run([*base, "apply", "-f", str(spec), "--json"], env)
    assert code == 0
    assert again["totals"] == {"create": 0, "update": 0, "delete": 0}

    code, verified = _run([*base, "verify", "-f", str(spec), "--json"], env)
    assert code == 0, verified
    assert verified["coverage_percent"] == 100.0

    code, status = _run([*base, "status", "-f", str(spec), "--json"], env)
    assert code == 0
    assert status["coverage_percent"] == 100.0

    state_dir = ["--data-dir", str(tmp_path / "state")]
    code, fleet_status = _run([*state_dir, "status", "-f", str(spec), "--json"], env)
    assert code == 0
    assert fleet_status["dns_coverage_percent"] == 100.0

    root = ["--data-dir", str(tmp_path / "state"), "dkim", "rotate"]
    code, rotated = _run([*root, f"one.{suffix}", "-f", str(spec), "--json"], env)
    assert code == 0, rotated
    (one,) = rotated["domains"]  # type: ignore[misc]
    assert (one["phase"], one["waiting"], one["active_selector"]) == (
        "published",
        "wait-ttl",
        "mf1",
    )

    code, resumed = _run([*root, "--all", "--resume-only", "-f", str(spec), "--json"], env)
    assert code == 0
    phases = {d["domain"]: d["phase"] for d in resumed["domains"]}  # type: ignore[union-attr]
    assert phases == {f"one.{suffix}": "published", f"two.{suffix}": "idle"}


def test_unreachable_provider_exits_1_naming_the_domain(tmp_path: Path) -> None:
    """With the API down, apply exits 1 and the JSON names each failing domain."""
    spec = tmp_path / "fleet.yaml"
    spec.write_text(SPEC.format(api="http://127.0.0.1:9", port=9, suffix="down.test"))
    env = {"MF_TEST_PDNS_KEY": "k"}
    code, out = _run(
        ["--data-dir", str(tmp_path / "s"), "dns", "apply", "-f", str(spec), "--json"], env
    )
    assert code == 1
    assert "one.down.test" in json.dumps(out)
