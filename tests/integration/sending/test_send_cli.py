"""The sending commands: send, campaign import, queue status."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from mailfleet.cli.app import app as cli


def _run(data_dir: Path, *args: str) -> tuple[int, dict[str, object]]:
    result = CliRunner().invoke(cli, ["--data-dir", str(data_dir), *args])
    return result.exit_code, json.loads(result.stdout)


def test_send_queues_and_status_counts(tmp_path: Path) -> None:
    """`send` stores a message and `queue status` counts it as queued."""
    body = tmp_path / "body.txt"
    body.write_text("Hello\n")
    code, out = _run(
        tmp_path, "send", "--from", "a@example.com", "--to", "b@example.org",
        "--subject", "Hi", "--body-file", str(body), "--json",
    )  # fmt: skip
    assert code == 0
    assert isinstance(out["id"], int)
    code, status = _run(tmp_path, "queue", "status", "--json")
    assert (code, status["queued"], status["sent"]) == (0, 1, 0)


def test_campaign_import_jsonl_rotates_senders(tmp_path: Path) -> None:
    """A JSONL list is queued whole, spread over every --from mailbox."""
    rows = tmp_path / "list.jsonl"
    rows.write_text("".join(f'{{"email": "u{i}@x.org", "name": "U{i}"}}\n' for i in range(6)))
    body = tmp_path / "body.txt"
    body.write_text("Dear $name\n")
    code, out = _run(
        tmp_path, "campaign", "import", str(rows), "--subject", "Hi $name",
        "--body-file", str(body), "--from", "a@one.com", "--from", "b@two.com", "--json",
    )  # fmt: skip
    assert code == 0
    assert out == {"ok": True, "queued": 6, "senders": ["a@one.com", "b@two.com"]}


def test_campaign_problems_are_all_reported_and_nothing_queued(tmp_path: Path) -> None:
    """Rows without an email or a field the template needs give exit 2 and queue nothing."""
    rows = tmp_path / "list.csv"
    rows.write_text("email,name\nok@x.org,Ok\nnot-an-address,X\nnoname@x.org,\n")
    body = tmp_path / "body.txt"
    body.write_text("Dear $name from $company\n")
    code, out = _run(
        tmp_path, "campaign", "import", str(rows), "--subject", "Hi",
        "--body-file", str(body), "--from", "a@one.com", "--json",
    )  # fmt: skip
    assert code == 2
    problems = out["problems"]
    assert isinstance(problems, list)
    assert len(problems) == 3
    assert "row 2: no valid 'email' field" in problems
    _, status = _run(tmp_path, "queue", "status", "--json")
    assert status["queued"] == 0
