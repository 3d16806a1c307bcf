"""``blocklist``, ``alerts`` and ``domains isolate|restore``: reputation monitoring by hand."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from mailfleet.cli.context import spec_path, state
from mailfleet.cli.output import console, print_json, reporting
from mailfleet.core.reputation.verdict import Verdict
from mailfleet.services import alerts as alerts_service
from mailfleet.services import isolation as isolation_service
from mailfleet.services import reputation as reputation_service
from mailfleet.spec import load_fleet

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
SpecOption = Annotated[
    Path | None,
    typer.Option("--spec", "-f", help="The fleet spec. [default: fleet.yaml, or settings.spec]"),
]
ReasonOption = Annotated[str, typer.Option("--reason", help="Why, for the history.")]

blocklist_app = typer.Typer(
    help="DNS blocklists (DNSBLs): check every sending IP and domain of the fleet.",
    no_args_is_help=True,
)
alerts_app = typer.Typer(
    help="Alerts: run the monitoring cycle, and read the alert history.", no_args_is_help=True
)
domains_app = typer.Typer(
    help="Domains: take one out of rotation by hand, or put it back.", no_args_is_help=True
)


@blocklist_app.command("check")
def blocklist_check(
    ctx: typer.Context, spec: SpecOption = None, as_json: JsonOption = False
) -> None:
    """Check every sending IP and domain against every DNSBL now, and keep the results.

    Listings show their meaning and the list's delisting page. A refusal or error answer
    (Spamhaus's 127.255.255.254, a timeout, SERVFAIL) is shown as unknown, never as listed.
    Queries go to the resolver in reputation.toml (default 127.0.0.1:53).

    Example: `mailfleet blocklist check --json | jq '.counts'`
    """
    path = spec_path(ctx, spec)
    with reporting(as_json):
        fleet = load_fleet(path)
        app = state(ctx).app()
        report = asyncio.run(
            reputation_service.run_blocklist_check(
                fleet, app.dnsbl_zones(), app.monitoring_ports(fleet)
            )
        )
    if as_json:
        print_json({"ok": True, **report.as_dict()})
        return
    counts = report.counts()
    table = Table(title=f"DNSBL check at {report.checked_at:%Y-%m-%d %H:%M:%S} UTC")
    for column in ("target", "list", "verdict", "meaning / reason", "delist"):
        table.add_column(column)
    for result in report.results:
        if result.verdict == Verdict.CLEAN:
            continue
        colour = "red" if result.verdict == Verdict.LISTED else "yellow"
        table.add_row(
            result.target,
            result.zone,
            f"[{colour}]{result.verdict.value}[/]",
            "; ".join(result.meanings) or result.reason,
            result.delist_url or "-",
        )
    if counts["listed"] or counts["unknown"]:
        console.print(table)
    console.print(
        f"{len(report.targets)} targets, {len(report.results)} checks: "
        f"[red]{counts['listed']} listed[/], [yellow]{counts['unknown']} unknown[/], "
        f"[green]{counts['clean']} clean[/]"
    )


@blocklist_app.command("last")
def blocklist_last(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Show the listings and unknown answers of the last stored check, without asking again.

    Example: `mailfleet blocklist last --json`
    """
    with reporting(as_json):
        latest = reputation_service.latest_blocklist_results(state(ctx).app().reputation_store())
    if latest is None:
        if as_json:
            print_json({"ok": True, "checked_at": None, "results": []})
        else:
            console.print("No check yet: run [cyan]mailfleet blocklist check[/].")
        return
    checked_at, results = latest
    shown = [r for r in results if r.verdict != Verdict.CLEAN]
    if as_json:
        print_json({"ok": True, "checked_at": checked_at, "results": [r.as_dict() for r in shown]})
        return
    console.print(f"Last check: {checked_at:%Y-%m-%d %H:%M:%S} UTC, {len(results)} checks")
    for result in shown:
        text = "; ".join(result.meanings) or result.reason
        console.print(f"  {result.verdict.value:>8}  {result.target} on {result.zone}: {text}")
    if not shown:
        console.print("[green]Nothing listed, no unknown answers.[/]")


@alerts_app.command("run")
def alerts_run(
    ctx: typer.Context,
    spec: SpecOption = None,
    skip_blocklists: Annotated[
        bool, typer.Option("--skip-blocklists", help="Evaluate rates only; no DNSBL queries.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Run the monitoring cycle once: DNSBL check, alert rules, notices, automatic isolation.

    This is the daily job; run it from cron or the scheduler. Alerts already active are not
    sent again; cleared ones send a resolve notice. Pool domains in trouble are isolated.

    Example: `mailfleet alerts run --json`
    """
    path = spec_path(ctx, spec)
    with reporting(as_json):
        fleet = load_fleet(path)
        app = state(ctx).app()
        run = asyncio.run(
            reputation_service.run_monitoring(
                fleet,
                app.dnsbl_zones(),
                app.alert_rules(),
                app.monitoring_ports(fleet),
                check_blocklists=not skip_blocklists,
            )
        )
    if as_json:
        print_json({"ok": True, **run.as_dict()})
        return
    for event in run.alerts.evaluation.events:
        muted = " [dim](silenced: cooldown)[/]" if event.silenced else ""
        console.print(f"{event.kind.value:>8}  {event.message}{muted}", markup=True)
    for decision in run.isolations:
        target = f" -> mail moves to {', '.join(decision.rotate_to)}" if decision.rotate_to else ""
        console.print(f"{decision.action.value:>10}  {decision.domain}{target}")
    if not run.alerts.evaluation.events and not run.isolations:
        console.print("[green]Nothing new.[/]")


@alerts_app.command("list")
def alerts_list(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("--limit", "-n", help="How many events.")] = 50,
    as_json: JsonOption = False,
) -> None:
    """Show the alert history, newest first, with where each notice was delivered.

    Example: `mailfleet alerts list -n 10`
    """
    with reporting(as_json):
        records = alerts_service.alert_history(state(ctx).app().reputation_store(), limit)
    if as_json:
        print_json({"ok": True, "alerts": [r.as_dict() for r in records]})
        return
    table = Table(title="alerts")
    for column in ("at", "event", "severity", "message", "delivered"):
        table.add_column(column)
    for record in records:
        event = record.event
        delivered = ", ".join(
            f"{d.channel}{'' if d.ok else ' (failed)'}" for d in record.deliveries
        )
        table.add_row(
            f"{event.at:%Y-%m-%d %H:%M}",
            event.kind.value + (" (silenced)" if event.silenced else ""),
            event.severity.value,
            event.message,
            delivered or "-",
        )
    console.print(table)


@domains_app.command("isolate")
def domains_isolate(
    ctx: typer.Context,
    domain: Annotated[str, typer.Argument(help="The domain to take out of rotation.")],
    reason: ReasonOption = "",
    as_json: JsonOption = False,
) -> None:
    """Isolate a domain by hand: it stops sending and leaves its pool's rotation.

    Example: `mailfleet domains isolate acme-reach.example --reason "complaints from Gmail"`
    """
    with reporting(as_json):
        app = state(ctx).app()
        previous = isolation_service.isolate_domain(
            app.reputation_store(), domain, app.clock, reason
        )
    if as_json:
        print_json({"ok": True, "domain": domain, "previous_state": previous, "state": "isolated"})
    else:
        console.print(f"[red]isolated[/] {domain} (was {previous})")


@domains_app.command("restore")
def domains_restore(
    ctx: typer.Context,
    domain: Annotated[str, typer.Argument(help="The isolated domain to put back.")],
    reason: ReasonOption = "",
    as_json: JsonOption = False,
) -> None:
    """Put an isolated domain back in rotation, in the state it had before.

    Automatic isolation will not take it out again for the trouble it had; only new trouble
    (a new listing or a new breach) does.

    Example: `mailfleet domains restore acme-reach.example --reason "delisted by Spamhaus"`
    """
    with reporting(as_json):
        app = state(ctx).app()
        restored = isolation_service.restore_domain(
            app.reputation_store(), domain, app.clock, reason
        )
    if as_json:
        print_json({"ok": True, "domain": domain, "state": restored})
    else:
        console.print(f"[green]restored[/] {domain} ({restored})")


def register(app: typer.Typer) -> None:
    """Add this module's command groups to the root app."""
    app.add_typer(blocklist_app, name="blocklist")
    app.add_typer(alerts_app, name="alerts")
    app.add_typer(domains_app, name="domains")
