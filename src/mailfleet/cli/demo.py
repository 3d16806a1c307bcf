"""``demo``: the whole case study, end to end, on loopback, with no account anywhere."""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from mailfleet.cli.output import EXIT_BAD_INPUT, console, err_console, print_json
from mailfleet.cli.report import rich_table
from mailfleet.core.errors import MailfleetError
from mailfleet.core.secrets import Secret

if TYPE_CHECKING:
    from mailfleet.demo.run import DayLine, DemoOutcome


def demo(
    directory: Annotated[
        Path, typer.Option("--dir", help="Folder for the demo's fleet, database and key.")
    ] = Path("demo"),
    days: Annotated[int, typer.Option("--days", min=1, max=120, help="Days to run.")] = 42,
    scenario: Annotated[
        str,
        typer.Option(
            "--scenario",
            help="default, complaint-spike (a pool domain is rotated out) or ip-listing.",
        ),
    ] = "default",
    speed: Annotated[
        float | None,
        typer.Option(
            "--speed",
            min=0,
            help="Simulated days per minute; 0 is as fast as the machine goes. "
            "[default: 10 with the dashboard, 0 headless]",
        ),
    ] = None,
    headless: Annotated[
        bool, typer.Option("--headless", help="No dashboard: run, print the results, exit.")
    ] = False,
    bind: Annotated[
        str, typer.Option("--bind", help="HOST:PORT for the dashboard (port 0: any free one).")
    ] = "127.0.0.1:8025",
    as_json: Annotated[bool, typer.Option("--json", help="Print the outcome as JSON.")] = False,
) -> None:
    """Run the case study end to end on this machine, in simulated time.

    A dozen domains in five segments get DNS (a real DNS server on loopback, verified over
    the wire) and 235 mailboxes, then warm up for six weeks: every day the warmup plan sets
    each domain's cap, the dispatcher signs the mail with DKIM and delivers it over SMTP to a
    local world of MX servers that accept, defer and bounce like Gmail, Microsoft and Yahoo,
    and send DSNs and ARF complaints back to mailfleet's intake. Blocklists are checked
    against a local DNSBL zone and alerts fire. Watch it on the dashboard (URL and login are
    printed), or use --headless for the summary and the case study's results table.

    The state stays in --dir: `cd demo && mailfleet report` (or `mailfleet status`, `mailfleet
    warmup status`) looks at it afterwards.

    Examples: `mailfleet demo`, `mailfleet demo --headless --scenario complaint-spike`
    """
    # Imported here: the demo pulls in the web app and the world, which other commands never need.
    from mailfleet.demo.run import Demo, DemoOptions

    web = not headless
    options = DemoOptions(
        directory=directory,
        days=days,
        scenario=scenario,
        speed=(10.0 if web else 0.0) if speed is None else speed,
        web=web,
        bind=bind,
    )
    quiet = as_json

    def say(text: str) -> None:
        if not quiet:
            console.print(text)

    def on_ready(url: str, user: str, password: Secret) -> None:
        if quiet:
            return
        console.print(
            f"\n[bold]Dashboard:[/] {url}\n  sign in as [bold]{user}[/] with password "
            f"[bold]{password.reveal()}[/] (made for this run; shown once)\n"
        )

    def keep_serving() -> None:
        if not quiet:
            console.print("\nThe run is over; the dashboard stays up. Ctrl-C stops it.")
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()

    try:
        runner = Demo(
            options,
            say=say,
            on_day=lambda line: _day(line, quiet),
            on_ready=on_ready,
            on_done=lambda outcome: None if quiet else _summary(outcome, directory),
        )
        say(f"[bold]Scenario {runner.scenario.name}:[/] {runner.scenario.description}")
        outcome = runner.run(keep_serving=keep_serving if web else None)
    except MailfleetError as exc:
        if as_json:
            print_json({"ok": False, "error": str(exc)})
        else:
            err_console.print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except KeyboardInterrupt:
        err_console.print("Interrupted.")
        raise typer.Exit(130) from None
    if as_json:
        print_json({"ok": True, **outcome.as_dict()})


def _day(line: DayLine, quiet: bool) -> None:
    if quiet:
        return
    states = line.states
    sent = states.get("sent", 0)
    text = (
        f"day {line.index:2} {line.day:%a %d %b}: queued {line.queued:5,} sent {sent:5,} "
        f"bounced {states.get('bounced', 0):3} deferred {states.get('deferred', 0):3} "
        f"DSNs {line.dsns:3} ARF {line.complaints:2}"
    )
    console.print(text, highlight=False)
    for note in line.notes:
        console.print(f"        [yellow]{note}[/]", highlight=False)


def _summary(outcome: DemoOutcome, directory: Path) -> None:
    table = Table(title=f"{outcome.days} days, scenario {outcome.scenario}")
    for column in ("domain", "segment", "state", "week", "cap", "target", "live on day"):
        table.add_column(column, justify="right" if column in ("week", "cap", "target") else "left")
    for column in ("delivered", "bounce", "complaint"):
        table.add_column(column, justify="right")
    for d in outcome.domains:
        attempts = d.delivered + d.bounced
        table.add_row(
            d.domain,
            d.segment,
            d.state if d.state == "active" else f"[red]{d.state}[/]",
            str(d.week),
            f"{d.cap:,}",
            f"{d.target:,}",
            "-" if d.reached_target_day is None else str(d.reached_target_day),
            f"{d.delivered:,}",
            f"{d.bounced / attempts:.2%}" if attempts else "-",
            f"{d.complaints / d.delivered:.3%}" if d.delivered else "-",
        )
    console.print(table)
    if outcome.results is not None:
        console.print(rich_table(outcome.results))
    fired = [a for a in outcome.alerts if a.get("kind") == "fired"]
    console.print(
        f"Alerts fired: {len(fired)}; DNS coverage {outcome.dns_coverage:.0f} %; "
        f"{outcome.mailboxes} mailboxes provisioned in {outcome.provisioning_seconds:.1f} s; "
        f"wall time {outcome.wall_seconds:.0f} s."
    )
    if outcome.login is not None:
        user, password = outcome.login
        console.print(
            f"Look around: `cd {directory}`, then `mailfleet report`, `mailfleet warmup "
            f"status`, or `mailfleet serve` and sign in as {user} with password "
            f"{password.reveal()}.",
            highlight=False,
            markup=False,
        )


def register(app: typer.Typer) -> None:
    """Add ``demo`` to the root app."""
    app.command()(demo)
