"""The receiving world: SMTP servers that behave like mailbox providers, on loopback.

Each provider profile gets an aiosmtpd server on its own loopback address (127.0.0.11,
127.0.0.12, ...), all on one shared port, so a sender that delivers to MX hosts on a single
port (``MxRelay(port=world.port)``) reaches each provider at the address its MX host
resolves to. ``records()`` gives the MX and A records that say so.

What each server does, read from ``WorldRules`` at every message (the rules may change while
it runs):

- RCPT for a user that does not exist: refused with ``550 5.1.1`` by synchronous providers;
  accepted by asynchronous ones (``async_bounces``), which later mail an RFC 3464 DSN to the
  envelope sender (mailfleet's VERP return path).
- DATA over the provider's hourly limit for the sending domain (the From header's domain,
  per clock hour of the given ``Clock``): refused with the provider's deferral reply.
- Accepted mail: counted; a share of it, ``complaint_rate`` of the sending domain, is
  reported as spam with an RFC 5965 ARF report to the feedback-loop address. The share is
  applied with a carried remainder, not at random, so a rate of 0.1 complains about exactly
  every tenth message.

Reports go by SMTP to ``rules.report_to`` (the feedback intake) from background tasks,
retried until delivered; ``drain`` waits for all of them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import format_datetime, make_msgid, parseaddr
from ipaddress import IPv4Address
from typing import Any

import aiosmtplib
import dkim
from aiosmtpd.smtp import SMTP, Envelope, Session

from mailfleet.core.dns.ports import AnswerStatus, DnsResolver
from mailfleet.core.dns.records import Record, RecordType
from mailfleet.core.ports import Clock

log = logging.getLogger(__name__)

REPORT_RETRY_SECONDS = (0.1, 0.5, 1.0, 2.0)  # then every 2 s until delivered or stopped
REPORT_WORKERS = 4
RECORD_TTL = 300

UNKNOWN_USER = "550 5.1.1 The email account that you tried to reach does not exist"


@dataclass(frozen=True)
class ProviderProfile:
    """How one mailbox provider answers.

    ``deferral_reply`` and ``unknown_reply`` may hold ``{ip}``, replaced by the client's
    address. ``async_bounces`` providers accept unknown users and mail a DSN afterwards.
    """

    name: str
    domains: tuple[str, ...]
    async_bounces: bool
    deferral_reply: str
    unknown_reply: str = UNKNOWN_USER
    feedback_agent: str = ""  # ARF User-Agent; defaults to "<name>-fbl/1.0"

    @property
    def mx_host(self) -> str:
        """The MX host name of the first domain (every domain has ``mx.<domain>``)."""
        return f"mx.{self.domains[0]}"


def default_profiles(suffix: str = "demo.test") -> tuple[ProviderProfile, ...]:
    """gmail, microsoft, yahoo and other, at ``<name>.<suffix>``, with their real replies."""
    return (
        ProviderProfile(
            "gmail",
            (f"gmail.{suffix}",),
            async_bounces=False,
            deferral_reply=(
                "421 4.7.28 [{ip}] Our system has detected an unusual rate of unsolicited mail "
                "originating from your IP address. To protect our users from spam, mail sent "
                "from your IP address has been temporarily rate limited."
            ),
            unknown_reply=(
                "550 5.1.1 The email account that you tried to reach does not exist. Please "
                "try double-checking the recipient's email address for typos or unnecessary "
                "spaces."
            ),
        ),
        ProviderProfile(
            "microsoft",
            (f"microsoft.{suffix}",),
            async_bounces=False,
            deferral_reply=(
                "451 4.7.650 The mail server [{ip}] has been temporarily rate limited due to "
                "IP reputation."
            ),
            unknown_reply=(
                "550 5.1.1 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP "
                "address lookup"
            ),
        ),
        ProviderProfile(
            "yahoo",
            (f"yahoo.{suffix}",),
            async_bounces=True,
            deferral_reply=(
                "421 4.7.0 [TSS04] Messages from {ip} temporarily deferred due to unexpected "
                "volume or user complaints"
            ),
            unknown_reply="554 5.1.1 <{rcpt}>: Recipient address rejected: User unknown",
        ),
        ProviderProfile(
            "other",
            (f"other.{suffix}",),
            async_bounces=False,
            deferral_reply="451 4.7.1 Try again later",
            unknown_reply="550 5.1.1 <{rcpt}>: Recipient address rejected: User unknown",
        ),
    )


def _everyone(_address: str) -> bool:
    return True


@dataclass
class WorldRules:
    """What the providers do, changed by the caller between simulated days.

    ``known`` says whether a recipient exists; ``complaint_rate`` maps a sending domain to
    the share of its accepted mail that is reported as spam; ``hourly_limit`` maps a
    provider to the messages per sending domain per clock hour it accepts before deferring
    (missing: unlimited); ``report_to`` is the feedback intake's (host, port);
    ``fbl_address`` the recipient of ARF reports.
    """

    known: Callable[[str], bool] = _everyone
    complaint_rate: dict[str, float] = field(default_factory=dict)
    hourly_limit: dict[str, int] = field(default_factory=dict)
    report_to: tuple[str, int] = ("127.0.0.1", 2525)
    fbl_address: str = "fbl@mailfleet.test"


@dataclass
class ProviderStats:
    """What one provider did with the mail it was offered (counts of recipients)."""

    accepted: int = 0
    rejected_unknown: int = 0
    deferred: int = 0
    dsn_sent: int = 0
    arf_sent: int = 0
    accepted_by_domain: dict[str, int] = field(default_factory=dict)
    reports_refused: int = 0  # DSNs and ARFs the intake refused for good (dropped)
    dkim_pass: int = 0  # sampled messages whose first DKIM signature verified
    dkim_fail: int = 0  # sampled messages unsigned or whose signature did not verify

    def copy(self) -> ProviderStats:
        """A snapshot that later messages do not change."""
        return ProviderStats(
            self.accepted,
            self.rejected_unknown,
            self.deferred,
            self.dsn_sent,
            self.arf_sent,
            dict(self.accepted_by_domain),
            self.reports_refused,
            self.dkim_pass,
            self.dkim_fail,
        )


@dataclass(frozen=True, slots=True)
class _Report:
    provider: str
    kind: str  # "dsn" or "arf"
    sender: str
    recipient: str
    data: bytes


def _domain(address: str) -> str:
    return address.rpartition("@")[2].strip().strip(">").lower().rstrip(".")


def _header_block(raw: bytes) -> bytes:
    """The header section of a message, CRLF-terminated lines."""
    for separator in (b"\r\n\r\n", b"\n\n"):
        end = raw.find(separator)
        if end >= 0:
            raw = raw[:end]
            break
    lines = raw.replace(b"\r\n", b"\n").split(b"\n")
    return b"".join(line + b"\r\n" for line in lines)


def _crlf(raw: bytes) -> bytes:
    return raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def _boundary(message_id: str) -> str:
    return "=_report_" + "".join(c for c in message_id if c.isalnum())[:40]


def build_dsn(
    *,
    reporting_mta: str,
    recipient: str,
    return_path: str,
    diagnostic: str,
    original: bytes,
    arrival: datetime,
    now: datetime,
) -> bytes:
    """An RFC 3464 DSN (multipart/report; report-type=delivery-status, RFC 6522) saying
    delivery to ``recipient`` failed permanently, with the original's headers attached as
    text/rfc822-headers. ``diagnostic`` is the SMTP reply the failure amounts to."""
    message_id = make_msgid(domain=reporting_mta)
    boundary = _boundary(message_id)
    status = diagnostic.split(" ")[1] if diagnostic.count(" ") >= 1 else "5.0.0"
    head = (
        f"From: Mail Delivery Subsystem <mailer-daemon@{reporting_mta}>\r\n"
        f"To: <{return_path}>\r\n"
        "Subject: Delivery Status Notification (Failure)\r\n"
        f"Date: {format_datetime(now)}\r\n"
        f"Message-ID: {message_id}\r\n"
        "Auto-Submitted: auto-replied\r\n"
        "MIME-Version: 1.0\r\n"
        f'Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"\r\n'
        "\r\n"
        "This is a MIME-encapsulated message.\r\n"
        "\r\n"
        f"--{boundary}\r\n"
        "Content-Type: text/plain; charset=us-ascii\r\n"
        "\r\n"
        f"Your message could not be delivered to {recipient}.\r\n"
        f"The remote server answered: {diagnostic}\r\n"
        "\r\n"
        f"--{boundary}\r\n"
        "Content-Type: message/delivery-status\r\n"
        "\r\n"
        f"Reporting-MTA: dns; {reporting_mta}\r\n"
        f"Arrival-Date: {format_datetime(arrival)}\r\n"
        "\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\n"
        f"Original-Recipient: rfc822; {recipient}\r\n"
        "Action: failed\r\n"
        f"Status: {status}\r\n"
        f"Remote-MTA: dns; {reporting_mta}\r\n"
        f"Diagnostic-Code: smtp; {diagnostic}\r\n"
        f"Last-Attempt-Date: {format_datetime(now)}\r\n"
        "\r\n"
        f"--{boundary}\r\n"
        "Content-Type: text/rfc822-headers\r\n"
        "\r\n"
    )
    return head.encode("utf-8") + _header_block(original) + f"\r\n--{boundary}--\r\n".encode()


def build_arf(
    *,
    reporter: str,
    user_agent: str,
    to: str,
    mail_from: str,
    recipient: str,
    source_ip: str,
    reported_domain: str,
    original: bytes,
    arrival: datetime,
    now: datetime,
) -> bytes:
    """An RFC 5965 feedback report (Feedback-Type: abuse) about ``original``, which is
    attached whole as message/rfc822 with the Return-Path its delivery added."""
    message_id = make_msgid(domain=reporter)
    boundary = _boundary(message_id)
    head = (
        f"From: Feedback Loop <feedback@{reporter}>\r\n"
        f"To: <{to}>\r\n"
        f"Subject: Email Feedback Report for IP {source_ip}\r\n"
        f"Date: {format_datetime(now)}\r\n"
        f"Message-ID: {message_id}\r\n"
        "MIME-Version: 1.0\r\n"
        f'Content-Type: multipart/report; report-type=feedback-report; boundary="{boundary}"\r\n'
        "\r\n"
        f"--{boundary}\r\n"
        "Content-Type: text/plain; charset=us-ascii\r\n"
        "\r\n"
        f"This is an email abuse report for an email message received from IP {source_ip} "
        f"on {format_datetime(arrival)}.\r\n"
        "\r\n"
        f"--{boundary}\r\n"
        "Content-Type: message/feedback-report\r\n"
        "\r\n"
        "Feedback-Type: abuse\r\n"
        f"User-Agent: {user_agent}\r\n"
        "Version: 1\r\n"
        f"Original-Mail-From: <{mail_from}>\r\n"
        f"Original-Rcpt-To: <{recipient}>\r\n"
        f"Arrival-Date: {format_datetime(arrival)}\r\n"
        f"Source-IP: {source_ip}\r\n"
        f"Reported-Domain: {reported_domain}\r\n"
        "\r\n"
        f"--{boundary}\r\n"
        "Content-Type: message/rfc822\r\n"
        "Content-Disposition: inline\r\n"
        "\r\n"
        f"Return-Path: <{mail_from}>\r\n"
    )
    body = _crlf(original)
    if not body.endswith(b"\r\n"):
        body += b"\r\n"
    return head.encode("utf-8") + body + f"\r\n--{boundary}--\r\n".encode()


class _ProviderHandler:
    """The aiosmtpd handler of one provider's server."""

    def __init__(self, world: MxWorld, profile: ProviderProfile) -> None:
        self.world = world
        self.profile = profile
        self.domains = frozenset(d.lower() for d in profile.domains)

    def _reply(self, template: str, session: Session, rcpt: str = "") -> str:
        peer = session.peer[0] if isinstance(session.peer, tuple) else str(session.peer)
        return template.replace("{ip}", str(peer)).replace("{rcpt}", rcpt)

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        """Refuse foreign domains (no relaying) and, synchronously, unknown users."""
        if _domain(address) not in self.domains:
            return "550 5.7.1 Relaying denied"
        if not self.profile.async_bounces and not self.world.rules.known(address):
            self.world._count(self.profile.name, rejected_unknown=1)
            return self._reply(self.profile.unknown_reply, session, address)
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        """Defer over the hourly limit; else accept, and queue the DSNs and ARFs due."""
        raw = bytes(envelope.original_content or b"")
        peer = session.peer[0] if isinstance(session.peer, tuple) else str(session.peer)
        mail_from = str(envelope.mail_from or "")
        reply = self.world._accept(self.profile, raw, mail_from, tuple(envelope.rcpt_tos), peer)
        if reply.startswith("250") and self.world._dkim_due():
            # dkimpy and the resolver block: verify off the loop that serves every provider
            verified = await asyncio.to_thread(self.world._verify_dkim, raw)
            self.world._count(self.profile.name, **{"dkim_pass" if verified else "dkim_fail": 1})
        if reply.startswith("421") and server.transport is not None:
            # RFC 5321 3.8: 421 means the server closes the channel; the close runs after
            # aiosmtpd has written the reply, and closing flushes it first.
            asyncio.get_running_loop().call_soon(server.transport.close)
        return reply


class MxWorld:
    """One SMTP server per provider profile, all on one port at 127.0.0.<n> addresses.

    ``addresses`` default to the ones after ``host`` + 10 (127.0.0.11, .12, ...); ``port``
    0 picks a port free on all of them. With a ``dkim_resolver`` (the loopback DNS), one
    accepted message in ``dkim_sample`` has its DKIM signature verified (RFC 6376) and
    counted in the stats, as a receiver would before trusting the sending domain.
    """

    def __init__(
        self,
        profiles: Sequence[ProviderProfile],
        rules: WorldRules,
        clock: Clock,
        host: str = "127.0.0.1",
        *,
        port: int = 0,
        addresses: Sequence[str] = (),
        dkim_resolver: DnsResolver | None = None,
        dkim_sample: int = 10,
    ) -> None:
        self.profiles = tuple(profiles)
        self.dkim_resolver = dkim_resolver
        self.dkim_sample = dkim_sample
        self._dkim_seen = 0
        self.rules = rules
        self.clock = clock
        base = IPv4Address(host)
        self.addresses = {
            p.name: (addresses[i] if i < len(addresses) else str(base + 10 + i))
            for i, p in enumerate(self.profiles)
        }
        self._hosts = {p.name: p.mx_host for p in self.profiles}
        self._requested_port = port
        self._port = 0
        self._lock = threading.Condition()
        self._stats = {p.name: ProviderStats() for p in self.profiles}
        self._hourly: dict[tuple[str, str], tuple[datetime, int]] = {}
        self._carry: dict[str, float] = {}
        self._pending = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._servers: list[asyncio.Server] = []
        self._queue: asyncio.Queue[_Report] | None = None
        self._workers: list[asyncio.Task[None]] = []

    # -- lifecycle -------------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The port every provider's server listens on."""
        if not self._port:
            raise RuntimeError("the MX world is not started")
        return self._port

    def port_of(self, provider: str) -> int:
        """The port of ``provider``'s server (the shared port)."""
        if provider not in self.addresses:
            raise KeyError(provider)
        return self.port

    def address_of(self, provider: str) -> str:
        """The loopback address ``provider``'s server listens on."""
        return self.addresses[provider]

    def provider_of(self, domain: str) -> str | None:
        """The provider receiving mail for ``domain``, if any."""
        domain = domain.lower().rstrip(".")
        return next((p.name for p in self.profiles if domain in p.domains), None)

    def records(self) -> tuple[Record, ...]:
        """MX (``10 mx.<domain>``) and A records for every provider domain."""
        records: list[Record] = []
        for profile in self.profiles:
            for domain in profile.domains:
                host = f"mx.{domain}"
                records.append(Record.of(domain, RecordType.MX, RECORD_TTL, [f"10 {host}"]))
                records.append(
                    Record.of(host, RecordType.A, RECORD_TTL, [self.addresses[profile.name]])
                )
        return tuple(records)

    def start(self) -> None:
        """Start every provider's server and the report senders; return once listening."""
        if self._thread is not None:
            return
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, name="mx-world", daemon=True)
        thread.start()
        self._loop, self._thread = loop, thread
        try:
            asyncio.run_coroutine_threadsafe(self._open(), loop).result(timeout=15)
        except BaseException:
            self._halt()
            raise

    def _free_port(self) -> int:
        """A port number free on every address, TCP."""
        hosts = list(self.addresses.values())
        for _ in range(50):
            with socket.socket() as probe:
                probe.bind((hosts[0], 0))
                port = int(probe.getsockname()[1])
            try:
                for host in hosts[1:]:
                    with socket.socket() as other:
                        other.bind((host, port))
            except OSError:
                continue
            return port
        raise OSError("no port is free on every provider address")

    async def _open(self) -> None:
        loop = asyncio.get_running_loop()
        attempts = 1 if self._requested_port else 20
        for attempt in range(attempts):
            port = self._requested_port or self._free_port()
            servers: list[asyncio.Server] = []
            try:
                for profile in self.profiles:
                    servers.append(
                        await loop.create_server(
                            self._factory(profile), self.addresses[profile.name], port
                        )
                    )
            except OSError:
                for server in servers:
                    server.close()
                if attempt == attempts - 1:
                    raise
                continue  # someone took the port between the probe and the bind
            self._servers, self._port = servers, port
            break
        self._queue = asyncio.Queue()
        self._workers = [
            asyncio.create_task(self._deliver_reports()) for _ in range(REPORT_WORKERS)
        ]

    def _factory(self, profile: ProviderProfile) -> Callable[[], SMTP]:
        handler = _ProviderHandler(self, profile)

        def make() -> SMTP:
            return SMTP(handler, hostname=profile.mx_host, ident="mailfleet-world ESMTP")

        return make

    async def _close(self) -> None:
        for worker in self._workers:
            worker.cancel()
        for server in self._servers:
            server.close()
        for worker in self._workers:
            with contextlib.suppress(asyncio.CancelledError):
                await worker

    def _halt(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()
        self._loop = self._thread = None
        self._servers, self._workers, self._queue = [], [], None
        self._port = 0

    def stop(self) -> None:
        """Stop the servers; reports not yet delivered are dropped."""
        if self._loop is None:
            return
        try:
            asyncio.run_coroutine_threadsafe(self._close(), self._loop).result(timeout=10)
        finally:
            self._halt()
            with self._lock:
                self._pending = 0
                self._lock.notify_all()

    def __enter__(self) -> MxWorld:
        self.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # -- behaviour -------------------------------------------------------------------------

    def _count(self, provider: str, **deltas: int) -> None:
        with self._lock:
            stats = self._stats[provider]
            for name, delta in deltas.items():
                setattr(stats, name, getattr(stats, name) + delta)

    def _accept(
        self,
        profile: ProviderProfile,
        raw: bytes,
        mail_from: str,
        rcpts: tuple[str, ...],
        peer: str,
    ) -> str:
        """The DATA reply for one message, with its side effects (counts and reports)."""
        headers = BytesHeaderParser(policy=compat32).parsebytes(raw)
        sending_domain = _domain(parseaddr(str(headers.get("From", "")))[1]) or _domain(mail_from)
        rules = self.rules
        now = self.clock.now()
        hour = now.replace(minute=0, second=0, microsecond=0)
        complaints: list[str] = []
        unknown: list[str] = []
        with self._lock:
            stats = self._stats[profile.name]
            limit = rules.hourly_limit.get(profile.name)
            key = (profile.name, sending_domain)
            counted_hour, used = self._hourly.get(key, (hour, 0))
            if counted_hour != hour:
                used = 0
            if limit is not None and used + len(rcpts) > limit:
                stats.deferred += len(rcpts)
                return profile.deferral_reply.replace("{ip}", peer)
            self._hourly[key] = (hour, used + len(rcpts))
            rate = rules.complaint_rate.get(sending_domain, 0.0)
            for rcpt in rcpts:
                if profile.async_bounces and not rules.known(rcpt):
                    unknown.append(rcpt)
                    continue
                stats.accepted += 1
                stats.accepted_by_domain[sending_domain] = (
                    stats.accepted_by_domain.get(sending_domain, 0) + 1
                )
                if rate > 0:
                    # a carried remainder, so a rate of 1/n complains about every n-th message
                    carry = self._carry.get(sending_domain, 0.0) + rate
                    if carry >= 1.0 - 1e-9:
                        carry -= 1.0
                        complaints.append(rcpt)
                    self._carry[sending_domain] = carry
        reports = [
            _Report(
                profile.name,
                "dsn",
                "",
                mail_from,
                build_dsn(
                    reporting_mta=profile.mx_host,
                    recipient=rcpt,
                    return_path=mail_from,
                    diagnostic=profile.unknown_reply.replace("{ip}", peer).replace("{rcpt}", rcpt),
                    original=raw,
                    arrival=now,
                    now=now,
                ),
            )
            for rcpt in unknown
            if mail_from  # RFC 5321 6.1: never report on a message with a null return path
        ]
        agent = profile.feedback_agent or f"{profile.name}-fbl/1.0"
        reports.extend(
            _Report(
                profile.name,
                "arf",
                f"feedback@{profile.domains[0]}",
                rules.fbl_address,
                build_arf(
                    reporter=profile.domains[0],
                    user_agent=agent,
                    to=rules.fbl_address,
                    mail_from=mail_from,
                    recipient=rcpt,
                    source_ip=peer,
                    reported_domain=sending_domain,
                    original=raw,
                    arrival=now,
                    now=now,
                ),
            )
            for rcpt in complaints
        )
        if reports:
            self._enqueue(reports)
        return "250 2.0.0 OK: queued"

    def _enqueue(self, reports: list[_Report]) -> None:
        assert self._queue is not None
        with self._lock:
            self._pending += len(reports)
        for report in reports:
            self._queue.put_nowait(report)

    async def _deliver_reports(self) -> None:
        assert self._queue is not None
        queue = self._queue
        while True:
            report = await queue.get()
            attempt = 0
            while (delivered := await self._send_report(report)) is False:
                delay = REPORT_RETRY_SECONDS[min(attempt, len(REPORT_RETRY_SECONDS) - 1)]
                attempt += 1
                await asyncio.sleep(delay)
            with self._lock:
                stats = self._stats[report.provider]
                if delivered is True:
                    if report.kind == "dsn":
                        stats.dsn_sent += 1
                    else:
                        stats.arf_sent += 1
                self._pending -= 1
                self._lock.notify_all()

    async def _send_report(self, report: _Report) -> bool | None:
        """Deliver one report: True when delivered, False to try again later (the intake
        is down or said 4xx), None when refused for good (5xx): the report is dropped, as an
        MTA drops a report it cannot deliver rather than bounce it."""
        host, port = self.rules.report_to
        client = aiosmtplib.SMTP(
            hostname=host, port=port, timeout=10, local_hostname=self._hosts[report.provider]
        )
        try:
            async with client:
                # sendmail, not send: a DSN's reverse path is null (RFC 3464 section 2)
                await client.sendmail(report.sender, [report.recipient], report.data)
        except aiosmtplib.SMTPRecipientsRefused as exc:
            if not all(r.code >= 500 for r in exc.recipients):
                return False
            self._refused(report, str(exc))
            return None
        except aiosmtplib.SMTPResponseException as exc:
            if exc.code < 500:
                return False
            self._refused(report, str(exc))
            return None
        except (aiosmtplib.SMTPException, OSError, TimeoutError):
            return False
        return True

    def _refused(self, report: _Report, reply: str) -> None:
        log.warning(
            "world: the intake refused a %s for %s: %s", report.kind, report.recipient, reply
        )
        with self._lock:
            self._stats[report.provider].reports_refused += 1

    def _dkim_due(self) -> bool:
        if self.dkim_resolver is None or self.dkim_sample <= 0:
            return False
        with self._lock:
            due = self._dkim_seen % self.dkim_sample == 0
            self._dkim_seen += 1
        return due

    def _verify_dkim(self, raw: bytes) -> bool:
        """Whether the message's first DKIM-Signature verifies against the resolver's keys."""
        resolver = self.dkim_resolver
        assert resolver is not None

        def txt(name: bytes, timeout: int = 5) -> bytes | None:
            answer = resolver.query(name.decode("ascii", "replace"), RecordType.TXT)
            if answer.status is not AnswerStatus.OK or not answer.values:
                return None
            return answer.values[0].encode("utf-8")

        try:
            return bool(dkim.verify(raw, dnsfunc=txt))
        except (ValueError, IndexError, UnicodeError):  # a mangled header dkimpy trips on
            return False

    def pending(self) -> int:
        """Reports queued and not yet delivered."""
        with self._lock:
            return self._pending

    def drain(self, timeout: float = 30.0) -> None:
        """Block until every queued report is delivered; ``TimeoutError`` if that takes
        longer than ``timeout`` seconds."""
        with self._lock:
            if not self._lock.wait_for(lambda: self._pending == 0, timeout):
                raise TimeoutError(f"{self._pending} reports still undelivered after {timeout}s")

    def stats(self) -> dict[str, ProviderStats]:
        """A snapshot of every provider's counters."""
        with self._lock:
            return {name: stats.copy() for name, stats in self._stats.items()}
