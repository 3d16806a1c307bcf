"""The root ``mailfleet`` command: global options, and the registry of command modules.

Each capability adds a module with a ``register(app)`` function and one line to ``MODULES``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mailfleet import __version__
from mailfleet.cli import (
    db,
    demo,
    dmarc,
    dns,
    feedback,
    fleet,
    mailboxes,
    report,
    reputation,
    sending,
    simulate,
    suppression,
    vault,
    warmup,
    web,
)
from mailfleet.cli.context import CliState

# Order is the order of `mailfleet --help`: set-up first, then the fleet's life cycle.
MODULES = (
    demo,
    fleet,
    db,
    vault,
    dns,
    mailboxes,
    warmup,
    simulate,
    sending,
    feedback,
    suppression,
    reputation,
    dmarc,
    report,
    web,
)


app = typer.Typer(
    name="mailfleet",
    help="Outbound email infrastructure as code: domains, DNS authentication, mailboxes, "
    "warmup, sending and monitoring from one spec.\n\n"
    "New here? `mailfleet demo` runs the whole thing on this machine. For your own fleet, "
    "start with `mailfleet init`, then `validate`, `sync` and `status`.",
    no_args_is_help=True,
    rich_markup_mode="markdown",
    pretty_exceptions_show_locals=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"mailfleet {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            "-c",
            envvar="MAILFLEET_CONFIG",
            help="Settings file (TOML). [default: ./mailfleet.toml if present]",
        ),
    ] = None,
    data_dir: Annotated[
        Path | None,
        typer.Option(
            "--data-dir", help="State folder (SQLite file, key file). [default: .mailfleet]"
        ),
    ] = None,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url",
            help="SQLAlchemy URL, e.g. "
            "postgresql+psycopg://user@host/db. [default: SQLite in the data folder]",
        ),
    ] = None,
    version: Annotated[
        bool | None,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = None,
) -> None:
    """Global options apply to every command."""
    cli_state = CliState(
        config=config, overrides={"data_dir": data_dir, "database_url": database_url}
    )
    ctx.obj = cli_state
    ctx.call_on_close(cli_state.close)


for module in MODULES:
    module.register(app)


def main() -> None:
    """Console-script entry point."""
    app()
