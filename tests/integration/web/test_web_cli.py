"""``mailfleet users add`` and ``mailfleet users token`` as an administrator runs them."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from mailfleet.bootstrap import build
from mailfleet.cli.app import app
from mailfleet.settings import load_settings
from mailfleet.web.app import create_app

runner = CliRunner()


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty folder as the current directory, with no mailfleet settings in the env."""
    monkeypatch.chdir(tmp_path)
    for key in list(os.environ):
        if key.startswith("MAILFLEET_"):
            monkeypatch.delenv(key)
    return tmp_path


def test_add_user_then_token_authenticates_the_api(workdir: Path) -> None:
    """A user added from stdin gets a token that the API accepts; the password is not echoed."""
    added = runner.invoke(
        app,
        ["users", "add", "Ops@Example.com", "--role", "operator", "--json"],
        input="a long enough password\n",
    )
    assert added.exit_code == 0, added.output
    assert json.loads(added.output) == {"ok": True, "email": "ops@example.com", "role": "operator"}
    assert "a long enough password" not in added.output
    issued = runner.invoke(app, ["users", "token", "ops@example.com", "--json"])
    assert issued.exit_code == 0
    token = json.loads(issued.output)["token"]
    web = create_app(build(load_settings()))
    response = TestClient(web).get("/api/v1/segments", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200


def test_weak_password_and_unknown_user_are_refused(workdir: Path) -> None:
    """A short password is bad input (exit 2); a token for nobody fails (exit 1)."""
    weak = runner.invoke(app, ["users", "add", "a@example.com"], input="short\n")
    assert weak.exit_code == 2
    assert "at least 12" in weak.output
    missing = runner.invoke(app, ["users", "token", "ghost@example.com"])
    assert missing.exit_code == 1
    assert "no user ghost@example.com" in missing.output


def test_serve_rejects_a_malformed_bind(workdir: Path) -> None:
    """``--bind`` must be HOST:PORT."""
    result = runner.invoke(app, ["serve", "--bind", "nonsense"])
    assert result.exit_code == 2
