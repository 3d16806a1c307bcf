"""``mailfleet feedback``: read bounces and complaints the way the intake does."""

from __future__ import annotations

import json
import signal
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from mailfleet.cli.context import state
from mailfleet.cli.output import console, err_console, print_json, reporting
from mailfleet.core.errors import ConfigError
from mailfleet.core.feedback.intake import IntakeAddresses
from mailfleet.services import feedback as feedback_service
from mailfleet.services import feedback_imap as imap_service
from mailfleet.services import feedback_ingest as ingest_service
from mailfleet.services import suppression as suppression_service
from mailfleet.services.feedback_parallel import ParallelParser, default_workers

_PARALLEL_FROM = 200  # reports: below this, starting worker processes costs more than it saves
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]

feedback_app = typer.Typer(
    help="Bounces (RFC 3464 and non-standard), complaints (ARF, RFC 5965) and auto-replies.",
    no_args_is_help=True,
)


@feedback_app.command("parse")
def parse(
    files: Annotated[
        list[str], typer.Argument(help="Raw messages, one per file (.eml); - reads stdin.")
    ],
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON object per line per file, for scripts.")
    ] = False,
) -> None:
    """Parse and classify raw messages: kind, failed recipients, status and reason.

    Every file gets exactly one result, whatever it contains; an unreadable file is reported
    as kind "other" (and named on stderr).

    Example: `mailfleet feedback parse bounces/*.eml --json | jq -c .recipients`
    """
    stdin = sys.stdin.buffer.read() if "-" in files else None
    table = Table()
    for column in ("file", "kind", "recipient", "status", "code", "permanent", "reason"):
        table.add_column(column, overflow="fold")
    for parsed in feedback_service.parse_files(files, stdin=stdin):
        if parsed.error:
            err_console.print(f"{parsed.file}: cannot read: {parsed.error}", markup=False)
        if as_json:
            line = json.dumps(parsed.report.as_dict(parsed.file), ensure_ascii=False)
            # Bytes, so that neither the locale's encoding nor a stray surrogate can fail.
            sys.stdout.buffer.write(line.encode("utf-8", "replace") + b"\n")
            sys.stdout.buffer.flush()
            continue
        report = parsed.report
        rows = report.recipients or ()
        if not rows:
            table.add_row(parsed.file, report.kind.value, "-", "", "", "", "")
        for r in rows:
            table.add_row(
                parsed.file,
                report.kind.value + (f" ({report.feedback_type})" if report.feedback_type else ""),
                r.address,
                r.status or "",
                r.smtp_code or "",
                "yes" if r.permanent else "no",
                r.reason.value,
            )
    if not as_json:
        console.print(table)


@feedback_app.command("ingest")
def ingest(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(help="Raw reports (.eml), one message a file.")],
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=0,
            help="Processes that parse the reports (0: one per CPU, when there are many).",
        ),
    ] = 0,
    as_json: JsonOption = False,
) -> None:
    """Apply reports as the intake would: store their events, suppress hard bounces and
    complaints at once, soft bounces after repeated failures.

    Example: `mailfleet feedback ingest --workers 4 exported-bounces/*.eml`
    """
    with reporting(as_json):
        app = state(ctx).app()
        store, key, lookup = app.feedback_store(), app.verp_key(), app.sent_lookup()
        raws = [path.read_bytes() for path in files]
        # One transaction for the lot: many files ingest several times faster. Parsing is the
        # bulk of the work, so a large lot is parsed in worker processes.
        count = workers or (default_workers() if len(raws) >= _PARALLEL_FROM else 1)
        with ParallelParser(count) as parser:
            done = ingest_service.ingest_batch(
                raws,
                store=store,
                clock=app.clock,
                verp_key=key,
                source="file",
                lookup=lookup,
                parser=parser,
            )
        results = [(str(path), result) for path, result in zip(files, done, strict=True)]
    if as_json:
        print_json(
            [
                {
                    "file": name,
                    "kind": r.report.kind.value,
                    "events": len(r.events),
                    "suppressed": [s.address for s in r.suppressed],
                    "ignored": r.ignored,
                }
                for name, r in results
            ]
        )
        return
    for name, r in results:
        suppressed = ", ".join(s.address for s in r.suppressed) or "nobody"
        note = f" ({r.ignored})" if r.ignored else ""
        console.print(
            f"{name}: {r.report.kind.value}, {len(r.events)} events, suppressed {suppressed}{note}",
            markup=False,
        )


@feedback_app.command("poll-imap")
def poll_imap(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host", help="IMAP server.")],
    user: Annotated[str, typer.Option("--user", help="Login of the bounce mailbox.")],
    password_ref: Annotated[
        str, typer.Option("--password-ref", help="Where the password is: env:NAME or file:PATH.")
    ],
    port: Annotated[int, typer.Option("--port", help="IMAP port.")] = 993,
    folder: Annotated[str, typer.Option("--folder", help="Folder to read.")] = "INBOX",
    move_to: Annotated[
        str | None,
        typer.Option("--move-to", help="Move processed messages here (default: flag seen)."),
    ] = None,
    use_ssl: Annotated[
        bool, typer.Option("--ssl/--no-ssl", help="Implicit TLS (port 993) or plain IMAP.")
    ] = True,
    once: Annotated[bool, typer.Option("--once", help="Poll once and exit.")] = False,
    interval: Annotated[int, typer.Option("--interval", min=5, help="Seconds between polls.")] = 60,
    as_json: JsonOption = False,
) -> None:
    """Read unseen bounces and complaints from an IMAP mailbox, apply them as the intake
    would, and flag them seen (or move them). Without --once it polls until stopped.

    Example: `BOUNCE_PW=... mailfleet feedback poll-imap --host imap.example.com
    --user bounces@example.com --password-ref env:BOUNCE_PW --move-to Processed --once`
    """
    import time

    while True:
        with reporting(as_json):
            app = state(ctx).app()
            mailbox = app.bounce_mailbox(
                host, port, user, password_ref, folder=folder, move_to=move_to, use_ssl=use_ssl
            )
            try:
                result = imap_service.poll_mailbox(
                    mailbox,
                    store=app.feedback_store(),
                    clock=app.clock,
                    verp_key=app.verp_key(),
                    lookup=app.sent_lookup(),
                )
            finally:
                mailbox.close()
        if as_json:
            print_json(result.as_dict())
        else:
            console.print(
                f"{result.fetched} messages: {result.bounces} bounces, {result.complaints} "
                f"complaints, {result.ignored} ignored; {result.events} events; suppressed "
                f"{', '.join(result.suppressed) or 'nobody'}",
                markup=False,
            )
        if once:
            return
        time.sleep(interval)


@feedback_app.command("rates")
def rates(
    ctx: typer.Context,
    days: Annotated[int, typer.Option("--days", min=1, help="Window, in days.")] = 7,
    as_json: JsonOption = False,
) -> None:
    """Per-sending-domain feedback per day over the window: deliveries, deferrals, bounces,
    hard bounces and complaints (what the warmup gate and the alerts read).

    Example: `mailfleet feedback rates --days 30 --json`
    """
    with reporting(as_json):
        app = state(ctx).app()
        counts = suppression_service.domain_daily_counts(app.feedback_store(), app.clock, days=days)
    if as_json:
        print_json([c.as_dict() for c in counts])
        return
    table = Table("day", "domain", "deliveries", "deferrals", "bounces", "hard", "complaints")
    for c in counts:
        table.add_row(
            c.day.isoformat(),
            c.domain or "-",
            str(c.deliveries),
            str(c.deferrals),
            str(c.bounces),
            str(c.hard_bounces),
            str(c.complaints),
        )
    console.print(table)


@feedback_app.command("serve")
def serve(
    ctx: typer.Context,
    bounce_domain: Annotated[
        list[str] | None,
        typer.Option(
            "--bounce-domain",
            help="Domain of the VERP return paths (default: the feedback_bounce_domains setting).",
        ),
    ] = None,
    fbl_address: Annotated[
        list[str] | None,
        typer.Option(
            "--fbl-address",
            help="A feedback-loop address to accept (default: feedback_fbl_addresses).",
        ),
    ] = None,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 2525,
    max_bytes: Annotated[
        int | None,
        typer.Option("--max-bytes", help="Largest message accepted (default: feedback_max_bytes)."),
    ] = None,
) -> None:
    """Run the inbound SMTP intake for bounces and complaints until interrupted.

    Only `bounces+…@` addresses on the bounce domains and the feedback-loop addresses are
    accepted; every other recipient is refused, so it is never a relay. Point the bounce
    domain's MX (and your feedback loops) at it. VERP tokens are verified with the vault
    secret `verp/key` (made on first use; sending signs with the same key).

    The addresses and the size limit default to the settings `feedback_bounce_domains`,
    `feedback_fbl_addresses` and `feedback_max_bytes` (mailfleet.toml or MAILFLEET_*).

    Example: `mailfleet feedback serve --bounce-domain bounce.example.com --port 2525`
    """
    with reporting(False):
        settings = state(ctx).settings()
        domains = bounce_domain or list(settings.feedback_bounce_domains)
        fbl = fbl_address or list(settings.feedback_fbl_addresses)
        if not domains and not fbl:
            raise ConfigError(
                "no report addresses: give --bounce-domain (or --fbl-address), or set "
                "feedback_bounce_domains in the settings"
            )
        limit = max_bytes or settings.feedback_max_bytes
    # Block the stop signals before the server thread starts, so that they reach sigwait.
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    with reporting(False):
        app = state(ctx).app()
        intake = app.feedback_intake(
            IntakeAddresses.of(domains, fbl),
            host=host,
            port=port,
            max_bytes=limit,
        )
        intake.start()
    console.print(f"feedback intake listening on {host}:{intake.port}", markup=False)
    try:
        signal.sigwait({signal.SIGINT, signal.SIGTERM})
    finally:
        intake.stop()


def register(app: typer.Typer) -> None:
    """Add ``mailfleet feedback`` to the root command."""
    app.add_typer(feedback_app, name="feedback")
