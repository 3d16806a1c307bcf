"""The composition root: the only place that turns settings into concrete adapters.

Entry points (CLI, web, workers) call ``build`` once and ask the ``App`` for what they need;
everything is created on first use, so a command that needs no database opens none.
"""

from __future__ import annotations

import secrets
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from mailfleet.adapters.clock import SystemClock
from mailfleet.adapters.db import migrate
from mailfleet.adapters.db.database import Database
from mailfleet.adapters.db.dns_store import SqlDnsCheckStore, SqlDnsJournal, SqlRotationStore
from mailfleet.adapters.db.feedback_store import SqlFeedbackStore
from mailfleet.adapters.db.fleet_store import SqlFleetStore
from mailfleet.adapters.dns.factory import build_dns_provider
from mailfleet.adapters.dns.memory import InMemoryDnsProvider, InMemoryResolver
from mailfleet.adapters.dns.resolver import DnsPythonResolver
from mailfleet.adapters.dns.spf_oracle import PySpfOracle
from mailfleet.adapters.feedback.metrics import FeedbackDomainMetrics
from mailfleet.adapters.feedback.smtp_intake import FeedbackSmtpIntake
from mailfleet.adapters.logs import configure_logging
from mailfleet.adapters.notify.factory import build_notifiers
from mailfleet.adapters.reputation.config import (
    ReputationConfig,
    load_reputation_config,
)
from mailfleet.adapters.reputation.sql_store import SqlReputationStore
from mailfleet.adapters.reputation.udp_resolver import UdpDnsblResolver
from mailfleet.adapters.secret_refs import resolve_secret_ref
from mailfleet.adapters.sending.memory import InMemorySendGate
from mailfleet.adapters.sending.policy_files import load_shaping
from mailfleet.adapters.sending.smtp_relay import SmtpRelay, SmtpRelayConfig
from mailfleet.adapters.sending.sql_queue import SqlMessageQueue
from mailfleet.adapters.sending.submission_server import SubmissionController, SubmissionHandler
from mailfleet.adapters.sending.vault_keys import VaultDkimKeys
from mailfleet.adapters.vault import (
    Rotation,
    SqlVault,
    encode_key,
    load_keyring,
    new_key,
    rotate_master_key,
)
from mailfleet.core.dashboard.accounts import PasswordHasher, UserStore
from mailfleet.core.dashboard.ports import DomainControl, FleetReadModel
from mailfleet.core.dashboard.user_admin import UserAdminStore
from mailfleet.core.dns.ports import DnsProvider, DnsResolver, SpfOracle
from mailfleet.core.dns.templates import DnsTemplate
from mailfleet.core.errors import SecretNotFound
from mailfleet.core.feedback.intake import DEFAULT_MAX_BYTES, IntakeAddresses
from mailfleet.core.feedback.ports import (
    BounceMailbox,
    DmarcStore,
    SentMessageLookup,
    SnsHttpClient,
)
from mailfleet.core.fleet import Fleet, ProviderRole
from mailfleet.core.mailboxes.ports import MailboxLedger, MailboxProvider
from mailfleet.core.ports import Clock
from mailfleet.core.reputation.rules import AlertRule
from mailfleet.core.reputation.zones import DnsblZone
from mailfleet.core.results import ResultsReport
from mailfleet.core.secrets import Secret
from mailfleet.core.sending.model import MessageDraft
from mailfleet.core.sending.ports import Relay, SendGate, ShapingStore
from mailfleet.core.warmup.ports import Limiter
from mailfleet.policy.alerts import load_rules
from mailfleet.policy.dns import load_dns_template
from mailfleet.policy.dnsbl import load_zones
from mailfleet.policy.rules import bounce_rules, suppression_policy
from mailfleet.services import sending as sending_service
from mailfleet.services.dashboard import DashboardSources
from mailfleet.services.dashboard_login import LoginFailures
from mailfleet.services.dashboard_reads import DailyCountsReader
from mailfleet.services.dispatcher import Dispatcher, DispatchSettings
from mailfleet.services.dmarc import stage_policies
from mailfleet.services.feedback_ingest import ingest_message
from mailfleet.services.feedback_webhooks import WebhookKeys, WebhookResult, handle_webhook
from mailfleet.services.reputation import MonitoringPorts
from mailfleet.services.simulation import SimulationKit
from mailfleet.services.warmup import WarmupPorts, shipped_rules
from mailfleet.settings import Settings

VERP_KEY_SECRET = "verp/key"  # noqa: S105 - a secret's name, not a secret
SUBMISSION_PREFIX = "submission/"


@dataclass(frozen=True)
class SchemaState:
    """Where the database schema stands against the code."""

    database: str
    before: frozenset[str]
    after: frozenset[str]
    heads: frozenset[str]


@dataclass
class App:
    """Wired dependencies for one process."""

    settings: Settings
    clock: Clock
    env: Mapping[str, str] | None = None
    _database: Database | None = field(default=None, init=False)
    _vault: SqlVault | None = field(default=None, init=False)
    _mailbox_providers: dict[str, MailboxProvider] = field(default_factory=dict, init=False)

    _dashboard_sources: DashboardSources | None = field(default=None, init=False)

    def database(self, *, migrate: bool | None = None) -> Database:
        """The database, with its schema made current on the embedded default.

        On PostgreSQL the schema must be migrated explicitly (``mailfleet db upgrade``), so
        that several workers never race to migrate.
        """
        if self._database is None:
            database = Database(self.settings.effective_database_url)
            auto = self.settings.is_embedded if migrate is None else migrate
            database.prepare(auto_upgrade=auto)
            self._database = database
        return self._database

    def schema_state(self, *, upgrade: bool) -> SchemaState:
        """The schema's revisions, after migrating to the code's heads when ``upgrade``."""
        database = Database(self.settings.effective_database_url)
        try:
            before = migrate.current_revisions(database.engine)
            after = migrate.upgrade(database.engine)[1] if upgrade else before
            return SchemaState(
                database.describe(),
                frozenset(before),
                frozenset(after),
                frozenset(migrate.head_revisions()),
            )
        finally:
            database.dispose()

    def fleet_store(self) -> SqlFleetStore:
        """The fleet's mirror in the database."""
        return SqlFleetStore(self.database())

    def vault(self) -> SqlVault:
        """The encrypted secret store; a key file is created on first use."""
        if self._vault is None:
            keyring = load_keyring(self.settings.effective_master_key, create=True, env=self.env)
            self._vault = SqlVault(self.database(), keyring, self.clock)
        return self._vault

    def rotate_master_key(self, new_key_reference: str | None = None) -> Rotation:
        """Re-encrypt every secret under a new master key."""
        return rotate_master_key(
            self.vault(),
            self.settings.effective_master_key,
            new_key_reference=new_key_reference,
            env=self.env,
        )

    def resolve_secret(self, reference: str) -> Secret:
        """Read the secret an ``env:``/``file:`` reference points to."""
        return resolve_secret_ref(reference, self.env)

    def close(self) -> None:
        """Release connections."""
        for provider in self._mailbox_providers.values():
            closer = getattr(provider, "close", None)
            if callable(closer):
                closer()
        self._mailbox_providers.clear()
        if self._database is not None:
            self._database.dispose()
            self._database = None

    def warmup_ports(self, fleet: Fleet | None = None) -> WarmupPorts:
        """Warmup state in the database; metrics from the feedback store's daily counts (read
        from their trigger-kept rollup);
        listings from reputation's latest DNSBL run (a listed domain, or, with the ``fleet``,
        a listed sending IP of it, is a breach)."""
        from mailfleet.adapters.db.warmup_store import SqlWarmupStore
        from mailfleet.adapters.feedback.metrics import FeedbackMetricsSource
        from mailfleet.adapters.warmup.dnsbl_listings import DnsblListings

        gate, start = shipped_rules()
        return WarmupPorts(
            store=SqlWarmupStore(self.database(), self.clock),
            metrics=FeedbackMetricsSource(self.dashboard_feedback_counts()),
            blocklist=DnsblListings(self.reputation_store(), fleet),
            gate=gate,
            start=start,
        )

    def limiter(self) -> Limiter:
        """The send limiter: Redis when ``redis_url`` is set (shared by every worker), else
        in-process (the embedded default)."""
        if self.settings.redis_url:
            from mailfleet.adapters.limiter.redis import RedisLimiter

            return RedisLimiter.from_url(self.settings.redis_url)
        from mailfleet.adapters.limiter.memory import InProcessLimiter

        return InProcessLimiter(self.clock)

    def simulation_kit(self, start: datetime) -> SimulationKit:
        """A self-contained world for ``mailfleet simulate``: a fake clock at ``start`` and
        in-memory state, metrics, listings and limiter. Nothing touches the database."""
        from mailfleet.adapters.clock import FakeClock
        from mailfleet.adapters.limiter.memory import InProcessLimiter
        from mailfleet.adapters.warmup.memory import (
            InMemoryBlocklist,
            InMemoryMetrics,
            InMemoryWarmupStore,
        )

        clock = FakeClock(start)
        metrics = InMemoryMetrics()
        blocklist = InMemoryBlocklist()
        gate, start_rules = shipped_rules()
        ports = WarmupPorts(InMemoryWarmupStore(), metrics, blocklist, gate=gate, start=start_rules)
        return SimulationKit(ports, metrics, blocklist, InProcessLimiter(clock), clock)

    def reputation_config(self) -> ReputationConfig:
        """Reputation settings: DNSBL resolver, policy overrides, alert channels."""
        return load_reputation_config(self.env)

    def dnsbl_zones(self) -> tuple[DnsblZone, ...]:
        """The DNSBL zone list (shipped, or the operator's copy)."""
        return load_zones(self.reputation_config().policy.zones)

    def alert_rules(self) -> tuple[AlertRule, ...]:
        """The alert rules (shipped, or the operator's copy)."""
        return load_rules(self.reputation_config().policy.rules)

    def reputation_store(self) -> SqlReputationStore:
        """DNSBL history, alert states and history, domains' isolation state."""
        return SqlReputationStore(self.database())

    def monitoring_ports(self, fleet: Fleet) -> MonitoringPorts:
        """Everything the monitoring cycle talks to, for ``fleet``.

        Metrics are the feedback store's per-domain counts (deliveries, bounces, complaints,
        deferrals), so the rate rules judge what was really sent; an isolated pool domain's
        waiting mail moves to its healthy peers on the outbound queue.
        """
        config = self.reputation_config()
        store = self.reputation_store()
        resolver = UdpDnsblResolver(
            config.resolver.nameserver,
            config.resolver.port,
            timeout=config.resolver.timeout,
            concurrency=config.resolver.concurrency,
        )
        notifiers = build_notifiers(config.alerts, fleet, self.env)
        metrics = FeedbackDomainMetrics(self.dashboard_feedback_counts())
        return MonitoringPorts(
            resolver, metrics, store, store, store, notifiers, self.clock, self.message_queue()
        )

    def dns_template(self, path: Path | None = None) -> DnsTemplate:
        """The DNS template: the shipped ``policy/dns.toml``, or the file at ``path``, with
        each domain's staged DMARC policy (``mailfleet dmarc stage``) as its ``p=``."""
        template = load_dns_template(path)
        staged = tuple(sorted(stage_policies(self.dmarc_store()).items()))
        return replace(template, dmarc_domain_policies=staged) if staged else template

    def dns_provider(self, fleet: Fleet, name: str) -> DnsProvider:
        """The DNS provider called ``name`` in the spec, built once per process."""
        # kept in the instance dict, not a dataclass field: capabilities only append methods
        cache: dict[str, DnsProvider] = self.__dict__.setdefault("_dns_providers", {})
        if name not in cache:
            provider = fleet.provider(ProviderRole.DNS, name)
            cache[name] = build_dns_provider(provider, self.env)
        return cache[name]

    def dns_resolver(self, fleet: Fleet, server: str | None = None) -> DnsResolver:
        """Where verification looks: ``server`` (host[:port]), else the first DNS provider's
        ``resolver`` setting, else the in-memory zones for memory providers, else the system's.
        """
        if server is None:
            for provider in fleet.providers.values():
                if provider.role is ProviderRole.DNS and provider.settings.get("resolver"):
                    server = str(provider.settings["resolver"])
                    break
        if server is not None:
            host, _, port = server.rpartition(":") if server.count(":") == 1 else (server, "", "")
            return DnsPythonResolver([host or server], port=int(port) if port else 53)
        memory = [
            self.dns_provider(fleet, p.name)
            for p in fleet.providers.values()
            if p.role is ProviderRole.DNS and p.kind == "memory"
        ]
        if memory:
            return InMemoryResolver(*(m for m in memory if isinstance(m, InMemoryDnsProvider)))
        return DnsPythonResolver()

    def dns_budget_resolver(self, fleet: Fleet, server: str | None = None) -> DnsResolver | None:
        """The resolver plans check SPF budgets with: only one that is configured or given,
        so that a plan never queries the system resolver unasked."""
        configured = any(
            p.role is ProviderRole.DNS and p.settings.get("resolver")
            for p in fleet.providers.values()
        )
        return self.dns_resolver(fleet, server) if server or configured else None

    def dns_check_store(self) -> SqlDnsCheckStore:
        """Verification results in the database."""
        return SqlDnsCheckStore(self.database())

    def spf_oracle(self, resolver: DnsResolver) -> SpfOracle:
        """pyspf over ``resolver``."""
        return PySpfOracle(resolver)

    def dns_journal(self) -> SqlDnsJournal:
        """The record of every DNS apply, zone by zone."""
        return SqlDnsJournal(self.database())

    def dkim_rotation_store(self) -> SqlRotationStore:
        """DKIM rotation states in the database."""
        return SqlRotationStore(self.database())

    def mailbox_provider(self, fleet: Fleet, name: str) -> MailboxProvider:
        """The mailbox provider called ``name`` in the spec, built once per process."""
        if name not in self._mailbox_providers:
            from mailfleet.adapters.mailboxes.factory import build_mailbox_provider

            spec = fleet.provider(ProviderRole.MAILBOX, name)
            self._mailbox_providers[name] = build_mailbox_provider(spec, self.env, self.clock)
        return self._mailbox_providers[name]

    def mailbox_ledger(self) -> MailboxLedger:
        """Each mailbox's provisioning intents and outcomes, in the database."""
        from mailfleet.adapters.db.mailboxes_store import SqlMailboxLedger

        return SqlMailboxLedger(self.database())

    def feedback_store(self) -> SqlFeedbackStore:
        """Feedback events and the suppression list in the database."""
        return SqlFeedbackStore(self.database(), suppression_policy().hard_reasons)

    def verp_key(self) -> Secret:
        """The key that signs VERP return paths and unsubscribe tokens: the vault secret
        ``verp/key``, made on first use. Sending signs with it and feedback verifies with it.
        """
        try:
            return self.vault().get(VERP_KEY_SECRET)
        except SecretNotFound:
            key = Secret(secrets.token_urlsafe(32))
            self.vault().put(VERP_KEY_SECRET, key)
            return key

    def feedback_intake(
        self,
        addresses: IntakeAddresses,
        *,
        host: str = "127.0.0.1",
        port: int = 2525,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> FeedbackSmtpIntake:
        """The inbound SMTP server for reports, feeding the ingest service."""
        store, key = self.feedback_store(), self.verp_key()

        lookup = self.sent_lookup()

        def on_report(raw: bytes, recipients: tuple[str, ...]) -> None:
            ingest_message(
                raw, store=store, clock=self.clock, verp_key=key, source="smtp", lookup=lookup
            )

        return FeedbackSmtpIntake(addresses, on_report, host=host, port=port, max_bytes=max_bytes)

    def webhook_keys(self) -> WebhookKeys:
        """The relays' webhook secrets from the vault (``feedback/webhooks/<name>``); a relay
        without its secret is not enabled and its calls are refused."""

        def secret(name: str) -> Secret | None:
            try:
                return self.vault().get(f"feedback/webhooks/{name}")
            except SecretNotFound:
                return None

        user = secret("postmark-user")
        topics = secret("ses-topic-arns")
        return WebhookKeys(
            sendgrid_public_key=secret("sendgrid-public-key"),
            mailgun_signing_key=secret("mailgun-signing-key"),
            postmark_user=user.reveal() if user else None,
            postmark_password=secret("postmark-password"),
            postmark_token=secret("postmark-token"),
            ses_enabled=secret("ses-enabled") is not None,
            ses_topic_arns=frozenset(topics.reveal().split()) if topics else frozenset(),
        )

    def sns_client(self) -> SnsHttpClient:
        """Fetches SNS signing certificates (cached) and confirms SNS subscriptions."""
        from mailfleet.adapters.feedback.sns_client import HttpsSnsClient

        # Kept on the instance (not a dataclass field): certificates are cached per process.
        client: SnsHttpClient | None = self.__dict__.get("_sns_client")
        if client is None:
            client = self.__dict__["_sns_client"] = HttpsSnsClient()
        return client

    def handle_webhook(
        self, provider: str, headers: Mapping[str, str], body: bytes
    ) -> WebhookResult:
        """A relay's webhook call, verified and applied (what a ``POST /webhooks/{provider}``
        route calls)."""
        return handle_webhook(
            provider,
            headers,
            body,
            keys=self.webhook_keys(),
            store=self.feedback_store(),
            clock=self.clock,
            sns=self.sns_client(),
        )

    def bounce_mailbox(
        self,
        host: str,
        port: int,
        user: str,
        password_ref: str,
        *,
        folder: str = "INBOX",
        move_to: str | None = None,
        use_ssl: bool = False,
    ) -> BounceMailbox:
        """An IMAP bounce mailbox, logged in; the password comes from a secret reference."""
        from mailfleet.adapters.feedback.imap_mailbox import ImapBounceMailbox

        password = resolve_secret_ref(password_ref, self.env)
        return ImapBounceMailbox(
            host, port, user, password, folder=folder, move_to=move_to, use_ssl=use_ssl
        )

    def dmarc_store(self) -> DmarcStore:
        """DMARC aggregate report totals and staged policies in the database."""
        from mailfleet.adapters.db.feedback_dmarc_store import SqlDmarcStore

        return SqlDmarcStore(self.database())

    def user_store(self) -> UserStore:
        """Dashboard users and API token digests."""
        from mailfleet.adapters.db.web_store import SqlUserStore

        return SqlUserStore(self.database())

    def password_hasher(self) -> PasswordHasher:
        """argon2id password hashing."""
        from mailfleet.adapters.argon2_hasher import Argon2Hasher

        return Argon2Hasher()

    def read_model(self) -> FleetReadModel:
        """The dashboard's paged view of the fleet tables."""
        from mailfleet.adapters.db.web_read import SqlFleetReadModel

        return SqlFleetReadModel(self.database())

    def domain_control(self) -> DomainControl:
        """Pause and resume of domains."""
        from mailfleet.adapters.db.web_store import SqlDomainControl

        return SqlDomainControl(self.database())

    def dashboard_sources(self) -> DashboardSources:
        """What the dashboard reads beyond the foundation: each capability's own store.

        Warmup, feedback (rates, suppression), DNS checks and DKIM rotation, and reputation
        (blocklists, alerts, isolation) are read from the database; a figure a store lacks
        stays "not measured yet".
        """
        if self._dashboard_sources is None:
            self._dashboard_sources = self.dashboard_store_sources()
        return self._dashboard_sources

    def message_queue(self) -> SqlMessageQueue:
        """The outbound message queue in the database."""
        return SqlMessageQueue(self.database())

    def dispatcher(
        self, relay: Relay, settings: DispatchSettings, worker: str, fleet: Fleet | None = None
    ) -> Dispatcher:
        """A dispatcher over the queue, the vault's DKIM keys and an SMTP relay.

        The suppression list is the feedback store's (global and per sending domain), and
        every attempt's result is recorded there as a delivery, deferral or bounce event; the
        senders' mailboxes and domains get their last activity stamped.
        With the ``fleet``, the gate is the warmup's (``send_gate``); without one, each mailbox
        is capped at its synced daily limit. Shaping uses the shipped policy; receiving
        providers are recognised by well-known domains until an MX resolver is wired in.
        """
        from mailfleet.adapters.db.activity import ActivityDeliveryLog, SqlActivityStamp
        from mailfleet.adapters.sending.feedback_links import (
            FeedbackDeliveryLog,
            FeedbackSuppressions,
        )

        feedback = self.feedback_store()
        return Dispatcher(
            queue=self.message_queue(),
            relay=relay,
            gate=self.send_gate(fleet),
            suppressions=FeedbackSuppressions(feedback, self.clock),
            keys=VaultDkimKeys(self.vault()),
            clock=self.clock,
            settings=settings,
            worker=worker,
            shaping=load_shaping(),
            log=ActivityDeliveryLog(
                FeedbackDeliveryLog(feedback, bounce_rules(), suppression_policy()),
                SqlActivityStamp(self.database()),
            ),
        )

    def submission_controller(
        self, host: str, port: int, tls_context: ssl.SSLContext
    ) -> SubmissionController:
        """The SMTP submission endpoint; users are the vault's ``submission/<address>`` secrets."""
        vault = self.vault()
        users = {
            name.removeprefix(SUBMISSION_PREFIX): vault.get(name)
            for name in vault.names(SUBMISSION_PREFIX)
        }
        queue = self.message_queue()

        def enqueue(drafts: Sequence[MessageDraft]) -> list[int]:
            return queue.enqueue(drafts, self.clock.now())

        return SubmissionController(SubmissionHandler(users, enqueue), host, port, tls_context)

    def smtp_relay(self, config: SmtpRelayConfig) -> SmtpRelay:
        """An SMTP relay (a smarthost, or a provider's SMTP endpoint)."""
        return SmtpRelay(config, name=f"smtp:{config.host}:{config.port}")

    def ses_relay(self, region: str, configuration_set: str = "") -> Relay:
        """Amazon SES v2; AWS credentials come from boto3's usual chain (env, profile, role)."""
        import boto3

        from mailfleet.adapters.sending.ses_relay import SesRelay

        client = boto3.client("sesv2", region_name=region)
        return SesRelay(client, name=f"ses:{region}", configuration_set=configuration_set)

    def mailgun_relay(self, domain: str, key_secret: str, *, eu: bool = False) -> Relay:
        """Mailgun's raw-MIME API, with the API key read from the vault."""
        from mailfleet.adapters.sending.mailgun_relay import EU_BASE_URL, US_BASE_URL, MailgunRelay

        base_url = EU_BASE_URL if eu else US_BASE_URL
        return MailgunRelay(domain, self.vault().get(key_secret), base_url=base_url)

    def smtp_ip_pool(self, config: SmtpRelayConfig, sources: Sequence[tuple[str, int]]) -> Relay:
        """One SMTP relay per source IP, chosen by weight for every message."""
        from dataclasses import replace

        from mailfleet.adapters.sending.relay_pool import RelayPool

        relays: dict[str, Relay] = {
            ip: SmtpRelay(replace(config, source_address=ip), name=f"smtp:{ip}")
            for ip, _ in sources
        }
        return RelayPool(relays, {"default": list(sources)}, name="smtp-pool")

    def sent_lookup(self) -> SentMessageLookup:
        """Finds the queued message a bounce's VERP token (or Message-ID) points back to."""
        from mailfleet.adapters.sending.feedback_links import QueueSentMessageLookup

        return QueueSentMessageLookup(self.database())

    def send_gate(self, fleet: Fleet | None) -> SendGate:
        """The dispatcher's gate: today's warmup caps of ``fleet`` through the shared limiter
        (paused and isolated domains get nothing); without a fleet, the synced mailboxes'
        daily limits in this process."""
        if fleet is None:
            caps = sending_service.mailbox_caps(self.fleet_store())
            return InMemorySendGate(mailbox_caps=caps)
        from mailfleet.adapters.db.warmup_store import SqlWarmupStore
        from mailfleet.adapters.sending.warmup_gate import WarmupSendGate

        store = SqlWarmupStore(self.database(), self.clock)
        states = self.reputation_store().domain_states
        return WarmupSendGate(fleet, store, self.limiter(), self.clock, states)

    def dashboard_store_sources(self) -> DashboardSources:
        """The dashboard's ports over the capabilities' stores (see ``dashboard_sources``)."""
        from mailfleet.adapters.db.dashboard_events import SqlFeedbackEventLog
        from mailfleet.adapters.db.warmup_store import SqlWarmupStore
        from mailfleet.services.dashboard_edits import ServiceDomainActions, SuppressionEditor
        from mailfleet.services.dashboard_reads import (
            DnsAuthReader,
            DomainDetailReader,
            FeedbackRatesReader,
            LedgerProvisioningReader,
            ReputationReader,
            WarmupReader,
        )

        feedback, reputation = self.feedback_store(), self.reputation_store()
        warmup_store = SqlWarmupStore(self.database(), self.clock)
        rates = FeedbackRatesReader(self.dashboard_feedback_counts(), self.clock)
        dns = DnsAuthReader(self.dns_check_store(), self.dkim_rotation_store())
        monitoring = ReputationReader(reputation, reputation, reputation, self.read_model())
        return DashboardSources(
            warmup=WarmupReader(warmup_store, rates, self.clock),
            rates=rates,
            dns_auth=dns,
            blocklist=monitoring,
            details=DomainDetailReader(
                warmup_store,
                rates,
                dns,
                monitoring,
                self.clock,
                SqlFeedbackEventLog(self.database()),
            ),
            alerts=monitoring,
            suppression=SuppressionEditor(feedback, self.clock),
            actions=ServiceDomainActions(
                reputation, self.clock, self.dashboard_reverify_dns, self.dashboard_rotate_dkim
            ),
            provisioning=LedgerProvisioningReader(self.mailbox_ledger()),
        )

    def dashboard_reverify_dns(self, domain: str) -> bool:
        """Verify one domain's DNS against the spec and store the result (dashboard action)."""
        from mailfleet.services import dns_verify
        from mailfleet.spec import load_fleet

        fleet = load_fleet(self.settings.spec)
        report = dns_verify.verify_dns(
            fleet,
            self.dns_template(),
            self.vault(),
            self.dns_resolver(fleet),
            self.spf_oracle,
            self.dns_check_store(),
            self.clock,
            only=(domain,),
        )
        return bool(report.domains) and all(d.ok for d in report.domains)

    def dashboard_rotate_dkim(self, domain: str) -> bool:
        """Start or advance one domain's DKIM rotation (dashboard action)."""
        from mailfleet.services import dkim_rotation
        from mailfleet.spec import load_fleet

        fleet = load_fleet(self.settings.spec)
        outcomes = dkim_rotation.rotate_dkim(
            fleet,
            self.dns_template(),
            self.vault(),
            lambda name: self.dns_provider(fleet, name),
            self.dns_resolver(fleet),
            self.dkim_rotation_store(),
            self.clock,
            (domain,),
        )
        return bool(outcomes)

    def results_report(self, fleet: Fleet, days: int | None = None) -> ResultsReport:
        """The case study's results table for ``fleet``, measured from the database: warmup
        decisions, feedback counts, DNSBL history, DNS verifications, the mailbox ledger, the
        synced fleet and the dashboard's users. ``days`` bounds the period-bound rows (the
        last ``days`` days, today included); ``None`` reads everything stored."""
        from mailfleet.adapters.db.results_reads import SqlResultsHistory
        from mailfleet.adapters.db.warmup_store import SqlWarmupStore
        from mailfleet.services.report import ResultsPorts, build_results

        ports = ResultsPorts(
            fleet_store=self.fleet_store(),
            warmup=SqlWarmupStore(self.database(), self.clock),
            dns_checks=self.dns_check_store(),
            ledger=self.mailbox_ledger(),
            users=self.user_store(),
            history=SqlResultsHistory(self.database()),
        )
        return build_results(fleet, ports, self.clock.now(), days)

    def shaping_store(self) -> ShapingStore:
        """Provider backoffs learnt from deferrals: shared by every worker through Redis when
        ``redis_url`` is set, else kept in this process."""
        if self.settings.redis_url:
            from mailfleet.adapters.sending.shaping_redis import RedisShapingStore

            return RedisShapingStore.from_url(self.settings.redis_url)
        from mailfleet.adapters.sending.shaping_memory import InMemoryShapingStore

        return InMemoryShapingStore()

    def segment_relay_pool(self, fleet: Fleet, *, pool_size: int = 4) -> Relay:
        """Each segment's weighted pool from the spec: one SMTP relay per (relay provider,
        sending IP) of its domains, bound to that IP; each message leaves through an IP of
        its own domain."""
        from mailfleet.adapters.sending.pool_factory import build_segment_pool, smtp_relay_factory

        return build_segment_pool(fleet, smtp_relay_factory(self.env, pool_size=pool_size))

    def shaped_dispatcher(
        self, relay: Relay, settings: DispatchSettings, worker: str, fleet: Fleet | None = None
    ) -> Dispatcher:
        """``dispatcher`` whose provider backoffs are shared through ``shaping_store``."""
        dispatcher = self.dispatcher(relay, settings, worker, fleet)
        dispatcher.shaping_store = self.shaping_store()
        return dispatcher

    def dashboard_feedback_counts(self) -> DailyCountsReader:
        """The feedback store's per-domain daily counts as the dashboard reads them: from the
        trigger-kept rollup (``web_feedback_daily``), the same figures as the raw events."""
        from mailfleet.adapters.db.web_feedback_counts import SqlFeedbackDailyCounts

        return SqlFeedbackDailyCounts(self.database(), suppression_policy().hard_reasons)

    def login_failures(self) -> LoginFailures:
        """Failed dashboard sign-ins in the database, for the login throttle."""
        from mailfleet.adapters.db.web_login_store import SqlLoginFailures

        return SqlLoginFailures(self.database())

    def user_admin(self) -> UserAdminStore:
        """User management (roles, disabling, removal, token revocation) in the database."""
        from mailfleet.adapters.db.web_user_admin import SqlUserAdmin

        return SqlUserAdmin(self.database())


def build(
    settings: Settings, *, clock: Clock | None = None, env: Mapping[str, str] | None = None
) -> App:
    """Wire an ``App`` from settings. Nothing is opened until it is asked for."""
    configure_logging(settings.log_level)
    return App(settings=settings, clock=clock or SystemClock(), env=env)


def generate_master_key() -> str:
    """A new random master key in its text form, for ``master_key = env:NAME`` set-ups."""
    return encode_key(new_key())
