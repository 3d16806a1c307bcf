"""``mailfleet feedback``: read bounces and complaints the way the intake does."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.table import Table

from mailfleet.cli.output import console, err_console
from mailfleet.services import feedback as feedback_service

feedback_app = typer.Typer(
    help="Bounces (RFC 3464 and non-standard), complaints (ARF, RFC 5965) and auto-replies.",
    no_args_is_help=True,
)


@feedback_app.command("parse")
def parse(
    files: Annotated[
        list[str], typer.Argument(help="Raw messages (.eml, mbox-free RFC 5322); - for stdin.")
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


def register(app: typer.Typer) -> None:
    """Add ``mailfleet feedback`` to the root command."""
    app.add_typer(feedback_app, name="feedback")
