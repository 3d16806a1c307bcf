"""``mailfleet vault``: secrets at rest. Values go in; they never come back out here."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.table import Table

from mailfleet.bootstrap import generate_master_key
from mailfleet.cli.context import state
from mailfleet.cli.output import console, print_json, reporting
from mailfleet.core.errors import VaultError
from mailfleet.core.secrets import Secret

vault_app = typer.Typer(
    help="Encrypted secrets (API keys, mailbox passwords, DKIM keys). Values are write-only.",
    no_args_is_help=True,
)
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


@vault_app.command("set")
def set_secret(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Secret name, e.g. provider/relay/password.")],
    source: Annotated[
        str | None,
        typer.Option("--from", help="Read the value from env:NAME or file:PATH instead of stdin."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Store a secret. The value comes from stdin (or a prompt), or from --from env:/file:.

    Example: `printf %s "$RELAY_PASSWORD" | mailfleet vault set provider/relay/password`
    """
    with reporting(as_json):
        app = state(ctx).app()
        if source is not None:
            value = app.resolve_secret(source)
        elif sys.stdin.isatty():
            value = Secret(typer.prompt("Value", hide_input=True))
        else:
            value = Secret(sys.stdin.read().rstrip("\n"))
        if not value:
            raise VaultError("refusing to store an empty secret")
        app.vault().put(name, value)
    if as_json:
        print_json({"ok": True, "name": name})
    else:
        console.print(f"[green]✓[/] stored {name}")


@vault_app.command("list")
def list_secrets(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """List stored secrets: names, key ids and update times. Never values."""
    with reporting(as_json):
        entries = state(ctx).app().vault().entries()
    if as_json:
        print_json([{"name": n, "key_id": k, "updated_at": u} for n, k, u in entries])
        return
    table = Table(title=f"{len(entries)} secrets")
    for column in ("name", "key id", "updated"):
        table.add_column(column)
    for name, key, updated in entries:
        table.add_row(name, key, f"{updated:%Y-%m-%d %H:%M}")
    console.print(table)


@vault_app.command("delete")
def delete_secret(ctx: typer.Context, name: str, as_json: JsonOption = False) -> None:
    """Remove a secret."""
    with reporting(as_json):
        removed = state(ctx).app().vault().delete(name)
    if as_json:
        print_json({"ok": True, "removed": removed})
    else:
        console.print(f"[green]✓[/] removed {name}" if removed else f"no secret named {name}")


@vault_app.command("rotate-key")
def rotate_key(
    ctx: typer.Context,
    new_key_ref: Annotated[
        str | None,
        typer.Option(
            "--new-key",
            help="The new key as env:NAME or file:PATH (needed when the "
            "master key comes from the environment; otherwise one is generated).",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Re-encrypt every secret under a new master key, safely against interruption."""
    with reporting(as_json):
        result = state(ctx).app().rotate_master_key(new_key_ref)
    if as_json:
        print_json(
            {
                "ok": True,
                "resealed": result.resealed,
                "old_key_id": result.old_key_id,
                "new_key_id": result.new_key_id,
            }
        )
    else:
        console.print(
            f"[green]✓[/] resealed {result.resealed} secrets: key "
            f"{result.old_key_id} → {result.new_key_id}; {result.note}"
        )


@vault_app.command("generate-key")
def generate_key() -> None:
    """Print a new random master key (base64), for MAILFLEET_MASTER_KEY=env:NAME setups."""
    sys.stdout.write(generate_master_key() + "\n")


def register(app: typer.Typer) -> None:
    """Add ``vault`` to the root app."""
    app.add_typer(vault_app, name="vault")
