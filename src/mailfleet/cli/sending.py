"""``send``, ``campaign import``, ``dispatch`` and ``queue``: putting mail on the queue and out."""

from __future__ import annotations

import asyncio
import ipaddress
import mimetypes
import os
import socket
import ssl
import time
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from mailfleet.adapters.sending.smtp_relay import SmtpRelayConfig, TlsMode
from mailfleet.cli.context import spec_path, state
from mailfleet.cli.output import EXIT_BAD_INPUT, console, err_console, print_json, reporting
from mailfleet.core.sending.attachments import MAX_ATTACHMENT_BYTES, AttachmentError
from mailfleet.core.sending.campaign import CampaignError, CampaignTemplate
from mailfleet.core.sending.model import Attachment, MessageDraft
from mailfleet.core.sending.ports import Relay
from mailfleet.services import sending as sending_service
from mailfleet.services.dispatcher import Dispatcher, DispatchReport, DispatchSettings
from mailfleet.spec import load_fleet

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
AtOption = Annotated[
    datetime | None,
    typer.Option("--at", help="Send no earlier than this time (ISO 8601, UTC if no offset)."),
]

campaign_app = typer.Typer(help="Bulk mail from a recipient list and a template.")
queue_app = typer.Typer(help="Look at the outbound queue.")
submission_app = typer.Typer(help="The SMTP submission endpoint for applications.")


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _bad_input(message: str, as_json: bool, problems: list[str] | None = None) -> typer.Exit:
    if as_json:
        print_json({"ok": False, "error": message, "problems": problems or []})
    else:
        err_console.print(f"[bold red]error:[/] {message}")
        for problem in problems or []:
            err_console.print(f"  {problem}", markup=False)
    return typer.Exit(EXIT_BAD_INPUT)


def send(
    ctx: typer.Context,
    sender: Annotated[str, typer.Option("--from", help="Sending mailbox address.")],
    to: Annotated[str, typer.Option("--to", help="Recipient address.")],
    subject: Annotated[str, typer.Option("--subject", help="Subject line.")],
    body_file: Annotated[Path, typer.Option("--body-file", help="Plain-text body (UTF-8).")],
    html_file: Annotated[
        Path | None, typer.Option("--html-file", help="Optional HTML alternative.")
    ] = None,
    transactional: Annotated[
        bool,
        typer.Option("--transactional", help="Not bulk: no List-Unsubscribe, no Feedback-ID."),
    ] = False,
    attach: Annotated[
        list[Path] | None,
        typer.Option("--attach", help="A file to attach; repeat for several (10 MiB in all)."),
    ] = None,
    at: AtOption = None,
    as_json: JsonOption = False,
) -> None:
    """Queue one message. It is stored before this returns; `mailfleet dispatch` sends it.

    Example: `mailfleet send --from alice@acme-mail.com --to bob@example.org
    --subject "Hello" --body-file hello.txt --attach report.pdf`
    """
    try:
        text = body_file.read_text(encoding="utf-8")
        html = html_file.read_text(encoding="utf-8") if html_file else ""
    except OSError as exc:
        raise _bad_input(f"cannot read the body: {exc}", as_json) from None
    attachments = _attachments(attach or [], as_json)
    if "@" not in sender or "@" not in to:
        raise _bad_input("--from and --to must be email addresses", as_json)
    draft = MessageDraft(
        sender=sender,
        recipient=to,
        subject=subject,
        text=text,
        html=html,
        bulk=not transactional,
        not_before=_utc(at),
        attachments=attachments,
    )
    with reporting(as_json):
        app = state(ctx).app()
        queue = app.message_queue()
        try:
            message = sending_service.queue_message(queue, app.clock, draft)
        except AttachmentError as exc:
            raise _bad_input("the attachments were refused", as_json, exc.problems) from None
    if as_json:
        print_json({"ok": True, "id": message})
    else:
        console.print(
            f"Queued message [bold]{message}[/]. Send it with [cyan]mailfleet dispatch[/]."
        )


def _attachments(paths: list[Path], as_json: bool) -> tuple[Attachment, ...]:
    """Read the files to attach, refusing before reading when they are too big together."""
    try:
        total = sum(path.stat().st_size for path in paths)
    except OSError as exc:
        raise _bad_input(f"cannot read an attachment: {exc}", as_json) from None
    if total > MAX_ATTACHMENT_BYTES:
        raise _bad_input(
            f"attachments total {total:,} bytes; the limit is {MAX_ATTACHMENT_BYTES:,}", as_json
        )
    found = []
    for path in paths:
        kind, encoding = mimetypes.guess_type(path.name)
        if kind is None or encoding is not None:  # e.g. .tar.gz: the bytes are gzip
            kind = "application/octet-stream" if encoding is None else f"application/{encoding}"
        try:
            found.append(Attachment(path.name, kind, path.read_bytes()))
        except OSError as exc:
            raise _bad_input(f"cannot read an attachment: {exc}", as_json) from None
    return tuple(found)


@campaign_app.command("import")
def import_campaign(
    ctx: typer.Context,
    recipients: Annotated[Path, typer.Argument(help="Recipients: .csv (header row) or .jsonl.")],
    subject: Annotated[str, typer.Option("--subject", help="Subject template, e.g. 'Hi $name'.")],
    body_file: Annotated[Path, typer.Option("--body-file", help="Text body template.")],
    html_file: Annotated[Path | None, typer.Option("--html-file", help="HTML template.")] = None,
    sender: Annotated[
        list[str] | None,
        typer.Option("--from", help="Sending mailbox; repeat to rotate over several."),
    ] = None,
    segment: Annotated[
        str, typer.Option("--segment", help="Segment: its mailboxes send, in rotation.")
    ] = "",
    name: Annotated[str, typer.Option("--name", help="Campaign name (Feedback-ID).")] = "",
    at: AtOption = None,
    as_json: JsonOption = False,
) -> None:
    """Queue one message per recipient, filling `$field` placeholders from each row.

    Every row needs an `email` field; other fields are free (`$first_name`, `$company`).
    Senders rotate round-robin across domains. Nothing is queued if any row has a problem.

    Example: `mailfleet campaign import leads.csv --segment pool-a --name spring
    --subject 'Hi $first_name' --body-file pitch.txt`
    """
    kind = "jsonl" if recipients.suffix.lower() in (".jsonl", ".ndjson") else "csv"
    try:
        text = recipients.read_text(encoding="utf-8")
        template = CampaignTemplate(
            subject,
            body_file.read_text(encoding="utf-8"),
            html_file.read_text(encoding="utf-8") if html_file else "",
        )
    except OSError as exc:
        raise _bad_input(f"cannot read an input file: {exc}", as_json) from None
    with reporting(as_json):
        app = state(ctx).app()
        senders = list(sender or [])
        if not senders and segment:
            senders = sending_service.segment_senders(app.fleet_store(), segment)
        try:
            queued = sending_service.import_campaign(
                app.message_queue(),
                app.clock,
                recipients_text=text,
                kind=kind,
                template=template,
                senders=senders,
                segment=segment,
                campaign=name,
                not_before=_utc(at),
            )
        except CampaignError as exc:
            raise _bad_input(str(exc).split(":")[0], as_json, exc.problems) from None
    if as_json:
        print_json({"ok": True, "queued": len(queued.ids), "senders": queued.senders})
    else:
        console.print(
            f"Queued [bold]{len(queued.ids)}[/] messages from {len(queued.senders)} mailboxes."
        )


class RelayKind(StrEnum):
    """Which relay ``dispatch`` sends through."""

    SMTP = "smtp"
    SES = "ses"
    MAILGUN = "mailgun"


def dispatch(
    ctx: typer.Context,
    relay_kind: Annotated[
        RelayKind, typer.Option("--relay", help="smtp (default), ses or mailgun.")
    ] = RelayKind.SMTP,
    relay_host: Annotated[str, typer.Option("--relay-host", help="SMTP relay host.")] = "127.0.0.1",
    relay_port: Annotated[int, typer.Option("--relay-port", help="SMTP relay port.")] = 587,
    tls: Annotated[TlsMode, typer.Option("--tls", help="none, starttls or implicit.")] = (
        TlsMode.STARTTLS
    ),
    username: Annotated[str, typer.Option("--username", help="SMTP AUTH user.")] = "",
    password_secret: Annotated[
        str, typer.Option("--password-secret", help="Vault name of the SMTP AUTH password.")
    ] = "",
    connections: Annotated[int, typer.Option("--connections", help="Pool size.")] = 8,
    batch: Annotated[int, typer.Option("--batch", help="Messages claimed per batch.")] = 200,
    lease_seconds: Annotated[
        float, typer.Option("--lease-seconds", help="How long a claim holds.")
    ] = 300.0,
    once: Annotated[
        bool, typer.Option("--once", help="Send everything due now, then exit.")
    ] = False,
    poll_seconds: Annotated[float, typer.Option("--poll", help="Idle wait between polls.")] = 5.0,
    allow_unsigned: Annotated[
        bool, typer.Option("--allow-unsigned", help="Send without DKIM when a domain has no key.")
    ] = False,
    unsubscribe_url: Annotated[
        str, typer.Option("--unsubscribe-url", help="One-click base URL (https://...).")
    ] = "",
    source_ip: Annotated[
        list[str] | None,
        typer.Option(
            "--source-ip",
            help="IP pool member as IP or IP=WEIGHT; repeat to spread mail over several.",
        ),
    ] = None,
    spec_pools: Annotated[
        bool,
        typer.Option(
            "--spec-pools",
            help="Send through each segment's pool from the spec: the domains' relay providers "
            "(kind smtp) bound to their sending IPs.",
        ),
    ] = False,
    ses_region: Annotated[str, typer.Option("--ses-region", help="SES region.")] = "us-east-1",
    mailgun_domain: Annotated[
        str, typer.Option("--mailgun-domain", help="Mailgun sending domain.")
    ] = "",
    mailgun_vault_name: Annotated[
        str, typer.Option("--mailgun-key-secret", help="Vault name of the Mailgun API key.")
    ] = "mailgun/api-key",
    mailgun_eu: Annotated[bool, typer.Option("--mailgun-eu", help="Use the EU region.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Send due messages: claim, check suppression and caps, sign DKIM, relay, record.

    Run several on PostgreSQL to share the work; each claims its own batches. When the
    spec file exists, each domain sends at most today's warmup cap (paced over its business
    hours, shared by every worker through Redis when `redis_url` is set); held mail waits,
    scheduled for when a cap has room again.

    Example: `mailfleet dispatch --relay-host smtp.relay.example --relay-port 587
    --username fleet --password-secret relay/password --once`

    Through an API: `mailfleet dispatch --relay ses --ses-region eu-west-1` or
    `mailfleet dispatch --relay mailgun --mailgun-domain mg.acme-mail.com`.

    Through the spec's IP pools: `mailfleet dispatch --spec-pools` (each message leaves from
    one of its own domain's `sending_ips`, chosen by weight within its segment).
    """
    worker = f"{socket.gethostname()}:{os.getpid()}"
    with reporting(as_json):
        app = state(ctx).app()
        path = spec_path(ctx, None)
        fleet = load_fleet(path) if path.exists() else None
        relay: Relay
        if spec_pools:
            if fleet is None:
                raise _bad_input(f"--spec-pools needs the fleet spec ({path} not found)", as_json)
            relay = app.segment_relay_pool(fleet, pool_size=connections)
        elif relay_kind is RelayKind.SES:
            relay = app.ses_relay(ses_region)
        elif relay_kind is RelayKind.MAILGUN:
            if not mailgun_domain:
                raise _bad_input("--relay mailgun needs --mailgun-domain", as_json)
            relay = app.mailgun_relay(mailgun_domain, mailgun_vault_name, eu=mailgun_eu)
        else:
            password = app.vault().get(password_secret) if password_secret else None
            config = SmtpRelayConfig(
                relay_host, relay_port, tls, username, password, pool_size=connections
            )
            sources = _ip_pool(source_ip or [], as_json)
            relay = app.smtp_ip_pool(config, sources) if sources else app.smtp_relay(config)
        settings = DispatchSettings(
            verp_key=app.verp_key(),
            batch_size=batch,
            lease_seconds=lease_seconds,
            concurrency=connections,
            unsubscribe_url=unsubscribe_url,
            require_dkim=not allow_unsigned,
        )
        dispatcher = app.shaped_dispatcher(relay, settings, worker, fleet)
        report = asyncio.run(_run(dispatcher, once, poll_seconds))
    if as_json:
        print_json({"ok": True, "worker": worker, "messages": report.claimed, **report.states})
    else:
        summary = ", ".join(f"{n} {s}" for s, n in sorted(report.states.items())) or "nothing due"
        console.print(f"Dispatched {report.claimed} messages: {summary}.")


def _ip_pool(values: list[str], as_json: bool) -> list[tuple[str, int]]:
    pool = []
    for value in values:
        address, _, weight = value.partition("=")
        try:
            ipaddress.ip_address(address)
            pool.append((address, int(weight) if weight else 1))
        except ValueError:
            raise _bad_input(f"--source-ip {value!r}: expected IP or IP=WEIGHT", as_json) from None
    return pool


async def _run(dispatcher: Dispatcher, once: bool, poll_seconds: float) -> DispatchReport:
    report = DispatchReport()
    try:
        while True:
            await dispatcher.drain(report)
            if once:
                return report
            await asyncio.sleep(poll_seconds)
    finally:
        await dispatcher.relay.close()


@queue_app.command("status")
def queue_status(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Messages on the outbound queue, per state.

    Example: `mailfleet queue status --json`
    """
    with reporting(as_json):
        counts = sending_service.queue_counts(state(ctx).app().message_queue())
    if as_json:
        print_json({s.value: n for s, n in counts.items()})
        return
    table = Table(title="outbound queue")
    table.add_column("state")
    table.add_column("messages", justify="right")
    for s, n in counts.items():
        table.add_row(s.value, f"{n:,}")
    console.print(table)


@submission_app.command("serve")
def submission_serve(
    ctx: typer.Context,
    cert: Annotated[Path, typer.Option("--cert", help="TLS certificate chain (PEM).")],
    key: Annotated[Path, typer.Option("--key", help="TLS private key (PEM).")],
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 587,
) -> None:
    """Accept mail from applications over SMTP (STARTTLS and AUTH required) into the queue.

    Users are vault secrets named `submission/<mailbox address>` holding the password:
    `mailfleet vault set submission/alice@acme-mail.com`. Stop with Ctrl-C.

    Example: `mailfleet submission serve --cert fullchain.pem --key privkey.pem --port 587`
    """
    with reporting(False):
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        try:
            tls.load_cert_chain(cert, key)
        except (OSError, ssl.SSLError) as exc:
            raise _bad_input(f"cannot load the TLS certificate or key: {exc}", False) from None
        controller = state(ctx).app().submission_controller(host, port, tls)
        controller.start()
        console.print(f"Submission endpoint on {host}:{port} (STARTTLS + AUTH). Ctrl-C stops it.")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
        finally:
            controller.stop()


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.command()(send)
    app.command()(dispatch)
    app.add_typer(campaign_app, name="campaign")
    app.add_typer(queue_app, name="queue")
    app.add_typer(submission_app, name="submission")
