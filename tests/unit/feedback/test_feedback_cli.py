"""The ``mailfleet feedback parse`` command: one line per file, whatever the file holds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mailfleet.cli import output
from mailfleet.cli.app import app

CORPUS = Path(__file__).parents[2] / "corpus" / "feedback" / "messages"


def test_parse_json_prints_one_line_per_file(tmp_path: Path) -> None:
    """Bounce, complaint, garbage and a missing file each get exactly one JSON line."""
    files = [
        str(CORPUS / "mta" / "gmail_no_such_user.eml"),
        str(CORPUS / "complaint" / "yahoo_arf.eml"),
        str(CORPUS / "other" / "binary_garbage.eml"),
        str(tmp_path / "missing.eml"),
        str(tmp_path),  # a directory is not readable as a message
    ]
    result = CliRunner().invoke(app, ["feedback", "parse", *files, "--json"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert [line["file"] for line in lines] == files
    assert [line["kind"] for line in lines] == ["bounce", "complaint", "other", "other", "other"]
    assert set(lines[0]) == {"file", "kind", "recipients", "feedback_type"}
    recipient = lines[0]["recipients"][0]
    assert recipient == {
        "address": "kim.lee@gmail.com",
        "status": "5.1.1",
        "smtp_code": "550",
        "permanent": True,
        "reason": "mailbox_unknown",
        "diagnostic": recipient["diagnostic"],
    }
    assert "does not exist" in recipient["diagnostic"]
    assert lines[1]["feedback_type"] == "abuse"


def test_parse_reads_stdin_and_prints_a_table(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without --json a readable table names the recipient and the reason."""
    monkeypatch.setattr(output.console, "width", 200)
    raw = (CORPUS / "mta" / "qmail_no_mailbox.eml").read_bytes()
    result = CliRunner().invoke(app, ["feedback", "parse", "-"], input=raw)
    assert result.exit_code == 0, result.output
    assert "erin@qmailhost.example" in result.stdout
    assert "mailbox_unknown" in result.stdout
