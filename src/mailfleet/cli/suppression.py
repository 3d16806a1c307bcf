"""``mailfleet suppression``: the addresses mailfleet will not send to."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from mailfleet.cli.context import state
from mailfleet.cli.output import console, print_json, reporting
from mailfleet.core.feedback.ports import RelaySuppressionList
from mailfleet.core.feedback.relay_suppression import Direction
from mailfleet.services import suppression as service
from mailfleet.services.feedback_relay_sync import sync_suppressions

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


class SyncRelay(StrEnum):
    """Relays whose own suppression list can be synchronised."""

    SES = "ses"
    MAILGUN = "mailgun"


@suppression_app.command("sync")
def sync_command(
    ctx: typer.Context,
    relay_kind: Annotated[SyncRelay, typer.Option("--relay", help="ses or mailgun.")],
    direction: Annotated[
        Direction,
        typer.Option(
            "--direction",
            help="pull: the relay's list into ours; push: ours to the relay; both.",
        ),
    ] = Direction.BOTH,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be added; change nothing.")
    ] = False,
    ses_region: Annotated[str, typer.Option("--ses-region", help="SES region.")] = "us-east-1",
    ses_endpoint_url: Annotated[
        str | None,
        typer.Option("--ses-endpoint-url", help="An SES-compatible endpoint instead of AWS's."),
    ] = None,
    mailgun_domain: Annotated[
        str, typer.Option("--mailgun-domain", help="Mailgun sending domain.")
    ] = "",
    mailgun_vault_name: Annotated[
        str, typer.Option("--mailgun-key-secret", help="Vault name of the Mailgun API key.")
    ] = "mailgun/api-key",
    mailgun_eu: Annotated[bool, typer.Option("--mailgun-eu", help="Use the EU region.")] = False,
    mailgun_base_url: Annotated[
        str | None,
        typer.Option("--mailgun-base-url", help="A Mailgun-compatible API root instead."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Synchronise the suppression list with the relay's own: SES's account-level list, or
    a Mailgun domain's bounces, complaints and unsubscribes. Nothing is removed on either
    side, so running it again changes nothing.

    Example: `mailfleet suppression sync --relay ses --ses-region eu-west-1 --dry-run`
    or `mailfleet suppression sync --relay mailgun --mailgun-domain mg.acme-mail.com`.
    """
    # Imported here: botocore and httpx are not needed by the other suppression commands.
    from mailfleet.adapters.feedback.mailgun_suppression import (
        EU_BASE_URL,
        US_BASE_URL,
        MailgunSuppressionList,
    )
    from mailfleet.adapters.feedback.ses_suppression import ses_suppression_list

    with reporting(as_json):
        app = state(ctx).app()
        relay: RelaySuppressionList
        if relay_kind is SyncRelay.SES:
            relay = ses_suppression_list(ses_region, endpoint_url=ses_endpoint_url)
        else:
            if not mailgun_domain:
                raise typer.BadParameter("--mailgun-domain is required with --relay mailgun")
            base = mailgun_base_url or (EU_BASE_URL if mailgun_eu else US_BASE_URL)
            relay = MailgunSuppressionList(
                mailgun_domain, app.vault().get(mailgun_vault_name), base_url=base
            )
        result = sync_suppressions(
            app.feedback_store(), relay, app.clock, direction=direction, dry_run=dry_run
        )
    if as_json:
        print_json(result.as_dict())
        return
    verb = "would add" if dry_run else "added"
    console.print(
        f"{result.relay}: {result.local} suppressed here, {result.remote} on the relay, "
        f"{result.in_step} on both"
    )
    console.print(f"  {verb} here: {len(result.pulled)}", markup=False)
    for entry in result.pulled:
        console.print(f"    {entry.address} ({entry.scope}, {entry.reason})", markup=False)
    console.print(f"  {verb} on the relay: {len(result.pushed)}", markup=False)
    for remote in result.pushed:
        console.print(f"    {remote.address} ({remote.kind.value})", markup=False)


def register(app: typer.Typer) -> None:
    """Add ``mailfleet suppression`` to the root command."""
    app.add_typer(suppression_app, name="suppression")
