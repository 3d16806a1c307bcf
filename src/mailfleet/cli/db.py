"""``mailfleet db``: schema migrations."""

from __future__ import annotations

from typing import Annotated

import typer

from mailfleet.adapters.db import migrate
from mailfleet.cli.context import state
from mailfleet.cli.output import console, print_json, reporting

db_app = typer.Typer(
    help="Database schema: upgrade it, or show where it stands.", no_args_is_help=True
)
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


@db_app.command()
def upgrade(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Migrate the database to the code's schema (automatic on the embedded SQLite default)."""
    with reporting(as_json):
        database = state(ctx).app().raw_database()
        before, after = migrate.upgrade(database.engine)
        where = database.describe()
        database.dispose()
    if as_json:
        print_json(
            {"ok": True, "database": where, "before": sorted(before), "after": sorted(after)}
        )
    elif before == after:
        console.print(f"[green]✓[/] {where} is already current ({', '.join(sorted(after))})")
    else:
        console.print(f"[green]✓[/] {where} upgraded to {', '.join(sorted(after))}")


@db_app.command()
def current(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Show the database's schema revision and whether it is current."""
    with reporting(as_json):
        database = state(ctx).app().raw_database()
        now = migrate.current_revisions(database.engine)
        heads = migrate.head_revisions()
        where = database.describe()
        database.dispose()
    if as_json:
        print_json(
            {
                "database": where,
                "current": sorted(now),
                "heads": sorted(heads),
                "up_to_date": now == heads,
            }
        )
    else:
        mark = (
            "[green]current[/]" if now == heads else "[yellow]behind: run 'mailfleet db upgrade'[/]"
        )
        console.print(f"{where}: {', '.join(sorted(now)) or 'empty'} ({mark})")


def register(app: typer.Typer) -> None:
    """Add ``db`` to the root app."""
    app.add_typer(db_app, name="db")
