"""``mailfleet report``: the case study's results table, measured from the database."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from mailfleet.cli.context import spec_path, state
from mailfleet.cli.output import EXIT_FAILED, console, err_console, reporting
from mailfleet.core.results import ResultsReport, Status
from mailfleet.services.report import render_html, render_json, render_markdown
from mailfleet.spec import load_fleet


class Format(StrEnum):
    """Output formats."""

    MD = "md"
    HTML = "html"
    JSON = "json"


_SUFFIXES = {".md": Format.MD, ".markdown": Format.MD, ".html": Format.HTML, ".htm": Format.HTML}
_SUFFIXES[".json"] = Format.JSON
_STYLE = {Status.MET: "green", Status.NOT_MET: "bold red", Status.NOT_MEASURED: "dim"}
_RENDER = {Format.MD: render_markdown, Format.HTML: render_html, Format.JSON: render_json}


def _format_for(given: Format | None, as_json: bool, output: Path | None) -> Format | None:
    """The format asked for; else the output file's suffix; else Markdown when stdout is not
    a terminal; ``None`` means a Rich table on the terminal."""
    if as_json:
        return Format.JSON
    if given is not None:
        return given
    if output is not None:
        return _SUFFIXES.get(output.suffix.lower(), Format.MD)
    return None if sys.stdout.isatty() else Format.MD


def rich_table(report: ResultsReport) -> Table:
    """The table for a terminal (``mailfleet demo`` prints it too); values are plain text,
    never Rich markup."""
    table = Table(
        title=f"Results: fleet {report.fleet}",
        caption=f"measured from live data, {report.period}",
        show_lines=True,
    )
    for column, ratio in (("Dimension", 2), ("Outcome", 4), ("Target", 3), ("Status", 1)):
        table.add_column(column, ratio=ratio, overflow="fold")
    for row in report.rows:
        table.add_row(
            Text(row.dimension),
            Text(row.outcome),
            Text(row.target),
            Text(str(row.status), style=_STYLE[row.status]),
        )
    return table


def report(
    ctx: typer.Context,
    fmt: Annotated[
        Format | None,
        typer.Option(
            "--format",
            help="md (GitHub table), html (self-contained page) or json. [default: a table on "
            "a terminal; Markdown when piped; from --output's suffix]",
        ),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")
    ] = None,
    days: Annotated[
        int | None,
        typer.Option(
            "--days",
            min=1,
            help="Rates, listings and isolations of the last N days only. [default: all]",
        ),
    ] = None,
    check: Annotated[
        bool, typer.Option("--check", help="Exit 1 when a measured target is not met (for CI).")
    ] = False,
    spec: Annotated[
        Path | None,
        typer.Option(
            "--spec", "-f", help="The fleet spec. [default: fleet.yaml, or settings.spec]"
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Same as --format json.")] = False,
) -> None:
    """The case study's results table from what the fleet really did: warmup time,
    blocklistings, bounce and complaint rates, authentication, provisioning time, visibility
    and configuration drift, each with its target and status.

    Exits 0 whatever the outcomes (it is a report); with `--check`, exits 1 when a measured
    target is missed ("not measured" never fails). Definitions: docs/report.md.

    Example: `mailfleet report --days 30 -o results.html`
    """
    chosen = _format_for(fmt, as_json, output)
    path = spec_path(ctx, spec)
    with reporting(chosen is Format.JSON and output is None):
        fleet = load_fleet(path)
        results = state(ctx).app().results_report(fleet, days)
    if chosen is None:
        console.print(rich_table(results))
    else:
        text = _RENDER[chosen](results)
        if output is None:
            sys.stdout.write(text)
        else:
            output.write_text(text, encoding="utf-8")
            counts = ", ".join(
                f"{sum(1 for r in results.rows if r.status is s)} {s}" for s in Status
            )
            console.print(f"Wrote {output} ({chosen}): {counts}", markup=False)
    if check and results.unmet:
        names = ", ".join(r.dimension for r in results.unmet)
        err_console.print(f"Targets not met: {names}", markup=False)
        raise typer.Exit(EXIT_FAILED)


def register(app: typer.Typer) -> None:
    """Add ``report`` to the root command."""
    app.command("report")(report)
