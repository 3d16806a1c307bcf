"""``mailfleet db``: schema migrations."""

from __future__ import annotations

from typing import Annotated

import typer

from mailfleet.cli.context import state
from mailfleet.cli.output import console, print_json, reporting

db_app = typer.Typer(
    help="Database schema: upgrade it, or show where it stands.", no_args_is_help=True
)
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


@db_app.command()
def upgrade(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Migrate the database to the code's schema (automatic on the embedded SQLite default).

    Run it once per release on PostgreSQL, before starting workers.
    """
    with reporting(as_json):
        schema = state(ctx).app().schema_state(upgrade=True)
    if as_json:
        print_json(
            {
                "ok": True,
                "database": schema.database,
                "before": sorted(schema.before),
                "after": sorted(schema.after),
            }
        )
    elif schema.before == schema.after:
        console.print(f"[green]✓[/] {schema.database} is already current")
    else:
        console.print(
            f"[green]✓[/] {schema.database} upgraded to {', '.join(sorted(schema.after))}"
        )


@db_app.command()
def current(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Show the database's schema revisions and whether they are current."""
    with reporting(as_json):
        schema = state(ctx).app().schema_state(upgrade=False)
    up_to_date = schema.after == schema.heads
    if as_json:
        print_json(
            {
                "database": schema.database,
                "current": sorted(schema.after),
                "heads": sorted(schema.heads),
                "up_to_date": up_to_date,
            }
        )
    else:
        mark = (
            "[green]current[/]" if up_to_date else "[yellow]behind: run 'mailfleet db upgrade'[/]"
        )
        console.print(f"{schema.database}: {', '.join(sorted(schema.after)) or 'empty'} ({mark})")


def register(app: typer.Typer) -> None:
    """Add ``db`` to the root app."""
    app.add_typer(db_app, name="db")
