"""The reputation commands end to end: real rbldnsd, SQLite, the example spec."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rbldnsd_server import RbldnsdServer
from typer.testing import CliRunner

from mailfleet.cli.app import app

LOCAL_ZONES_YAML = """
zones:
  - key: zen
    zone: zen.test
    kinds: [ip4, ip6]
    delist_url: https://check.spamhaus.test/
    listed:
      127.0.0.2: "SBL: test listing"
      127.0.0.3: "SBL CSS: test listing"
    unknown:
      127.255.255.254: "query refused: public resolver"
  - key: zen-mirror
    zone: refusing.test
    kinds: [ip4]
    delist_url: https://check.spamhaus.test/
    listed:
      127.0.0.2: "SBL: test listing"
    unknown:
      127.255.255.254: "query refused: public resolver"
  - key: dbl
    zone: dbl.test
    kinds: [domain]
    delist_url: https://check.spamhaus.test/
    listed:
      127.0.1.2: "spam domain"
"""


@pytest.fixture
def workspace(tmp_path: Path, rbldnsd: RbldnsdServer) -> tuple[CliRunner, dict[str, str], Path]:
    """A spec, a data folder and reputation settings that point at the local rbldnsd."""
    zones = tmp_path / "zones.yaml"
    zones.write_text(LOCAL_ZONES_YAML, encoding="utf-8")
    settings = tmp_path / "reputation.toml"
    settings.write_text(
        f'[resolver]\nnameserver = "127.0.0.1"\nport = {rbldnsd.port}\ntimeout = 2.0\n'
        f'[policy]\nzones = "{zones}"\n[[alerts.channels]]\nkind = "log"\n',
        encoding="utf-8",
    )
    env = {"MAILFLEET_REPUTATION_CONFIG": str(settings)}
    runner = CliRunner()
    spec = tmp_path / "fleet.yaml"
    base = ["--data-dir", str(tmp_path / "data")]
    assert runner.invoke(app, [*base, "init", str(spec)]).exit_code == 0
    assert runner.invoke(app, [*base, "sync", "-f", str(spec)]).exit_code == 0
    return runner, env, tmp_path


def _run(workspace: tuple[CliRunner, dict[str, str], Path], *args: str) -> dict[str, object]:
    runner, env, tmp_path = workspace
    base = ["--data-dir", str(tmp_path / "data")]
    result = runner.invoke(app, [*base, *args], env=env)
    assert result.exit_code == 0, result.output
    data: dict[str, object] = json.loads(result.stdout)
    return data


def test_blocklist_check_json(workspace: tuple[CliRunner, dict[str, str], Path]) -> None:
    """`blocklist check --json` reports listings, and refusals as unknown."""
    spec = str(workspace[2] / "fleet.yaml")
    data = _run(workspace, "blocklist", "check", "-f", spec, "--json")
    results = data["results"]
    assert isinstance(results, list)
    listed = {(r["target"], r["zone"]) for r in results if r["verdict"] == "listed"}
    assert listed == {
        ("198.51.100.21", "zen.test"),
        ("2001:db8::20", "zen.test"),
        ("acme-connect.example", "dbl.test"),
    }
    refused = [r for r in results if r["zone"] == "refusing.test"]
    assert {r["verdict"] for r in refused} == {"unknown"}
    last = _run(workspace, "blocklist", "last", "--json")
    assert last["checked_at"] == data["checked_at"]
    assert len(last["results"]) == len([r for r in results if r["verdict"] != "clean"])  # type: ignore[arg-type]


def test_alerts_run_isolates_and_lists(workspace: tuple[CliRunner, dict[str, str], Path]) -> None:
    """`alerts run` fires listing alerts and isolates pool domains; `alerts list` shows them."""
    spec = str(workspace[2] / "fleet.yaml")
    run = _run(workspace, "alerts", "run", "-f", spec, "--json")
    isolations = {d["domain"]: d["action"] for d in run["isolations"]}  # type: ignore[attr-defined]
    assert isolations == {
        "acme-outreach.example": "isolate",
        "acme-reach.example": "isolate",
        "acme-connect.example": "isolate",
    }
    history = _run(workspace, "alerts", "list", "--json")["alerts"]
    assert isinstance(history, list)
    assert len(history) == 3
    assert all(a["rule"] == "blocklisted" and a["deliveries"][0]["ok"] for a in history)
    again = _run(workspace, "alerts", "run", "-f", spec, "--json")
    assert again["events"] == []
    restored = _run(workspace, "domains", "restore", "acme-reach.example", "--json")
    assert restored["state"] == "pending"
    isolated = _run(workspace, "domains", "isolate", "acme.example", "--json")
    assert isolated["previous_state"] == "pending"


def test_restore_of_a_domain_not_isolated_fails(
    workspace: tuple[CliRunner, dict[str, str], Path],
) -> None:
    """Restoring a domain that is not isolated exits 1 with the reason."""
    runner, env, tmp_path = workspace
    result = runner.invoke(
        app,
        ["--data-dir", str(tmp_path / "data"), "domains", "restore", "acme.example", "--json"],
        env=env,
    )
    assert result.exit_code == 1
    assert "not isolated" in json.loads(result.stdout)["error"]
