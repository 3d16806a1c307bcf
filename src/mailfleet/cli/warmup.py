"""``warmup status`` and ``warmup explain``: where each domain's ramp stands, and why."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from mailfleet.cli.context import spec_path, state
from mailfleet.cli.output import console, print_json, reporting
from mailfleet.core.warmup.status import DomainWarmup
from mailfleet.services import warmup as warmup_service
from mailfleet.spec import load_fleet

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
SpecOption = Annotated[
    Path | None,
    typer.Option("--spec", "-f", help="The fleet spec. [default: fleet.yaml, or settings.spec]"),
]

warmup_app = typer.Typer(
    name="warmup",
    help="Metric-gated warmup: each domain's ramp, today's cap, and the reasons behind it.\n\n"
    "Example: `mailfleet warmup status`, then `mailfleet warmup explain acme.example`.",
    no_args_is_help=True,
    rich_markup_mode="markdown",
)

_COLOURS = {"paused": "red", "waiting": "dim", "not-started": "dim", "at-target": "green"}


def _rates(row: DomainWarmup) -> tuple[str, str, str]:
    window = row.evidence
    if not window.sent:
        return "-", "-", "-"
    return (
        f"{window.bounce_rate:.2%}",
        f"{window.complaint_rate:.3%}",
        f"{window.deferral_rate:.1%}",
    )


@warmup_app.command("status")
def status(ctx: typer.Context, spec: SpecOption = None, as_json: JsonOption = False) -> None:
    """Per domain: phase, week and ramp day, today's cap, sent today, rates over the gate's
    window, and the decision today's evidence would lead to.

    Example: `mailfleet warmup status --json | jq '.domains[] | {domain, cap_today}'`
    """
    path = spec_path(ctx, spec)
    with reporting(as_json):
        fleet = load_fleet(path)
        app = state(ctx).app()
        rows = warmup_service.warmup_status(fleet, app.warmup_ports(fleet), app.clock.now().date())
    if as_json:
        print_json({"ok": True, "domains": [r.as_dict() for r in rows]})
        return
    table = Table(title=f"warmup: fleet {fleet.name}")
    for column in ("domain", "segment", "phase", "week", "cap today", "sent", "bounce"):
        table.add_column(
            column, justify="right" if column in ("week", "cap today", "sent") else "left"
        )
    for column in ("complaint", "deferral", "next decision"):
        table.add_column(column)
    for row in rows:
        colour = _COLOURS.get(row.phase)
        phase = f"[{colour}]{row.phase}[/]" if colour else row.phase
        if row.paused_members:
            phase += f" [red]({len(row.paused_members)} paused)[/]"
        ramp = f"{row.week} (day {row.state.ramp_day})" if row.state else "-"
        upcoming = str(row.next_decision.action) if row.next_decision else "-"
        table.add_row(
            row.domain,
            row.segment,
            phase,
            ramp,
            f"{row.cap_today:,}/{row.target:,}",
            f"{row.sent_today:,}",
            *_rates(row),
            upcoming,
        )
    console.print(table)
    if all(r.state is None for r in rows):
        console.print("No ramp has started: the first daily decision run starts every domain.")


@warmup_app.command("explain")
def explain(
    ctx: typer.Context,
    domain: Annotated[str, typer.Argument(help="A domain from the spec, e.g. acme.example.")],
    limit: Annotated[int, typer.Option("--limit", "-n", help="How many decisions.")] = 14,
    spec: SpecOption = None,
    as_json: JsonOption = False,
) -> None:
    """Why a domain's ramp is where it is: its latest decisions, newest first, each with its
    evidence (sent, bounces, complaints, deferrals, listings) and the rule that applied.

    Example: `mailfleet warmup explain acme-outreach.example -n 5`
    """
    path = spec_path(ctx, spec)
    with reporting(as_json):
        fleet = load_fleet(path)
        app = state(ctx).app()
        result = warmup_service.explain(
            fleet, app.warmup_ports(fleet), domain, app.clock.now().date(), limit
        )
    if as_json:
        print_json({"ok": True, **result.as_dict()})
        return
    row = result.status
    console.print(
        f"[bold]{domain}[/] ({row.segment}): {row.phase}, week {row.week}, "
        f"cap today {row.cap_today:,} of {row.target:,}, audience {row.audience}"
    )
    if row.next_decision is not None:
        console.print(f"Now: {row.next_decision.explanation}", markup=False)
    if not result.decisions:
        console.print("No decision recorded yet.")
    for decision in result.decisions:
        console.print(f"{decision.day}  {decision.action:<9} {decision.explanation}", markup=False)
    for member in result.paused_members:
        console.print(f"paused member {member.domain}: {member.explanation}", markup=False)


@warmup_app.command("run")
def run(
    ctx: typer.Context,
    day: Annotated[
        str | None,
        typer.Option("--day", help="The day to judge, YYYY-MM-DD. [default: yesterday, UTC]"),
    ] = None,
    spec: SpecOption = None,
    as_json: JsonOption = False,
) -> None:
    """Make the daily decision for every domain (advance, hold, step back and pause, resume)
    and store it with its evidence. Domains without a ramp start the next day.

    Run it once a day after the business day ends, e.g. from cron:
    `mailfleet warmup run --day 2026-01-05`
    """
    path = spec_path(ctx, spec)
    with reporting(as_json):
        fleet = load_fleet(path)
        app = state(ctx).app()
        judged = _parse_day(day) if day else app.clock.now().date() - timedelta(days=1)
        ports = app.warmup_ports(fleet)
        decisions = warmup_service.run_daily_decisions(fleet, ports, judged)
        moves = warmup_service.advance_domain_states(
            fleet, ports, decisions, app.reputation_store(), app.clock, judged
        )
    if as_json:
        print_json(
            {
                "ok": True,
                "day": judged.isoformat(),
                "decisions": [d.as_dict() for d in decisions],
                "states": moves,
            }
        )
        return
    for decision in decisions:
        console.print(f"{decision.domain}: {decision.action}. {decision.explanation}", markup=False)
    for name, new_state in moves.items():
        console.print(f"{name} is now {new_state}.", markup=False)


def _parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is not a date like 2026-01-05", param_hint="--day"
        ) from None


def register(app: typer.Typer) -> None:
    """Add the ``warmup`` sub-app to the root app."""
    app.add_typer(warmup_app)
