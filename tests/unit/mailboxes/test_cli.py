"""The ``mailfleet mailboxes`` commands end to end on the embedded default."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mailfleet.adapters.clock import SystemClock
from mailfleet.adapters.mailboxes.postfixadmin import PostfixAdminProvider
from mailfleet.cli.app import app

from .conftest import SPEC


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with a spec whose mailboxes live at a memory provider."""
    (tmp_path / "fleet.yaml").write_text(SPEC.format(count=3, provider="local"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout


def test_plan_json_lists_creates(workdir: Path) -> None:
    """`plan --json` shows a create per spec mailbox and changes nothing."""
    code, out = _run("mailboxes", "plan", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["summary"]["create"] == 5
    assert {a["action"] for a in data["actions"]} == {"create"}


def test_apply_then_list_and_export(workdir: Path) -> None:
    """`apply` creates all; `list` filters by segment; `credentials` writes a 0600 CSV."""
    code, out = _run("mailboxes", "apply", "--json")
    assert code == 0
    assert json.loads(out)["summary"]["created"] == 5
    code, out = _run("mailboxes", "list", "--segment", "pool-a", "--json")
    rows = json.loads(out)
    assert [r["address"] for r in rows] == [f"sdr0{n}@two.example" for n in (1, 2, 3)]
    assert {r["status"] for r in rows} == {"active"}
    export = workdir / "out" / "creds.csv"
    code, out = _run("mailboxes", "credentials", "--export", str(export), "--json")
    assert json.loads(out)["written"] == 5
    assert os.stat(export).st_mode & 0o777 == 0o600
    lines = export.read_text().splitlines()
    assert lines[0] == "address,password,smtp_host,smtp_port"
    assert lines[1].startswith("hello@one.example,")
    assert len(lines[1].split(",")[1]) == 24


def test_idle_filter_and_unknown_format(workdir: Path) -> None:
    """Never-active mailboxes count as idle; an unknown export format is bad input (exit 2)."""
    _run("mailboxes", "apply", "--json")
    code, out = _run("mailboxes", "list", "--idle-days", "7", "--json")
    assert len(json.loads(out)) == 5
    code, _ = _run("mailboxes", "credentials", "--export", "x.xml", "--format", "xml")
    assert code == 2


def test_rotate_passwords_needs_a_selection_then_rotates(workdir: Path) -> None:
    """Without --address/--domain/--all it refuses (exit 2); with --domain it rotates those,
    on a PostfixAdmin SQLite database that outlives each command."""
    database = workdir / "postfixadmin.sqlite"
    PostfixAdminProvider(f"sqlite:///{database}", clock=SystemClock()).create_schema()
    spec = (workdir / "fleet.yaml").read_text()
    spec = spec.replace(
        "local: {kind: memory}, other",
        f'local: {{kind: postfixadmin, database_url: "sqlite:///{database}", bcrypt_rounds: 4}}'
        ", other",
    )
    (workdir / "fleet.yaml").write_text(spec)
    assert _run("mailboxes", "apply", "--json")[0] == 0
    code, _ = _run("mailboxes", "rotate-passwords")
    assert code == 2
    code, out = _run("mailboxes", "rotate-passwords", "--domain", "one.example", "--json")
    assert code == 0, out
    assert json.loads(out)["summary"]["updated"] == 2
    code, out = _run("mailboxes", "plan", "--json")
    assert json.loads(out)["summary"]["unchanged"] == 5
