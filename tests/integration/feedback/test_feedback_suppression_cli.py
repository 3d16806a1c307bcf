"""``mailfleet suppression``: add, list, import, export and remove on the embedded database."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from mailfleet.cli.app import app


def _run(data_dir: Path, *args: str, input: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["--data-dir", str(data_dir), *args], input=input)
    return result.exit_code, result.stdout


def test_suppression_round_trip(tmp_path: Path) -> None:
    """Added and imported addresses are listed, exported as CSV, and removed again."""
    code, out = _run(tmp_path, "suppression", "add", "Jane@Client.example", "--json")
    assert code == 0
    assert json.loads(out)["suppression"]["address"] == "jane@client.example"
    csv_text = "address,scope,reason\nbob@client.example,news.example.com,unsubscribed\nnope\n"
    code, out = _run(tmp_path, "suppression", "import", "-", "--json", input=csv_text)
    assert code == 2  # one bad line: reported, the rest imported
    assert json.loads(out) == {
        "added": 1,
        "unchanged": 0,
        "problems": ["line 3: 'nope' is not an email address"],
    }
    code, out = _run(tmp_path, "suppression", "list", "--json")
    assert [(e["address"], e["scope"]) for e in json.loads(out)] == [
        ("bob@client.example", "news.example.com"),
        ("jane@client.example", "global"),
    ]
    code, out = _run(tmp_path, "suppression", "export")
    assert out.splitlines()[0] == "address,scope,reason,source,created_at,expires_at"
    assert out.splitlines()[1].startswith(
        "bob@client.example,news.example.com,unsubscribed,import,"
    )
    code, out = _run(tmp_path, "suppression", "remove", "jane@client.example", "--json")
    assert json.loads(out) == {"ok": True, "removed": 1}
    code, out = _run(tmp_path, "suppression", "list", "--json")
    assert [e["address"] for e in json.loads(out)] == ["bob@client.example"]


def test_bad_address_is_refused(tmp_path: Path) -> None:
    """An invalid address exits 1 with the reason, and nothing is stored."""
    code, out = _run(tmp_path, "suppression", "add", "not-an-address", "--json")
    assert code == 1
    assert "not an email address" in json.loads(out)["error"]
