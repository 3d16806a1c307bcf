"""The CLI as a user runs it: init, validate, sync, status, db, vault."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mailfleet.cli.app import app

runner = CliRunner()


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty folder as the current directory, with no mailfleet settings in the env."""
    monkeypatch.chdir(tmp_path)
    for key in list(os.environ):
        if key.startswith("MAILFLEET_"):
            monkeypatch.delenv(key)
    return tmp_path


def run(*args: str, stdin: str | None = None) -> tuple[int, str]:
    result = runner.invoke(app, list(args), input=stdin)
    return result.exit_code, result.output


def test_init_validate_sync_status(workdir: Path) -> None:
    """The newcomer path works end to end and reports in JSON for scripts."""
    assert run("init")[0] == 0
    assert (workdir / "fleet.yaml").exists()
    code, out = run("validate", "--json")
    assert code == 0
    assert json.loads(out) == {
        "ok": True,
        "spec": "fleet.yaml",
        "fleet": "acme",
        "segments": 5,
        "domains": 6,
        "mailboxes": 66,
    }
    code, out = run("sync", "--json")
    assert code == 0
    assert json.loads(out)["changes"]["mailbox"]["create"] == 66
    assert (workdir / ".mailfleet" / "mailfleet.db").exists()
    code, out = run("sync", "--json")
    assert json.loads(out)["changes"]["mailbox"]["unchanged"] == 66
    code, out = run("status", "--json")
    report = json.loads(out)
    assert code == 0
    assert [s["name"] for s in report["segments"]][:2] == ["primary", "pool-a"]
    assert {d["state"] for d in report["domains"]} == {"pending"}


def test_init_refuses_to_overwrite(workdir: Path) -> None:
    """`init` never clobbers an existing spec without --force."""
    (workdir / "fleet.yaml").write_text("mine\n", encoding="utf-8")
    code, _ = run("init")
    assert code == 2
    assert (workdir / "fleet.yaml").read_text(encoding="utf-8") == "mine\n"
    assert run("init", "--force")[0] == 0


def test_invalid_spec_exits_2_and_writes_nothing(workdir: Path) -> None:
    """A bad spec is reported with lines, exits 2, and creates no database."""
    run("init")
    spec = workdir / "fleet.yaml"
    spec.write_text(
        spec.read_text(encoding="utf-8").replace("segment: pool-b", "segment: pool-c"),
        encoding="utf-8",
    )
    code, out = run("sync", "--json")
    assert code == 2
    problem = json.loads(out)["problems"][0]
    assert problem["message"] == "unknown segment 'pool-c'"
    assert problem["line"] > 1
    assert not (workdir / ".mailfleet").exists()
    code, out = run("validate")
    assert code == 2
    assert "fleet.yaml:" in out


def test_dry_run_writes_nothing(workdir: Path) -> None:
    """`sync --dry-run` reports the plan and leaves the database empty."""
    run("init")
    code, out = run("sync", "--dry-run", "--json")
    assert code == 0
    assert json.loads(out)["changes"]["domain"]["create"] == 6
    code, out = run("status", "--json")
    assert code == 0
    assert json.loads(out)["last_sync"] is None


def test_db_commands(workdir: Path) -> None:
    """`db upgrade` migrates and `db current` reports the schema as current."""
    code, out = run("db", "upgrade", "--json")
    assert code == 0
    assert json.loads(out)["before"] == []
    code, out = run("db", "current", "--json")
    assert json.loads(out)["up_to_date"] is True


def test_vault_values_go_in_and_never_come_out(workdir: Path) -> None:
    """`vault set` stores from stdin; `vault list` shows names only; rotation keeps values."""
    code, _ = run("vault", "set", "provider/relay/password", stdin="s3cret-value\n")
    assert code == 0
    code, out = run("vault", "list", "--json")
    listing = json.loads(out)
    assert [e["name"] for e in listing] == ["provider/relay/password"]
    assert "s3cret" not in out
    key_file = workdir / ".mailfleet" / "master.key"
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    old_key = key_file.read_text(encoding="ascii")
    code, out = run("vault", "rotate-key", "--json")
    assert code == 0
    assert json.loads(out)["resealed"] == 1
    assert key_file.read_text(encoding="ascii") != old_key
    code, out = run("vault", "list", "--json")
    assert (
        json.loads(out)[0]["key_id"] == json.loads(run("vault", "list", "--json")[1])[0]["key_id"]
    )


def test_python_dash_m_runs_the_same_cli(workdir: Path) -> None:
    """`python -m mailfleet --help` works and lists the commands."""
    result = subprocess.run(
        [sys.executable, "-m", "mailfleet", "--help"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0
    for command in ("init", "validate", "sync", "status", "db", "vault"):
        assert command in result.stdout
