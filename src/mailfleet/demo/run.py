"""``mailfleet demo``: the case study, end to end, on loopback, in a few minutes.

Nothing here is demo-only except the world and the clock. The fleet is a spec file synced to
SQLite; DNS is planned and applied through the in-memory provider, served by a real DNS
server on loopback and verified over the wire; mailboxes are provisioned through the memory
provider; every day the warmup plan decides each domain's cap, the real dispatcher signs and
sends that much mail over SMTP to the world's MX servers, bounces and complaints come back to
the real feedback intake as DSNs and ARF reports, and the real warmup gate, DNSBL checks,
alert rules and isolation run on what was measured. The clock is simulated: each day's
business hours pass in a few seconds.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import socket
import threading
import time
from collections.abc import Callable, Mapping
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from string import Template
from typing import Any

from mailfleet.adapters.clock import FakeClock
from mailfleet.adapters.dns.memory import InMemoryDnsProvider
from mailfleet.adapters.dns.resolver import DnsPythonResolver
from mailfleet.adapters.reputation.config import CONFIG_ENV
from mailfleet.adapters.sending.mx_relay import MxRelay
from mailfleet.adapters.sending.warmup_gate import STOPPED_STATES
from mailfleet.adapters.world.dns_server import (
    DnsblZone,
    LoopbackDnsServer,
    ProviderZones,
    StaticZones,
)
from mailfleet.adapters.world.mx_world import (
    MxWorld,
    ProviderStats,
    WorldRules,
    default_profiles,
)
from mailfleet.bootstrap import App, build
from mailfleet.core.dashboard.access import Role
from mailfleet.core.errors import MailfleetError
from mailfleet.core.feedback.intake import IntakeAddresses
from mailfleet.core.fleet import Fleet
from mailfleet.core.reputation.isolation import IsolationAction
from mailfleet.core.results import ResultsReport
from mailfleet.core.secrets import Secret
from mailfleet.core.sending.ports import Envelope
from mailfleet.core.simulation.load import scenarios_from_data
from mailfleet.core.simulation.world import Scenario, WorldModel, active_incident, quality_for
from mailfleet.core.warmup.decision import Action
from mailfleet.core.warmup.plan import plan_fleet_day
from mailfleet.core.warmup.schedule import week_of
from mailfleet.demo.traffic import Carry, DomainDay, day_drafts, is_known
from mailfleet.services import dns as dns_service
from mailfleet.services import dns_verify
from mailfleet.services import fleet as fleet_service
from mailfleet.services import mailboxes as mailbox_service
from mailfleet.services import users as user_service
from mailfleet.services.dispatcher import DispatchReport, DispatchSettings
from mailfleet.services.reputation import run_monitoring
from mailfleet.services.simulation import shipped_world
from mailfleet.services.warmup import advance_domain_states, run_daily_decisions, start_warmup
from mailfleet.settings import Settings
from mailfleet.spec import load_fleet

HERE = Path(__file__).parent
START = datetime(2026, 1, 5, tzinfo=UTC)  # a Monday: the demo's first day, so runs repeat
MARKER = ".mailfleet-demo"
ADMIN_EMAIL = "admin@acme.test"
FBL_ADDRESS = "fbl@feedback.acme.test"
RETURN_PATH_LABEL = "bounce."  # as the DNS template's return_path_label publishes it
MONITORING_WINDOW = timedelta(days=7)  # the rates the alert rules judge: a rolling week
# Messages each provider takes from one sending domain in one hour before it defers: three
# times what the warmup's pacing sends it at the largest target (300 a day over 12 hours),
# so only a sender that breaks its pacing is deferred.
HOURLY_ALLOWANCE = {"gmail": 34, "microsoft": 23, "yahoo": 12, "other": 8}


class DemoError(MailfleetError):
    """The demo cannot run (a folder that is not the demo's, a busy port, ...)."""


@dataclass(frozen=True)
class DemoOptions:
    """How to run the demo."""

    directory: Path = Path("demo")
    days: int = 42
    scenario: str = "default"
    speed: float = 0.0  # simulated days per minute; 0 runs as fast as the machine allows
    web: bool = True
    bind: str = "127.0.0.1:8025"


@dataclass(frozen=True)
class DayLine:
    """One simulated day, as the demo prints it."""

    index: int
    day: date
    queued: int
    states: Mapping[str, int]
    dsns: int
    complaints: int
    notes: tuple[str, ...]

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "day": self.index,
            "date": self.day.isoformat(),
            "queued": self.queued,
            "states": dict(self.states),
            "dsns": self.dsns,
            "complaints": self.complaints,
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class DomainOutcome:
    """Where one domain ended."""

    domain: str
    segment: str
    target: int
    cap: int
    week: int
    reached_target_day: int | None
    state: str
    warmup_paused: bool
    delivered: int
    bounced: int
    complaints: int
    deferred: int

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return dict(self.__dict__)


@dataclass
class DemoOutcome:
    """What the run did: per domain, the alerts, the DNS coverage and the world's view."""

    scenario: str
    description: str
    start: date
    days: int
    domains: list[DomainOutcome] = field(default_factory=list)
    alerts: list[dict[str, object]] = field(default_factory=list)
    dns_coverage: float = 0.0
    mailboxes: int = 0
    provisioning_seconds: float = 0.0
    world: dict[str, dict[str, int]] = field(default_factory=dict)
    wall_seconds: float = 0.0
    dashboard: str = ""
    login: tuple[str, Secret] | None = None
    results: ResultsReport | None = None

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "scenario": self.scenario,
            "description": self.description,
            "start": self.start.isoformat(),
            "days": self.days,
            "domains": [d.as_dict() for d in self.domains],
            "alerts": self.alerts,
            "dns_coverage": self.dns_coverage,
            "mailboxes": self.mailboxes,
            "provisioning_seconds": round(self.provisioning_seconds, 3),
            "world": self.world,
            "wall_seconds": round(self.wall_seconds, 1),
            "dashboard": self.dashboard,
            "results": self.results.as_dict() if self.results else None,
        }


def scenarios() -> dict[str, Scenario]:
    """The demo's scenarios (``mailfleet/demo/scenarios.toml``)."""
    import tomllib

    data = tomllib.loads((HERE / "scenarios.toml").read_text(encoding="utf-8"))
    return scenarios_from_data(data)


def demo_settings(directory: Path) -> Settings:
    """The embedded default inside the demo folder: run ``mailfleet`` there to look around."""
    return Settings(spec=directory / "fleet.yaml", data_dir=directory / ".mailfleet")


class Demo:
    """One run of the demo. ``say`` prints progress; ``on_day`` gets every simulated day."""

    def __init__(
        self,
        options: DemoOptions,
        *,
        say: Callable[[str], None] = lambda _: None,
        on_day: Callable[[DayLine], None] = lambda _: None,
        on_ready: Callable[[str, str, Secret], None] = lambda _url, _user, _pw: None,
        on_done: Callable[[DemoOutcome], None] = lambda _outcome: None,
    ) -> None:
        known = scenarios()
        if options.scenario not in known:
            names = ", ".join(sorted(known))
            raise DemoError(f"unknown scenario {options.scenario!r}; choose one of: {names}")
        if options.days < 1:
            raise DemoError("--days must be at least 1")
        host, _, port = options.bind.rpartition(":")
        if options.web and (not host or not port.isdigit()):
            raise DemoError(f"--bind wants HOST:PORT, e.g. 127.0.0.1:8025, not {options.bind!r}")
        self.options = options
        self.scenario = known[options.scenario]
        self.world_model: WorldModel = shipped_world()[0]
        self._say = say
        self._on_day = on_day
        self._on_ready = on_ready
        self._on_done = on_done
        self.app: App | None = None

    # -- the run ------------------------------------------------------------------------

    def run(self, *, keep_serving: Callable[[], None] | None = None) -> DemoOutcome:
        """Set everything up, run the days, and return the outcome (also given to ``on_done``).
        With the web on, ``keep_serving`` is called after that (it blocks until the user
        stops), so the dashboard stays up on the final state."""
        began = time.perf_counter()
        directory = self.options.directory
        _prepare(directory)
        dns_port = _free_port()
        self._write_files(directory, dns_port)
        env = {**os.environ, CONFIG_ENV: str(directory / "reputation.toml")}
        clock = FakeClock(START)
        app = build(demo_settings(directory), clock=clock, env=env)
        self.app = app
        with ExitStack() as stack:
            stack.callback(app.close)
            fleet = load_fleet(directory / "fleet.yaml")
            fleet_service.sync_fleet(fleet, app.fleet_store(), clock, str(directory / "fleet.yaml"))
            self._say(
                f"Fleet: {len(fleet.segments)} segments, {len(fleet.domains)} domains, "
                f"{sum(len(d.mailboxes) for d in fleet.domains)} mailboxes (SQLite in "
                f"{directory / '.mailfleet'})"
            )
            rules = WorldRules(
                known=is_known, fbl_address=FBL_ADDRESS, hourly_limit=dict(HOURLY_ALLOWANCE)
            )
            # The world checks DKIM on one message in 25, with dkimpy against the demo's DNS:
            # the receiving side's view of the authentication.
            world = MxWorld(
                default_profiles(),
                rules,
                clock,
                dkim_resolver=DnsPythonResolver(["127.0.0.1"], port=dns_port),
                dkim_sample=25,
            )
            world.start()
            stack.callback(world.stop)
            ip_list, domain_list = DnsblZone("zen.dnsbl.test"), DnsblZone("dbl.dnsbl.test")
            provider = app.dns_provider(fleet, "local")
            if not isinstance(provider, InMemoryDnsProvider):
                raise DemoError("the demo's fleet must use the in-memory DNS provider")
            dns = LoopbackDnsServer(
                [ProviderZones(provider), StaticZones(world.records()), ip_list, domain_list],
                port=dns_port,
            )
            dns.start()
            stack.callback(dns.stop)
            self._say(f"DNS: authoritative server on 127.0.0.1:{dns.port} (UDP and TCP)")
            coverage = self._dns(app, fleet)
            mailboxes, seconds = self._mailboxes(app, fleet)
            intake = app.feedback_intake(
                IntakeAddresses.of(
                    [f"{RETURN_PATH_LABEL}{d.name}" for d in fleet.domains], [FBL_ADDRESS]
                ),
                port=_free_port(),
            )
            intake.start()
            stack.callback(intake.stop)
            rules.report_to = ("127.0.0.1", intake.port)
            self._say(
                f"World: {len(default_profiles())} receiving providers on port {world.port}; "
                f"bounces and complaints come back to the intake on 127.0.0.1:{intake.port}"
            )
            password = Secret(secrets.token_urlsafe(12))
            user_service.add_user(
                app.user_store(), app.password_hasher(), clock, ADMIN_EMAIL, Role.ADMIN, password
            )
            url = self._serve(app, stack, password) if self.options.web else ""
            outcome = DemoOutcome(
                self.scenario.name,
                self.scenario.description,
                START.date(),
                self.options.days,
                dns_coverage=coverage,
                mailboxes=mailboxes,
                provisioning_seconds=seconds,
                dashboard=url,
                login=(ADMIN_EMAIL, password),
            )
            asyncio.run(self._days(app, fleet, world, rules, (ip_list, domain_list), dns.port))
            self._fill(outcome, app, fleet, world)
            outcome.results = app.results_report(fleet)
            outcome.wall_seconds = time.perf_counter() - began
            self._on_done(outcome)
            if keep_serving is not None and url:
                keep_serving()
            return outcome

    def _write_files(self, directory: Path, dns_port: int) -> None:
        resolver = f"127.0.0.1:{dns_port}"
        spec = Template((HERE / "fleet.yaml").read_text(encoding="utf-8"))
        (directory / "fleet.yaml").write_text(spec.substitute(dns_resolver=resolver), "utf-8")
        shutil.copyfile(HERE / "dnsbl_zones.yaml", directory / "dnsbl_zones.yaml")
        (directory / "reputation.toml").write_text(
            "# Written by `mailfleet demo`: DNSBLs are the demo's own zones on its DNS server.\n"
            f'[resolver]\nnameserver = "127.0.0.1"\nport = {dns_port}\ntimeout = 2.0\n\n'
            f'[policy]\nzones = "{(directory / "dnsbl_zones.yaml").resolve()}"\n',
            encoding="utf-8",
        )

    def _dns(self, app: App, fleet: Fleet) -> float:
        template = app.dns_template()
        report = dns_service.apply_dns(
            fleet,
            template,
            app.vault(),
            lambda name: app.dns_provider(fleet, name),
            journal=app.dns_journal(),
            clock=app.clock,
        )
        if not report.ok:
            raise DemoError(f"DNS apply failed: {report.as_dict()}")
        verified = dns_verify.verify_dns(
            fleet,
            template,
            app.vault(),
            app.dns_resolver(fleet),
            app.spf_oracle,
            app.dns_check_store(),
            app.clock,
        )
        self._say(
            f"DNS: {sum(r.changes for r in report.results)} record changes applied; verified over "
            "the wire: "
            f"{verified.coverage:.0f} % of domains have SPF, DKIM and DMARC right"
        )
        return float(verified.coverage)

    def _mailboxes(self, app: App, fleet: Fleet) -> tuple[int, float]:
        began = time.perf_counter()
        retrier = mailbox_service.Retrier(app.clock)
        plan = mailbox_service.plan_mailboxes(
            fleet, lambda name: app.mailbox_provider(fleet, name), retrier=retrier
        )
        names = {a.provider for a in plan.actions}
        report = mailbox_service.apply_plan(
            plan,
            {name: app.mailbox_provider(fleet, name) for name in names},
            app.vault(),
            app.mailbox_ledger(),
            app.clock,
            retrier=retrier,
        )
        seconds = time.perf_counter() - began
        if report.failed:
            raise DemoError(f"{len(report.failed)} mailboxes failed to provision")
        self._say(
            f"Mailboxes: {len(plan.actions)} provisioned in {seconds:.1f} s; "
            "their passwords are in the vault"
        )
        return len(plan.actions), seconds

    def _serve(self, app: App, stack: ExitStack, password: Secret) -> str:
        import uvicorn

        from mailfleet.web.app import create_app

        host, _, port = self.options.bind.rpartition(":")
        if not host or not port.isdigit():
            raise DemoError(
                f"--bind wants HOST:PORT, e.g. 127.0.0.1:8025, not {self.options.bind!r}"
            )
        sock = _listen(host, int(port))
        server = uvicorn.Server(
            uvicorn.Config(create_app(app), access_log=False, log_level="warning", lifespan="off")
        )
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()

        def stop() -> None:
            server.should_exit = True
            thread.join(timeout=5)
            sock.close()

        stack.callback(stop)
        url = f"http://{host}:{sock.getsockname()[1]}/"
        self._on_ready(url, ADMIN_EMAIL, password)
        return url

    # -- the days -----------------------------------------------------------------------

    async def _days(
        self,
        app: App,
        fleet: Fleet,
        world: MxWorld,
        rules: WorldRules,
        lists: tuple[DnsblZone, DnsblZone],
        dns_port: int,
    ) -> None:
        start_warmup(fleet, app.warmup_ports(fleet), START.date())
        ips = {d.name: str(d.sending_ips[0]) for d in fleet.domains if d.sending_ips}
        relay = MxRelay(
            DnsPythonResolver(["127.0.0.1"], port=dns_port),
            port=world.port,
            source_for=lambda envelope: ips.get(_domain_of(envelope), ""),
            pool_size=2,
            timeout=10.0,
        )
        settings = DispatchSettings(
            verp_key=app.verp_key(),
            return_path_prefix=RETURN_PATH_LABEL,
            concurrency=16,
            unsubscribe_url="https://acme.test/unsubscribe",
        )
        day = _DayRunner(self, app, fleet, world, rules, lists[0])
        dispatcher = app.dispatcher(relay, settings, "demo", fleet)
        try:
            for index in range(self.options.days):
                began = time.monotonic()
                queued = await day.queue(index)
                before = world.stats()
                report = DispatchReport()
                for hour in range(24):
                    _set(app.clock, day.start(index) + timedelta(hours=hour))
                    await dispatcher.drain(report)
                await asyncio.to_thread(world.drain)
                notes = await day.close(index)
                after = world.stats()
                self._on_day(
                    DayLine(
                        index,
                        START.date() + timedelta(days=index),
                        queued,
                        dict(report.states),
                        _total(after, before, "dsn_sent"),
                        _total(after, before, "arf_sent"),
                        notes,
                    )
                )
                await self._pace(began)
        finally:
            await relay.close()

    async def _pace(self, began: float) -> None:
        if self.options.speed <= 0:
            return
        remaining = 60.0 / self.options.speed - (time.monotonic() - began)
        if remaining > 0:
            await asyncio.sleep(remaining)

    # -- the outcome --------------------------------------------------------------------

    def _fill(self, outcome: DemoOutcome, app: App, fleet: Fleet, world: MxWorld) -> None:
        ports = app.warmup_ports(fleet)
        states = ports.store.states()
        last = START.date() + timedelta(days=self.options.days - 1)
        runtime = app.reputation_store().domain_states()
        counts: dict[str, list[int]] = {d.name: [0, 0, 0, 0] for d in fleet.domains}
        until = datetime(last.year, last.month, last.day, tzinfo=UTC) + timedelta(days=2)
        for row in app.feedback_store().daily_counts(START, until):
            if row.domain in counts:
                total = counts[row.domain]
                total[0] += row.deliveries
                total[1] += row.bounces
                total[2] += row.complaints
                total[3] += row.deferrals
        reached = _reached_target(app, fleet)
        for domain in fleet.domains:
            target = fleet.segments[domain.segment].daily_target
            state = states.get(domain.name)
            plan = plan_fleet_day(fleet, states, last)[domain.name]
            delivered, bounced, complaints, deferred = counts[domain.name]
            outcome.domains.append(
                DomainOutcome(
                    domain=domain.name,
                    segment=domain.segment,
                    target=target,
                    cap=plan.cap,
                    week=week_of(state.ramp_day) if state else 0,
                    reached_target_day=reached.get(domain.name),
                    state=runtime.get(domain.name, "active") or "active",
                    warmup_paused=bool(state and state.paused),
                    delivered=delivered,
                    bounced=bounced,
                    complaints=complaints,
                    deferred=deferred,
                )
            )
        outcome.alerts = [
            r.event.as_dict() for r in reversed(app.reputation_store().alert_history(limit=1000))
        ]
        outcome.world = {name: _counters(s) for name, s in world.stats().items()}


class _DayRunner:
    """One simulated day's steps: queue the day's mail, then judge the day and monitor."""

    def __init__(
        self,
        demo: Demo,
        app: App,
        fleet: Fleet,
        world: MxWorld,
        rules: WorldRules,
        ip_list: DnsblZone,
    ) -> None:
        self.demo, self.app, self.fleet, self.world, self.rules = demo, app, fleet, world, rules
        self.ip_list = ip_list
        self.ports = app.warmup_ports(fleet)
        self.monitoring = app.monitoring_ports(fleet)
        self.zones, self.alert_rules = app.dnsbl_zones(), app.alert_rules()
        self.queue_port = app.message_queue()
        self.positions = _positions(fleet)
        self.recipients = _recipient_domains(world, demo.world_model)
        self.seen_alerts = 0
        self.carry = Carry()

    @staticmethod
    def start(index: int) -> datetime:
        """Midnight UTC of demo day ``index``."""
        return START + timedelta(days=index)

    async def queue(self, index: int) -> int:
        """Set the world for the day (listings, complaint rates) and queue each domain's cap."""
        _set(self.app.clock, self.start(index))
        self.update_listings(index)
        day = self.start(index).date()
        # A domain whose ramp starts today is warming from the morning, not from tonight.
        advance_domain_states(
            self.fleet, self.ports, (), self.monitoring.domains, self.app.clock, day
        )
        plans = plan_fleet_day(self.fleet, self.ports.store.states(), day)
        runtime = self.monitoring.domains.domain_states()
        drafts = []
        for domain in self.fleet.domains:
            incident = active_incident(
                self.demo.scenario, domain.segment, self.positions[domain.name], index
            )
            plan = plans[domain.name]
            quality = quality_for(self.demo.world_model, domain.segment, plan.audience, incident)
            self.rules.complaint_rate[domain.name] = quality.complaint
            if runtime.get(domain.name, "") in STOPPED_STATES:
                continue  # rotated out or paused: its campaign goes to its peers
            mailboxes = domain.mailboxes
            drafts += day_drafts(
                DomainDay(
                    domain.name,
                    domain.segment,
                    [m.address for m in mailboxes],
                    {m.address: m.display_name or "" for m in mailboxes},
                    plan.cap if any(slot.ceiling > 0 for slot in plan.slots) else 0,
                    quality.bounce,
                ),
                index,
                self.recipients,
                self.carry,
            )
        if drafts:
            await asyncio.to_thread(self.queue_port.enqueue, drafts, self.app.clock.now())
        return len(drafts)

    def update_listings(self, index: int) -> None:
        """List each domain's first sending IP while an incident naming the zone is active."""
        for domain in self.fleet.domains:
            if not domain.sending_ips:
                continue
            ip = str(domain.sending_ips[0])
            incident = active_incident(
                self.demo.scenario, domain.segment, self.positions[domain.name], index
            )
            if incident is not None and incident.listed_on == self.ip_list.zone:
                self.ip_list.list(ip, "spam reported from this IP (demo incident)")
            elif ip in self.ip_list.listed():
                self.ip_list.delist(ip)

    async def close(self, index: int) -> tuple[str, ...]:
        """After the day: the warmup's daily decisions, then the monitoring cycle (DNSBLs,
        alerts on the rolling week's rates, isolation). Returns what is worth telling."""
        _set(self.app.clock, self.start(index + 1) + timedelta(minutes=5))
        day = self.start(index).date()
        decisions = run_daily_decisions(self.fleet, self.ports, day)
        moves = advance_domain_states(
            self.fleet, self.ports, decisions, self.monitoring.domains, self.app.clock, day
        )
        run = await run_monitoring(
            self.fleet, self.zones, self.alert_rules, self.monitoring, window=MONITORING_WINDOW
        )
        notes = [
            f"{d.domain}: warmup {d.action}"
            for d in decisions
            if d.action in (Action.STEP_BACK, Action.HOLD, Action.RESUME, Action.PAUSE)
            and ":" not in d.domain  # members (IPs, mailboxes) follow their domain
        ]
        notes += [f"{name}: now {state}" for name, state in moves.items() if state == "active"]
        history = self.app.reputation_store().alert_history(limit=1000)
        fresh = history[: max(0, len(history) - self.seen_alerts)]
        self.seen_alerts = len(history)
        notes += [
            f"alert {r.event.kind.value}: {r.event.title} ({r.event.subject})"
            for r in reversed(fresh)
        ]
        notes += [
            f"{i.domain}: {i.action.value}, {i.moved} queued messages moved to "
            f"{', '.join(i.rotate_to) or 'no peer'}"
            for i in run.isolations
            if i.action is not IsolationAction.ALREADY
        ]
        return tuple(notes)


def _reached_target(app: App, fleet: Fleet) -> dict[str, int]:
    """The first demo day each domain sent at its segment's target, from the warmup's
    decisions (each sets the next day's cap)."""
    store = app.warmup_ports(fleet).store
    reached: dict[str, int] = {}
    for domain in fleet.domains:
        target = fleet.segments[domain.segment].daily_target
        days = [d.day for d in store.decisions(domain.name, limit=1000) if d.next_cap >= target]
        if days:
            reached[domain.name] = (min(days) - START.date()).days + 1
    return reached


def _recipient_domains(world: MxWorld, model: WorldModel) -> list[tuple[str, float]]:
    shares = {p.name: p.share for p in model.providers}
    return [(profile.domains[0], shares.get(profile.name, 0.0)) for profile in world.profiles]


def _positions(fleet: Fleet) -> dict[str, int]:
    """Each domain's index within its segment, in spec order (scenarios pick domains by it)."""
    seen: dict[str, int] = {}
    positions = {}
    for domain in fleet.domains:
        positions[domain.name] = seen.get(domain.segment, 0)
        seen[domain.segment] = positions[domain.name] + 1
    return positions


def _domain_of(envelope: Envelope) -> str:
    return envelope.header_from.rpartition("@")[2].lower()


def _total(after: Mapping[str, Any], before: Mapping[str, Any], counter: str) -> int:
    return sum(
        getattr(stats, counter) - (getattr(before[name], counter) if name in before else 0)
        for name, stats in after.items()
    )


def _set(clock: FakeClock | Any, when: datetime) -> None:
    if when > clock.now():
        clock.set(when)


def _prepare(directory: Path) -> None:
    """Make the demo folder, or clear the state of an earlier demo run in it. A folder that
    holds anything else is refused, so the demo never deletes a user's files."""
    if directory.exists() and any(directory.iterdir()) and not (directory / MARKER).exists():
        raise DemoError(
            f"{directory} exists and is not a demo folder; choose another with --dir "
            "(the demo writes its fleet, database and key there and clears them on each run)"
        )
    directory.mkdir(parents=True, exist_ok=True)
    (directory / MARKER).write_text("written by `mailfleet demo`; safe to delete\n", "utf-8")
    shutil.rmtree(directory / ".mailfleet", ignore_errors=True)


def _free_port() -> int:
    """A port free for both UDP and TCP on loopback (DNS answers on both; aiosmtpd's
    controller needs a real port number before it starts)."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind(("127.0.0.1", 0))
            port = int(udp.getsockname()[1])
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
                try:
                    tcp.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return port
    raise DemoError("no free loopback port for the demo's servers")


def _listen(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise DemoError(
            f"cannot serve the dashboard on {host}:{port} ({exc.strerror}); "
            "pass --bind 127.0.0.1:0 for any free port, or --headless"
        ) from None
    sock.listen(512)
    return sock


def _counters(stats: ProviderStats) -> dict[str, int]:
    """A provider's counters (the per-domain breakdown is left out)."""
    return {k: v for k, v in asdict(stats).items() if isinstance(v, int)}
