"""``mailfleet mailboxes``: plan, apply, list, and export credentials."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from mailfleet.cli.context import spec_path, state
from mailfleet.cli.output import EXIT_FAILED, console, err_console, print_json, reporting
from mailfleet.core.fleet import Fleet
from mailfleet.core.mailboxes.inventory import InventoryFilter
from mailfleet.core.mailboxes.plan import ActionKind, MailboxPlan
from mailfleet.services import mailbox_inventory
from mailfleet.services import mailbox_passwords as password_service
from mailfleet.services import mailboxes as mailbox_service
from mailfleet.spec import load_fleet

mailboxes_app = typer.Typer(
    help="Mailboxes at their providers: plan and apply the spec, list them, export credentials.\n\n"
    "Example: `mailfleet mailboxes plan`, then `mailfleet mailboxes apply`.",
    no_args_is_help=True,
    rich_markup_mode="markdown",
)
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
SpecOption = Annotated[
    Path | None,
    typer.Option("--spec", "-f", help="The fleet spec. [default: fleet.yaml, or settings.spec]"),
]
SuspendOption = Annotated[
    bool,
    typer.Option(
        "--suspend-missing",
        help="Also suspend mailboxes on the spec's domains that are no longer in the spec.",
    ),
]
ProviderOption = Annotated[
    list[str] | None,
    typer.Option("--provider", "-p", help="Only this mailbox provider (repeatable)."),
]


def _factory(ctx: typer.Context, fleet: Fleet) -> mailbox_service.ProviderFactory:
    app = state(ctx).app()
    return lambda name: app.mailbox_provider(fleet, name)


def _retrier(ctx: typer.Context) -> mailbox_service.Retrier:
    return mailbox_service.Retrier(state(ctx).app().clock)


@mailboxes_app.command()
def plan(
    ctx: typer.Context,
    spec: SpecOption = None,
    suspend_missing: SuspendOption = False,
    provider: ProviderOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show what `apply` would do: create, update (drift), suspend, or report as invalid.

    Lists each provider's mailboxes on the spec's domains; changes nothing.
    Example: `mailfleet mailboxes plan --json | jq '.summary'`
    """
    with reporting(as_json):
        fleet = load_fleet(spec_path(ctx, spec))
        result = mailbox_service.plan_mailboxes(
            fleet,
            _factory(ctx, fleet),
            suspend_missing=suspend_missing,
            retrier=_retrier(ctx),
            only=provider or (),
        )
    if as_json:
        print_json({"ok": True, "summary": result.counts(), "actions": _actions(result)})
        return
    table = Table(title="mailbox plan")
    for column in ("action", "address", "provider", "detail"):
        table.add_column(column)
    for action in result.actions:
        if action.kind == ActionKind.UNCHANGED:
            continue
        detail = action.reason or ", ".join(c.value for c in action.changes)
        table.add_row(_colour(action.kind.value), action.address, action.provider, detail)
    console.print(table)
    console.print(
        "  ".join(f"{kind}: {count}" for kind, count in result.counts().items())
        + ("" if result.changing else "  [green]nothing to change[/]")
    )


def _actions(result: MailboxPlan) -> list[dict[str, object]]:
    return [a.as_dict() for a in result.actions]


@mailboxes_app.command()
def apply(
    ctx: typer.Context,
    spec: SpecOption = None,
    suspend_missing: SuspendOption = False,
    provider: ProviderOption = None,
    workers: Annotated[
        int, typer.Option("--workers", min=1, max=128, help="Provider calls in flight at once.")
    ] = 16,
    force: Annotated[
        bool,
        typer.Option("--force", help="Apply even when the plan suspends many mailboxes at once."),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Create missing mailboxes and correct drift, concurrently, with retries.

    Passwords are generated to each provider's policy and stored in the vault before the
    mailbox is created. Safe to re-run, and to re-run after a crash: nothing is created twice.
    Exit code 1 when any mailbox failed (the others are still applied).
    Example: `mailfleet mailboxes apply --workers 32`
    """
    with reporting(as_json):
        fleet = load_fleet(spec_path(ctx, spec))
        app = state(ctx).app()
        factory = _factory(ctx, fleet)
        retrier = _retrier(ctx)
        result = mailbox_service.plan_mailboxes(
            fleet, factory, suspend_missing=suspend_missing, retrier=retrier, only=provider or ()
        )
        mailbox_service.check_safe(result, force=force)
        names = {a.provider for a in result.actions}
        with _progress(len(result.actions), enabled=not as_json) as advance:
            report = mailbox_service.apply_plan(
                result,
                {name: factory(name) for name in names},
                app.vault(),
                app.mailbox_ledger(),
                app.clock,
                retrier=retrier,
                workers=workers,
                progress=lambda _outcome: advance(),
            )
    if as_json:
        print_json(report.as_dict())
    else:
        _render_report(report)
    if report.failed:
        raise typer.Exit(EXIT_FAILED)


@contextmanager
def _progress(total: int, *, enabled: bool) -> Iterator[Callable[[], None]]:
    if not enabled:
        yield lambda: None
        return
    columns = (
        TextColumn("mailboxes"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err_console, transient=True) as bar:
        task = bar.add_task("apply", total=total)
        yield lambda: bar.advance(task)


def _render_report(report: mailbox_service.ApplyReport) -> None:
    changed = [o for o in report.outcomes if o.status != mailbox_service.Status.UNCHANGED]
    if changed:
        table = Table(title="mailboxes")
        for column in ("status", "address", "provider", "tries", "reason"):
            table.add_column(column)
        for o in changed:
            table.add_row(_colour(o.status.value), o.address, o.provider, str(o.attempts), o.reason)
        console.print(table)
    summary = Table(title="summary")
    for status_name in report.counts():
        summary.add_column(status_name, justify="right")
    summary.add_row(*(str(n) for n in report.counts().values()))
    console.print(summary)


def _colour(value: str) -> str:
    colours = {
        "create": "green",
        "created": "green",
        "update": "yellow",
        "updated": "yellow",
        "suspend": "magenta",
        "suspended": "magenta",
        "invalid": "red",
        "failed": "red",
    }
    colour = colours.get(value)
    return f"[{colour}]{value}[/]" if colour else value


@mailboxes_app.command("list")
def list_command(
    ctx: typer.Context,
    spec: SpecOption = None,
    domain: Annotated[str | None, typer.Option(help="Only this domain.")] = None,
    segment: Annotated[str | None, typer.Option(help="Only this segment.")] = None,
    status: Annotated[
        str | None,
        typer.Option(help="Only this status: active, suspended, failed, planned, unprovisioned."),
    ] = None,
    idle_days: Annotated[
        int | None,
        typer.Option("--idle-days", min=0, help="Only mailboxes with no activity for N days."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """The mailbox inventory: provider, status, provisioned, last login, last send.

    Example: `mailfleet mailboxes list --segment pool-a --idle-days 14`
    """
    with reporting(as_json):
        fleet = load_fleet(spec_path(ctx, spec))
        app = state(ctx).app()
        rows = mailbox_inventory.list_mailboxes(
            fleet,
            app.mailbox_ledger(),
            app.fleet_store(),
            app.clock,
            InventoryFilter(domain, segment, status, idle_days),
        )
    if as_json:
        print_json([row.as_dict() for row in rows])
        return
    table = Table(title=f"{len(rows)} mailboxes")
    for column in ("address", "segment", "provider", "status", "provisioned", "last activity"):
        table.add_column(column)
    for row in rows:
        last = row.last_activity_at
        table.add_row(
            row.address if row.in_spec else f"{row.address} [dim](not in spec)[/]",
            row.segment,
            row.provider,
            row.status,
            f"{row.provisioned_at:%Y-%m-%d %H:%M}" if row.provisioned_at else "-",
            f"{last:%Y-%m-%d %H:%M}" if last else "never",
        )
    console.print(table)


@mailboxes_app.command()
def credentials(
    ctx: typer.Context,
    export: Annotated[
        Path, typer.Option("--export", help="File to write (created with mode 0600).")
    ],
    fmt: Annotated[str, typer.Option("--format", help="csv or json.")] = "csv",
    domain: Annotated[str | None, typer.Option(help="Only this domain.")] = None,
    spec: SpecOption = None,
    as_json: JsonOption = False,
) -> None:
    """Write every mailbox's address, password, SMTP host and port to a private file.

    Passwords leave the vault only on this explicit request, never on the terminal.
    Example: `mailfleet mailboxes credentials --export creds.csv` (for a mail client import)
    """
    with reporting(as_json):
        if fmt not in mailbox_inventory.FORMATS:
            raise typer.BadParameter(f"--format must be one of {mailbox_inventory.FORMATS}")
        fleet = load_fleet(spec_path(ctx, spec))
        result = mailbox_inventory.export_credentials(
            fleet, state(ctx).app().vault(), export, fmt=fmt, domain=domain
        )
    if as_json:
        print_json(
            {
                "ok": True,
                "path": str(result.path),
                "written": result.written,
                "missing": list(result.missing),
            }
        )
        return
    console.print(f"[green]✓[/] wrote {result.written} credentials to {result.path} (mode 0600)")
    if result.missing:
        console.print(
            f"[yellow]{len(result.missing)} mailboxes have no password in the vault[/] "
            "(not provisioned yet: run `mailfleet mailboxes apply`)"
        )


@mailboxes_app.command("rotate-passwords")
def rotate_passwords(
    ctx: typer.Context,
    address: Annotated[
        list[str] | None, typer.Option("--address", "-a", help="This mailbox (repeatable).")
    ] = None,
    domain: Annotated[str | None, typer.Option(help="Every mailbox of this domain.")] = None,
    all_mailboxes: Annotated[
        bool, typer.Option("--all", help="Every mailbox of the spec.")
    ] = False,
    spec: SpecOption = None,
    workers: Annotated[int, typer.Option("--workers", min=1, max=128)] = 8,
    as_json: JsonOption = False,
) -> None:
    """Give mailboxes new passwords (to each provider's policy), stored in the vault.

    The new password is kept in the vault before the provider gets it; re-run an interrupted
    rotation to finish it. Example: `mailfleet mailboxes rotate-passwords --domain acme.example`
    """
    with reporting(as_json):
        if not (address or domain or all_mailboxes):
            raise typer.BadParameter("choose --address, --domain or --all")
        fleet = load_fleet(spec_path(ctx, spec))
        app = state(ctx).app()
        targets = password_service.chosen(fleet, address or (), domain)
        report = password_service.rotate_passwords(
            targets,
            _factory(ctx, fleet),
            app.vault(),
            app.mailbox_ledger(),
            app.clock,
            retrier=_retrier(ctx),
            workers=workers,
        )
    if as_json:
        print_json(report.as_dict())
    else:
        _render_report(report)
    if report.failed:
        raise typer.Exit(EXIT_FAILED)


def register(app: typer.Typer) -> None:
    """Add ``mailboxes`` to the root app."""
    app.add_typer(mailboxes_app, name="mailboxes")
