"""``mailfleet dns plan|apply|verify|status``: authentication records, written and checked."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from mailfleet.cli.context import spec_path, state
from mailfleet.cli.output import (
    EXIT_BAD_INPUT,
    EXIT_FAILED,
    console,
    err_console,
    print_json,
    reporting,
)
from mailfleet.services import dkim_rotation, dns_verify
from mailfleet.services import dns as dns_service
from mailfleet.spec import load_fleet

dns_app = typer.Typer(
    help="DNS and email authentication: MX, SPF, DKIM, DMARC and return path for every "
    "domain, planned against the DNS provider, applied, then verified live.\n\n"
    "Typical run: `mailfleet dns plan`, `mailfleet dns apply`, `mailfleet dns verify`.",
    no_args_is_help=True,
)
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
SpecOption = Annotated[
    Path | None,
    typer.Option("--spec", "-f", help="The fleet spec. [default: fleet.yaml, or settings.spec]"),
]
TemplateOption = Annotated[
    Path | None,
    typer.Option("--template", help="A DNS template TOML. [default: the shipped policy/dns.toml]"),
]
DomainOption = Annotated[
    list[str] | None, typer.Option("--domain", "-d", help="Only this domain (repeatable).")
]
ResolverOption = Annotated[
    str | None,
    typer.Option(
        "--resolver",
        help="DNS server to check with, host[:port]. [default: the DNS provider's 'resolver' "
        "setting, else the system resolver]",
    ),
]
FlattenOption = Annotated[
    bool,
    typer.Option(
        "--flatten", help="Publish a flattened SPF where the include chain is over budget."
    ),
]


def _plan_table(plan: dns_service.FleetDnsPlan) -> None:
    table = Table(title="DNS plan")
    for column in ("domain", "provider", "change", "record", "values"):
        table.add_column(column)
    for domain in plan.domains:
        for change in domain.plan.changes if domain.plan else ():
            values = change.after.values if change.after else ()
            shown = "; ".join(v if len(v) < 70 else v[:67] + "..." for v in values)
            table.add_row(
                domain.domain, domain.provider, str(change.kind), change.record.label(), shown
            )
    console.print(table)
    for domain in plan.domains:
        for problem in domain.problems:
            err_console.print(f"[yellow]{domain.domain}:[/] {problem}")
        if domain.flattened_spf:
            console.print(
                f"[cyan]{domain.domain}: flattened SPF offered:[/] {domain.flattened_spf}"
            )
    totals = plan.totals()
    console.print(
        f"{totals['create']} to create, {totals['update']} to update, {totals['delete']} to delete"
    )
    if not plan.safety.safe:
        err_console.print("[bold red]unsafe:[/] " + "; ".join(plan.safety.reasons))


@dns_app.command()
def plan(
    ctx: typer.Context,
    spec: SpecOption = None,
    template: TemplateOption = None,
    domain: DomainOption = None,
    resolver: ResolverOption = None,
    flatten: FlattenOption = False,
    as_json: JsonOption = False,
) -> None:
    """Show, per domain, the records to create, update and delete. Writes nothing to DNS.

    Missing DKIM keys are generated into the vault now, so the plan shows their records.
    Records mailfleet does not own are never shown or touched.

    Example: `mailfleet dns plan -d acme.example --json`
    """
    with reporting(as_json):
        fleet = load_fleet(spec_path(ctx, spec))
        app = state(ctx).app()
        result = dns_service.plan_dns(
            fleet,
            app.dns_template(template),
            app.vault(),
            lambda name: app.dns_provider(fleet, name),
            resolver=app.dns_budget_resolver(fleet, resolver),
            only=domain or (),
            flatten=flatten,
        )
    if as_json:
        print_json({"ok": True, **result.as_dict()})
    else:
        _plan_table(result)


@dns_app.command()
def apply(
    ctx: typer.Context,
    spec: SpecOption = None,
    template: TemplateOption = None,
    domain: DomainOption = None,
    resolver: ResolverOption = None,
    flatten: FlattenOption = False,
    force: Annotated[
        bool, typer.Option("--force", help="Apply even when the plan changes too much.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Write the plan through each domain's DNS provider; a second run changes nothing.

    A plan that rewrites more than 30 % of existing records (or deletes more than 10) is
    refused unless --force. A zone whose provider fails is reported and the others go on;
    run apply again to resume from the provider's real state.

    Example: `mailfleet dns apply && mailfleet dns verify`
    """
    with reporting(as_json):
        fleet = load_fleet(spec_path(ctx, spec))
        app = state(ctx).app()
        report = dns_service.apply_dns(
            fleet,
            app.dns_template(template),
            app.vault(),
            lambda name: app.dns_provider(fleet, name),
            resolver=app.dns_budget_resolver(fleet, resolver),
            force=force,
            only=domain or (),
            flatten=flatten,
            journal=app.dns_journal(),
            clock=app.clock,
        )
    if as_json:
        print_json(report.as_dict())
    else:
        _render_apply(report)
    if not report.ok:
        raise typer.Exit(EXIT_FAILED)


def _render_apply(report: dns_service.ApplyReport) -> None:
    if report.refused:
        err_console.print(
            "[bold red]refused:[/] " + "; ".join(report.plan.safety.reasons) + " (use --force)"
        )
        return
    counts: dict[str, int] = {}
    for result in report.results:
        counts[result.outcome] = counts.get(result.outcome, 0) + 1
        if result.error:
            err_console.print(f"[red]{result.domain}:[/] {result.error}", markup=True)
    console.print(", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items())))


@dns_app.command()
def verify(
    ctx: typer.Context,
    spec: SpecOption = None,
    template: TemplateOption = None,
    domain: DomainOption = None,
    resolver: ResolverOption = None,
    as_json: JsonOption = False,
) -> None:
    """Resolve every domain's records and check them; store the results (exit 1 on failure).

    Checks: each record present and equal; SPF parses, stays within 10 lookups / 2 void,
    passes for each sending IP and not for others; DKIM keys match the vault and are >= 2048
    bits (RSA); DMARC is valid RFC 9989; MX and return path resolve.

    Example: `mailfleet dns verify --resolver 127.0.0.1:5354 --json`
    """
    with reporting(as_json):
        fleet = load_fleet(spec_path(ctx, spec))
        app = state(ctx).app()
        dns_resolver = app.dns_resolver(fleet, resolver)
        report = dns_verify.verify_dns(
            fleet,
            app.dns_template(template),
            app.vault(),
            dns_resolver,
            app.spf_oracle,
            app.dns_check_store(),
            app.clock,
            only=domain or (),
        )
    if as_json:
        print_json(report.as_dict())
    else:
        table = Table(title="DNS verification")
        for column in ("domain", "result", "failed checks"):
            table.add_column(column)
        for result in report.domains:
            failed = "; ".join(f"{c.name} ({c.detail})" for c in result.failures())
            table.add_row(
                result.domain, "[green]ok[/]" if result.ok else "[red]FAIL[/]", failed or "-"
            )
        console.print(table)
        console.print(f"Authentication coverage: {report.coverage:.1f} %")
    if not all(d.ok for d in report.domains):
        raise typer.Exit(EXIT_FAILED)


@dns_app.command()
def status(ctx: typer.Context, spec: SpecOption = None, as_json: JsonOption = False) -> None:
    """Authentication coverage from the last stored verification of each domain.

    Example: `mailfleet dns status`
    """
    with reporting(as_json):
        fleet = load_fleet(spec_path(ctx, spec))
        store = state(ctx).app().dns_check_store()
        latest = store.latest()
        percent = dns_verify.dns_coverage(fleet, store)
    rows = [
        {
            "domain": d.name,
            "verified": latest[d.name].ok if d.name in latest else None,
            "checked_at": latest[d.name].checked_at if d.name in latest else None,
        }
        for d in fleet.domains
    ]
    if as_json:
        print_json({"ok": True, "coverage_percent": round(percent, 2), "domains": rows})
        return
    table = Table(title="DNS authentication")
    for column in ("domain", "verified", "checked at"):
        table.add_column(column)
    for row in rows:
        verified = {True: "[green]yes[/]", False: "[red]no[/]", None: "[yellow]never[/]"}
        table.add_row(str(row["domain"]), verified[row["verified"]], str(row["checked_at"] or "-"))  # type: ignore[index]
    console.print(table)
    console.print(f"Authentication coverage: {percent:.1f} %")


dkim_app = typer.Typer(
    help="DKIM keys: rotation across the two published selectors, one step at a time.",
    no_args_is_help=True,
)


@dkim_app.command()
def rotate(
    ctx: typer.Context,
    domain: Annotated[str | None, typer.Argument(help="The domain to rotate.")] = None,
    all_domains: Annotated[bool, typer.Option("--all", help="Every domain of the fleet.")] = False,
    resume_only: Annotated[
        bool,
        typer.Option("--resume-only", help="Advance rotations in progress; start none."),
    ] = False,
    grace_days: Annotated[
        float, typer.Option("--grace-days", help="Keep the old key published this long.")
    ] = 7.0,
    spec: SpecOption = None,
    template: TemplateOption = None,
    resolver: ResolverOption = None,
    as_json: JsonOption = False,
) -> None:
    """Rotate DKIM keys: publish a new key on the standby selector, check it resolves, switch
    signing after the TTL, retire the old key after the grace period.

    Each run does what is due and stops at a wait; run it again later (or from a schedule)
    to continue. State is stored, so an interrupted rotation resumes where it stopped, and
    signing never uses a key that has not been seen resolving.

    Example: `mailfleet dkim rotate acme.example`, later `mailfleet dkim rotate --all --resume-only`
    """
    if (domain is None) == (not all_domains):
        err_console.print("[bold red]error:[/] give one DOMAIN or --all")
        raise typer.Exit(EXIT_BAD_INPUT)
    with reporting(as_json):
        fleet = load_fleet(spec_path(ctx, spec))
        app = state(ctx).app()
        names = [d.name for d in fleet.domains] if all_domains else [str(domain)]
        outcomes = dkim_rotation.rotate_dkim(
            fleet,
            app.dns_template(template),
            app.vault(),
            lambda name: app.dns_provider(fleet, name),
            app.dns_resolver(fleet, resolver),
            app.dkim_rotation_store(),
            app.clock,
            names,
            start=not resume_only,
            grace=timedelta(days=grace_days),
        )
    if as_json:
        print_json({"ok": True, "domains": [o.as_dict() for o in outcomes]})
        return
    table = Table(title="DKIM rotation")
    for column in ("domain", "signing", "phase", "done now", "waiting for", "detail"):
        table.add_column(column)
    for o in outcomes:
        table.add_row(
            o.domain,
            o.state.active,
            str(o.state.phase),
            ", ".join(o.steps) or "-",
            str(o.waiting),
            o.detail or "-",
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add ``mailfleet dns`` and ``mailfleet dkim`` to the root app."""
    app.add_typer(dns_app, name="dns")
    app.add_typer(dkim_app, name="dkim")
