"""``mailfleet suppression``: the addresses mailfleet will not send to."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from mailfleet.cli.context import state
from mailfleet.cli.output import console, print_json, reporting
from mailfleet.services import suppression as service

suppression_app = typer.Typer(
    help="The suppression list: hard bounces and complaints land here at once, soft bounces "
    "after repeated failures. Scopes: 'global' or one sending domain.",
    no_args_is_help=True,
)
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
ScopeOption = Annotated[
    str, typer.Option("--scope", help="'global', or a sending domain such as news.example.com.")
]


@suppression_app.command("list")
def list_command(
    ctx: typer.Context,
    scope: Annotated[str | None, typer.Option("--scope", help="Only this scope.")] = None,
    expired: Annotated[bool, typer.Option("--expired", help="Include expired entries.")] = False,
    as_json: JsonOption = False,
) -> None:
    """List suppressed addresses with scope, reason, source and expiry.

    Example: `mailfleet suppression list --scope global --json`
    """
    with reporting(as_json):
        app = state(ctx).app()
        entries = service.list_suppressions(
            app.feedback_store(), app.clock, scope=scope, include_expired=expired
        )
    if as_json:
        print_json([e.as_dict() for e in entries])
        return
    table = Table("address", "scope", "reason", "source", "since", "expires")
    for e in entries:
        expires = e.expires_at.date().isoformat() if e.expires_at else "never"
        table.add_row(
            e.address, e.scope, e.reason, e.source, e.created_at.date().isoformat(), expires
        )
    console.print(table)
    console.print(f"{len(entries)} suppressed")


@suppression_app.command("add")
def add_command(
    ctx: typer.Context,
    address: Annotated[str, typer.Argument(help="The address to stop mailing.")],
    scope: ScopeOption = "global",
    reason: Annotated[str, typer.Option("--reason", help="Why, for the record.")] = "manual",
    days: Annotated[
        int | None, typer.Option("--days", min=1, help="Expire after this many days.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Suppress an address, globally or for one sending domain.

    Example: `mailfleet suppression add ceo@client.example --reason "asked by phone"`
    """
    with reporting(as_json):
        app = state(ctx).app()
        entry, new = service.add_suppression(
            app.feedback_store(), app.clock, address, scope=scope, reason=reason, days=days
        )
    if as_json:
        print_json({"ok": True, "new": new, "suppression": entry.as_dict()})
    else:
        console.print(
            f"[green]✓[/] {entry.address} suppressed ({entry.scope})"
            + ("" if new else ", already was")
        )


@suppression_app.command("remove")
def remove_command(
    ctx: typer.Context,
    address: Annotated[str, typer.Argument(help="The address to allow again.")],
    scope: Annotated[str | None, typer.Option("--scope", help="Only this scope.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Lift the suppression of an address (every scope unless --scope is given).

    Example: `mailfleet suppression remove jane@client.example`
    """
    with reporting(as_json):
        removed = service.remove_suppression(
            state(ctx).app().feedback_store(), address, scope=scope
        )
    if as_json:
        print_json({"ok": True, "removed": removed})
    else:
        console.print(f"{removed} suppression{'s' if removed != 1 else ''} lifted for {address}")
    if removed == 0 and not as_json:
        raise typer.Exit(1)


@suppression_app.command("import")
def import_command(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(help="CSV as exported, or one address a line; - for stdin.")
    ],
    as_json: JsonOption = False,
) -> None:
    """Import suppressions; bad lines are reported by number, good ones imported anyway.

    Example: `mailfleet suppression import old-esp-unsubscribes.csv`
    """
    with reporting(as_json):
        text = sys.stdin.read() if str(file) == "-" else file.read_text("utf-8", errors="replace")
        app = state(ctx).app()
        result = service.import_csv(app.feedback_store(), app.clock, text)
    if as_json:
        print_json(result.as_dict())
    else:
        console.print(f"{result.added} added, {result.unchanged} already suppressed")
        for problem in result.problems:
            console.print(f"  [yellow]{problem}[/]", markup=True)
    if result.problems:
        raise typer.Exit(2)


@suppression_app.command("export")
def export_command(
    ctx: typer.Context,
    as_json: JsonOption = False,
) -> None:
    """Print every suppression as CSV (or JSON), ready for `import` elsewhere.

    Example: `mailfleet suppression export > suppressions.csv`
    """
    with reporting(as_json):
        app = state(ctx).app()
        if as_json:
            entries = service.list_suppressions(
                app.feedback_store(), app.clock, include_expired=True
            )
        else:
            text = service.export_csv(app.feedback_store())
    if as_json:
        print_json([e.as_dict() for e in entries])
    else:
        sys.stdout.write(text)


def register(app: typer.Typer) -> None:
    """Add ``mailfleet suppression`` to the root command."""
    app.add_typer(suppression_app, name="suppression")
