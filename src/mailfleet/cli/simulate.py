"""``simulate``: run the fleet's warmup in simulated time against a model of the world."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from mailfleet.cli.context import spec_path, state
from mailfleet.cli.output import EXIT_BAD_INPUT, console, err_console, print_json, reporting
from mailfleet.core.simulation.report import SimulatedDay, SimulationReport
from mailfleet.services import simulation as simulation_service
from mailfleet.spec import load_fleet

_NOTABLE = {"hold", "step-back", "paused", "resume"}


def simulate(
    ctx: typer.Context,
    days: Annotated[int, typer.Option("--days", min=1, max=366, help="Days to simulate.")] = 42,
    scenario: Annotated[
        str, typer.Option("--scenario", help="A scenario from the shipped world model.")
    ] = "default",
    start: Annotated[
        str, typer.Option("--start", help="First simulated day (YYYY-MM-DD), a Monday is best.")
    ] = "2026-01-05",
    daily: Annotated[
        bool, typer.Option("--daily", help="Print every day of every domain.")
    ] = False,
    spec: Annotated[
        Path | None,
        typer.Option("--spec", "-f", help="The fleet spec. [default: fleet.yaml]"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Warm the fleet up in simulated time: the real ramp, gate, pacing and limiter, against
    receivers whose reputation reacts to volume jumps, bounces and complaints.

    Reports per day and domain the cap, sent, bounce and complaint rates, stage and decision;
    nothing is written to the database. Scenarios: `default`, `complaint-spike` (a pool-a
    domain's complaints jump in week 3), `bounce-storm`, `ip-listing`.

    Example: `mailfleet simulate --days 42 --scenario complaint-spike`
    """
    path = spec_path(ctx, spec)
    world, scenarios = simulation_service.shipped_world()
    if scenario not in scenarios:
        message = f"unknown scenario {scenario!r}; choose from {', '.join(sorted(scenarios))}"
        if as_json:
            print_json({"ok": False, "error": message})
        else:
            err_console.print(f"[bold red]error:[/] {message}")
        raise typer.Exit(EXIT_BAD_INPUT)
    try:
        first = date.fromisoformat(start)
    except ValueError:
        raise typer.BadParameter(f"{start!r} is not a date", param_hint="--start") from None
    with reporting(as_json):
        fleet = load_fleet(path)
        kit = state(ctx).app().simulation_kit(datetime.combine(first, time(0), UTC))
        report = simulation_service.simulate(fleet, world, scenarios[scenario], days, kit)
    if as_json:
        print_json({"ok": True, **report.as_dict()})
        return
    _render(report, daily=daily)


def _render(report: SimulationReport, *, daily: bool) -> None:
    console.print(f"[bold]{report.scenario}[/]: {report.description}")
    summary = Table(title=f"{report.days} days from {report.start}")
    for column in ("domain", "segment", "target", "reached on day", "final cap", "sent"):
        summary.add_column(column, justify="left" if column in ("domain", "segment") else "right")
    for column in ("step-backs", "holds", "paused days"):
        summary.add_column(column, justify="right")
    for s in report.summaries:
        reached = str(s.reached_target_day) if s.reached_target_day is not None else "[red]no[/]"
        summary.add_row(
            s.domain,
            s.segment,
            f"{s.target:,}",
            reached,
            f"{s.final_cap:,}",
            f"{s.sent:,}",
            str(s.step_backs),
            str(s.holds),
            str(s.paused_days),
        )
    console.print(summary)
    rows = [r for r in report.rows if daily or r.decision in _NOTABLE]
    if rows:
        console.print(_days_table(rows, "every day" if daily else "decisions other than advance"))


def _days_table(rows: list[SimulatedDay], title: str) -> Table:
    table = Table(title=title)
    for column in ("day", "date", "domain", "cap", "sent", "bounce", "complaint", "week"):
        table.add_column(column, justify="left" if column in ("date", "domain") else "right")
    table.add_column("decision")
    for r in rows:
        table.add_row(
            str(r.day),
            r.date.isoformat(),
            r.domain,
            f"{r.cap:,}",
            f"{r.sent:,}",
            f"{r.bounce_rate:.2%}",
            f"{r.complaint_rate:.3%}",
            f"{r.week} ({r.ramp_day})",
            r.decision,
        )
    return table


def register(app: typer.Typer) -> None:
    """Add ``simulate`` to the root app."""
    app.command()(simulate)
