"""``mailfleet demo`` as a user runs it: the CLI, its refusals, and the dashboard it serves."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
from typer.testing import CliRunner

from mailfleet.cli.app import app
from mailfleet.core.secrets import Secret
from mailfleet.demo.run import Demo, DemoOptions

runner = CliRunner()


def test_headless_json_reports_a_short_run(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    result = runner.invoke(
        app, ["demo", "--headless", "--days", "3", "--json", "--dir", str(folder)]
    )
    assert result.exit_code == 0, result.output
    outcome = json.loads(result.stdout)
    assert outcome["ok"] is True
    assert outcome["dns_coverage"] == 100.0
    assert len(outcome["domains"]) == 12
    assert sum(d["delivered"] for d in outcome["domains"]) > 0
    # The state stays in the folder for `mailfleet report` and friends.
    assert (folder / "fleet.yaml").is_file()
    assert (folder / ".mailfleet" / "mailfleet.db").is_file()


def test_a_second_run_starts_over_in_the_same_folder(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    for _ in range(2):
        result = runner.invoke(app, ["demo", "--headless", "--days", "1", "--dir", str(folder)])
        assert result.exit_code == 0, result.output
    assert "day  0" in result.output


def test_refuses_a_folder_that_is_not_a_demo(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    result = runner.invoke(app, ["demo", "--headless", "--dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "is not a demo folder" in result.output
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_refuses_an_unknown_scenario(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["demo", "--headless", "--scenario", "nope", "--dir", str(tmp_path / "d")]
    )
    assert result.exit_code == 2
    assert "complaint-spike" in result.output


def test_refuses_a_bind_without_a_port(tmp_path: Path) -> None:
    result = runner.invoke(app, ["demo", "--bind", "localhost", "--dir", str(tmp_path / "d")])
    assert result.exit_code == 2
    assert "HOST:PORT" in result.output


def test_serves_the_dashboard_with_the_printed_login(tmp_path: Path) -> None:
    seen: dict[str, object] = {}

    def ready(url: str, user: str, password: Secret) -> None:
        seen.update(url=url, user=user, password=password.reveal())

    def look() -> None:
        with httpx.Client(base_url=str(seen["url"]), follow_redirects=False) as client:
            form = client.get("/login").text
            token = re.search(r'name="csrf_token" value="([^"]+)"', form)
            assert token is not None
            response = client.post(
                "/login",
                data={
                    "csrf_token": token.group(1),
                    "email": seen["user"],
                    "password": seen["password"],
                    "next": "/",
                },
            )
            assert response.status_code == 303, response.text
            overview = client.get("/")
            assert overview.status_code == 200
            seen["overview"] = overview.text

    options = DemoOptions(directory=tmp_path / "demo", days=1, bind="127.0.0.1:0")
    Demo(options, on_ready=ready).run(keep_serving=look)
    assert "acme-outreach.test" in str(seen["overview"])
