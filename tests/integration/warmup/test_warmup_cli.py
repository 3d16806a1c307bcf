"""``mailfleet warmup`` commands end to end on the embedded SQLite default."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from mailfleet.cli.app import app

runner = CliRunner()


def _invoke(tmp_path: Path, *args: str) -> tuple[int, str]:
    base = ["--data-dir", str(tmp_path / "state")]
    result = runner.invoke(app, [*base, *args], catch_exceptions=False)
    return result.exit_code, result.stdout


def test_run_status_and_explain(tmp_path: Path) -> None:
    """A run starts every ramp; status and explain report it as JSON."""
    spec = tmp_path / "fleet.yaml"
    assert _invoke(tmp_path, "init", str(spec))[0] == 0
    code, out = _invoke(tmp_path, "warmup", "run", "--day", "2026-01-05", "-f", str(spec), "--json")
    assert code == 0
    actions = {d["domain"]: d["action"] for d in json.loads(out)["decisions"]}
    assert set(actions.values()) == {"wait"}
    code, out = _invoke(tmp_path, "warmup", "status", "-f", str(spec), "--json")
    assert code == 0
    domains = {d["domain"]: d for d in json.loads(out)["domains"]}
    assert len(domains) == 6
    assert domains["acme.example"]["target"] == 2000
    code, out = _invoke(tmp_path, "warmup", "explain", "acme.example", "-f", str(spec), "--json")
    assert code == 0
    explained = json.loads(out)
    assert explained["decisions"][0]["action"] == "wait"
    assert "ramp begins on 2026-01-06" in explained["decisions"][0]["explanation"]


def test_explain_unknown_domain_fails_with_a_hint(tmp_path: Path) -> None:
    """An unknown domain exits 1 with a message naming it."""
    spec = tmp_path / "fleet.yaml"
    _invoke(tmp_path, "init", str(spec))
    code, out = _invoke(tmp_path, "warmup", "explain", "nope.example", "-f", str(spec), "--json")
    assert code == 1
    assert "nope.example" in json.loads(out)["error"]


def test_simulate_json_and_unknown_scenario(tmp_path: Path) -> None:
    """`simulate --json` reports every domain; an unknown scenario is bad input (exit 2)."""
    spec = tmp_path / "fleet.yaml"
    _invoke(tmp_path, "init", str(spec))
    code, out = _invoke(tmp_path, "simulate", "--days", "10", "-f", str(spec), "--json")
    assert code == 0
    report = json.loads(out)
    assert report["days"] == 10
    assert len(report["summary"]) == 6
    code, _ = _invoke(tmp_path, "simulate", "--scenario", "nope", "-f", str(spec))
    assert code == 2


def test_app_limiter_follows_settings(tmp_path: Path) -> None:
    """Without redis_url the app wires the in-process limiter; with it, the Redis one."""
    from mailfleet.adapters.limiter.memory import InProcessLimiter
    from mailfleet.adapters.limiter.redis import RedisLimiter
    from mailfleet.bootstrap import build
    from mailfleet.settings import Settings

    embedded = build(Settings(data_dir=tmp_path))
    assert isinstance(embedded.limiter(), InProcessLimiter)
    shared = build(Settings(data_dir=tmp_path, redis_url="redis://127.0.0.1:6379/0"))
    limiter = shared.limiter()
    assert isinstance(limiter, RedisLimiter)
    limiter.ping()
