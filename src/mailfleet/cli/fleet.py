"""``init``, ``validate``, ``sync`` and ``status``: the fleet spec and its mirror."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.table import Table

from mailfleet.cli.context import spec_path, state
from mailfleet.cli.output import EXIT_BAD_INPUT, console, err_console, print_json, reporting
from mailfleet.core.status import UNSYNCED
from mailfleet.services import dns_verify
from mailfleet.services import fleet as fleet_service
from mailfleet.spec import load_fleet

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
SpecOption = Annotated[
    Path | None,
    typer.Option("--spec", "-f", help="The fleet spec. [default: fleet.yaml, or settings.spec]"),
]


def init(
    path: Annotated[Path, typer.Argument(help="Where to write the example spec.")] = Path(
        "fleet.yaml"
    ),
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Write a commented example spec: five segments, six domains, sixty-six mailboxes.

    Edit it, then run `mailfleet validate` and `mailfleet sync`.
    """
    if path.exists() and not force:
        message = f"{path} exists; pass --force to overwrite it"
        if as_json:
            print_json({"ok": False, "error": message})
        else:
            err_console.print(f"[bold red]error:[/] {message}")
        raise typer.Exit(EXIT_BAD_INPUT)
    text = resources.files("mailfleet.spec").joinpath("template.yaml").read_text("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    if as_json:
        print_json({"ok": True, "written": str(path)})
    else:
        console.print(f"Wrote [bold]{path}[/]. Next: [cyan]mailfleet validate -f {path}[/]")


def validate(ctx: typer.Context, spec: SpecOption = None, as_json: JsonOption = False) -> None:
    """Check a spec and report every problem with its file and line (exit 2 if any).

    Nothing is written: validation reads the spec, and the CSV files it names, only.
    """
    path = spec_path(ctx, spec)
    with reporting(as_json):
        fleet = load_fleet(path)
    mailboxes = sum(len(d.mailboxes) for d in fleet.domains)
    summary = {
        "ok": True,
        "spec": str(path),
        "fleet": fleet.name,
        "segments": len(fleet.segments),
        "domains": len(fleet.domains),
        "mailboxes": mailboxes,
    }
    if as_json:
        print_json(summary)
    else:
        console.print(
            f"[green]✓[/] {path} is valid: {len(fleet.segments)} segments, "
            f"{len(fleet.domains)} domains, {mailboxes} mailboxes"
        )


def sync(
    ctx: typer.Context,
    spec: SpecOption = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would change; write nothing.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Mirror the spec into the database (segments, domains, mailboxes).

    Idempotent: a second run changes nothing. Entities removed from the spec are kept with
    their state and marked as out of spec; runtime state is never overwritten.
    """
    path = spec_path(ctx, spec)
    with reporting(as_json):
        fleet = load_fleet(path)
        app = state(ctx).app()
        plan = fleet_service.sync_fleet(
            fleet, app.fleet_store(), app.clock, str(path.resolve()), dry_run=dry_run
        )
    summary = plan.summary()
    if as_json:
        print_json({"ok": True, "dry_run": dry_run, "changes": summary})
        return
    table = Table(title="dry run: nothing written" if dry_run else "synced")
    table.add_column("entity")
    for column in ("create", "update", "remove", "restore", "unchanged"):
        table.add_column(column, justify="right")
    for entity, counts in summary.items():
        table.add_row(
            entity,
            *(str(counts[c]) for c in ("create", "update", "remove", "restore", "unchanged")),
        )
    console.print(table)
    if plan.is_empty:
        console.print("[green]The database already mirrors the spec.[/]")


def status(ctx: typer.Context, spec: SpecOption = None, as_json: JsonOption = False) -> None:
    """Show segments and domains from the spec with their state in the database."""
    path = spec_path(ctx, spec)
    with reporting(as_json):
        fleet = load_fleet(path)
        report = fleet_service.status(fleet, state(ctx).app().fleet_store())
        coverage = dns_verify.dns_coverage(fleet, state(ctx).app().dns_check_store())
    if as_json:
        print_json({**report.as_dict(), "dns_coverage_percent": round(coverage, 2)})
        return
    segments = Table(title=f"fleet {report.fleet}: segments", box=box.SIMPLE_HEAD, pad_edge=False)
    segments.add_column("segment", no_wrap=True)
    segments.add_column("priority", no_wrap=True)
    for column in ("target/day", "domains", "mailboxes"):
        segments.add_column(column, justify="right", no_wrap=True)
    segments.add_column("state", no_wrap=True)
    for s in report.segments:
        segments.add_row(
            s.name,
            s.priority,
            f"{s.daily_target:,}",
            str(s.domains),
            str(s.mailboxes),
            _state(s.state),
        )
    console.print(segments)
    domains = Table(title="domains", box=box.SIMPLE_HEAD, pad_edge=False)
    domains.add_column("domain", no_wrap=True)
    domains.add_column("segment", no_wrap=True)
    domains.add_column("state", no_wrap=True)
    domains.add_column("inboxes", justify="right", no_wrap=True)
    domains.add_column("sending IPs", no_wrap=True)
    for d in report.domains:
        name = d.name if d.in_spec else f"{d.name} [dim](not in spec)[/]"
        domains.add_row(
            name,
            d.segment,
            _state(d.state),
            str(d.mailboxes),
            "\n".join(d.sending_ips) or "-",
        )
    console.print(domains)
    for d in report.domains:
        if d.drift:
            console.print(
                f"[yellow]drift:[/] {d.name}: the database differs from the spec in "
                f"{', '.join(d.drift)}; run [cyan]mailfleet sync[/]"
            )
    if report.last_sync is None:
        console.print("[yellow]Not synced yet:[/] run [cyan]mailfleet sync[/] to load the spec.")
    else:
        console.print(f"Last sync: {report.last_sync:%Y-%m-%d %H:%M:%S} UTC")
    console.print(f"DNS authentication coverage: {coverage:.1f} % (from `mailfleet dns verify`)")


def _state(value: str) -> str:
    colours = {UNSYNCED: "yellow", "paused": "red", "isolated": "red", "active": "green"}
    colour = colours.get(value)
    return f"[{colour}]{value}[/]" if colour else value


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.command()(init)
    app.command()(validate)
    app.command()(sync)
    app.command()(status)
