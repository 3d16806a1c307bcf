"""``mailfleet dmarc``: aggregate reports in, pass rates by source, staged DMARC policies."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from mailfleet.cli.context import state
from mailfleet.cli.output import console, err_console, print_json, reporting
from mailfleet.core.dns.dmarc import DmarcPolicy
from mailfleet.services import dmarc as dmarc_service

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]

dmarc_app = typer.Typer(
    help="DMARC aggregate reports (RFC 9990 and RFC 7489) and staged policies "
    "(none -> quarantine -> reject).",
    no_args_is_help=True,
)


@dmarc_app.command("ingest")
def ingest(
    ctx: typer.Context,
    files: Annotated[
        list[Path], typer.Argument(help="Reports: .xml, .xml.gz, .zip, or the report emails.")
    ],
    as_json: JsonOption = False,
) -> None:
    """Store aggregate reports, per domain, source IP and day. A report sent twice counts once;
    an unreadable file is named and the rest are still stored (exit 2 if any was unreadable).

    Example: `mailfleet dmarc ingest reports/*.xml.gz`
    """
    with reporting(as_json):
        app = state(ctx).app()
        inputs = []
        for path in files:
            try:
                inputs.append((str(path), path.read_bytes()))
            except OSError as exc:
                inputs.append((str(path), b""))
                err_console.print(f"{path}: {exc.strerror}", markup=False)
        results = dmarc_service.ingest_reports(inputs, store=app.dmarc_store(), clock=app.clock)
    if as_json:
        print_json([r.as_dict() for r in results])
    else:
        for r in results:
            line = (
                f"{r.file}: unreadable: {r.error}"
                if r.error
                else f"{r.file}: {r.added} reports added ({r.messages} messages), "
                f"{r.duplicates} already known"
            )
            console.print(line, markup=False)
    if any(r.error for r in results):
        raise typer.Exit(2)


@dmarc_app.command("report")
def report(
    ctx: typer.Context,
    days: Annotated[int, typer.Option("--days", min=1, help="Window, in days.")] = 30,
    as_json: JsonOption = False,
) -> None:
    """Per domain, source IP and day: messages, aligned pass and fail, DKIM and SPF passes.

    Example: `mailfleet dmarc report --days 14 --json`
    """
    with reporting(as_json):
        app = state(ctx).app()
        rows = dmarc_service.source_report(app.dmarc_store(), app.clock, days=days)
    if as_json:
        print_json([r.as_dict() for r in rows])
        return
    table = Table("domain", "day", "source IP", "messages", "aligned pass", "fail", "pass %")
    for r in rows:
        share = f"{r.passed / r.messages:.1%}" if r.messages else "-"
        table.add_row(
            r.domain,
            r.day.isoformat(),
            r.source_ip,
            str(r.messages),
            str(r.passed),
            str(r.messages - r.passed),
            share,
        )
    console.print(table)


@dmarc_app.command("stage")
def stage(
    ctx: typer.Context,
    apply: Annotated[
        bool, typer.Option("--apply", help="Store the moves up (then run dns plan/apply).")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Decide each domain's DMARC stage from the reports: up one step (none -> quarantine ->
    reject) when enough aligned mail passed for long enough (policy/dmarc_stage.toml); never
    down. With --apply the new stages are stored; `mailfleet dns plan` then shows the new p=.

    Example: `mailfleet dmarc stage --apply && mailfleet dns plan`
    """
    with reporting(as_json):
        app = state(ctx).app()
        decisions = dmarc_service.stage_decisions(app.dmarc_store(), app.clock, apply=apply)
    if as_json:
        print_json({"applied": apply, "domains": [d.as_dict() for d in decisions]})
        return
    table = Table("domain", "current", "proposed", "messages", "pass %", "days", "why")
    for d in decisions:
        share = f"{d.pass_ratio:.2%}" if d.pass_ratio is not None else "-"
        proposed = d.proposed.value + (" (stored)" if apply and d.advance else "")
        table.add_row(
            d.domain, d.current.value, proposed, str(d.messages), share, str(d.days), d.reason
        )
    console.print(table)


@dmarc_app.command("stage-set")
def stage_set(
    ctx: typer.Context,
    domain: Annotated[str, typer.Argument(help="The domain.")],
    policy: Annotated[DmarcPolicy, typer.Argument(help="none, quarantine or reject.")],
    reason: Annotated[str, typer.Option("--reason", help="Why (kept with the stage).")],
    as_json: JsonOption = False,
) -> None:
    """A person's decision: put a domain at a stage, in either direction (the only way down).

    Example: `mailfleet dmarc stage-set news.example.com none --reason "new CRM not signing"`
    """
    with reporting(as_json):
        app = state(ctx).app()
        record = dmarc_service.set_stage(app.dmarc_store(), app.clock, domain, policy, reason)
    if as_json:
        print_json({"domain": record.domain, "stage": record.stage.value, "reason": record.reason})
    else:
        console.print(f"{record.domain}: {record.stage.value}", markup=False)


def register(app: typer.Typer) -> None:
    """Add ``mailfleet dmarc`` to the root command."""
    app.add_typer(dmarc_app, name="dmarc")
