"""Rendering the results table: Markdown cells, an escaped self-contained page, JSON, and the
terminal table."""

from __future__ import annotations

import json
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from rich.console import Console

from mailfleet.cli.report import Format, _format_for, rich_table
from mailfleet.core.results import ResultRow, ResultsReport, Status
from mailfleet.services.report import render_html, render_json, render_markdown

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def _report() -> ResultsReport:
    rows = (
        ResultRow("a", "Pipes | and <b>tags</b>", "x | y", "Zero", Status.MET, {"n": 1}),
        ResultRow("b", "Second", "<script>alert(1)</script>", "t", Status.NOT_MET, {"s": "<i>"}),
        ResultRow("c", "Third", "nothing yet", "t", Status.NOT_MEASURED),
    )
    return ResultsReport("acme & co", NOW, date(2026, 2, 1), NOW.date(), rows)


def test_markdown_escapes_pipes_and_keeps_one_line_per_row() -> None:
    """A pipe in a cell does not split it; every row is one table line."""
    text = render_markdown(_report())
    lines = text.splitlines()
    assert lines[0] == "## Results: fleet acme & co"
    assert "2026-02-01 to 2026-03-02" in lines[2]
    assert lines[-3] == r"| Pipes \| and <b>tags</b> | x \| y | Zero | ✅ met |"
    assert lines[-1] == "| Third | nothing yet | t | — not measured |"


def test_html_escapes_every_text_and_loads_nothing() -> None:
    """Text and evidence are escaped; no script, link or external asset."""
    page = render_html(_report())
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Pipes | and &lt;b&gt;tags&lt;/b&gt;" in page
    assert "&quot;s&quot;: &quot;&lt;i&gt;&quot;" in page  # evidence JSON, escaped
    assert "<title>Results: fleet acme &amp; co</title>" in page
    assert 'class="status not-met"' in page
    for external in ("src=", "href=", "@import", "url("):
        assert external not in page


def test_json_says_ok_only_when_nothing_is_missed() -> None:
    """``ok`` is false with a missed target; "not measured" alone keeps it true."""
    data = json.loads(render_json(_report()))
    assert data["ok"] is False
    assert data["summary"] == {"met": 1, "not met": 1, "not measured": 1}
    assert data["rows"][1]["evidence"] == {"s": "<i>"}
    report = _report()
    measured_or_not = ResultsReport(
        report.fleet, NOW, None, NOW.date(), (report.rows[0], report.rows[2])
    )
    assert json.loads(render_json(measured_or_not))["ok"] is True


def test_the_terminal_table_prints_text_not_markup() -> None:
    """Rich markup in a value is printed as written."""
    report = _report()
    rows = (ResultRow("a", "[bold]x[/]", "y", "z", Status.MET), *report.rows[1:])
    console = Console(record=True, width=160)
    console.print(rich_table(ResultsReport("acme", NOW, None, NOW.date(), rows)))
    text = console.export_text()
    assert "[bold]x[/]" in text
    assert "not met" in text
    assert "the first record to 2026-03-02" in text


def test_the_format_follows_the_flags_the_file_and_the_terminal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """--json wins, then --format, then --output's suffix; a terminal gets the table (None),
    a pipe Markdown."""
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    assert _format_for(None, False, None) is None
    assert _format_for(Format.HTML, True, None) is Format.JSON
    assert _format_for(Format.MD, False, Path("r.html")) is Format.MD
    assert _format_for(None, False, Path("r.HTML")) is Format.HTML
    assert _format_for(None, False, Path("r.json")) is Format.JSON
    assert _format_for(None, False, Path("results")) is Format.MD
    monkeypatch.setattr(sys.stdout, "isatty", lambda: False)
    assert _format_for(None, False, None) is Format.MD
