"""The composition root: the only place that turns settings into concrete adapters.

Entry points (CLI, web, workers) call ``build`` once and ask the ``App`` for what they need;
everything is created on first use, so a command that needs no database opens none.
"""

from __future__ import annotations

import base64
import secrets
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from mailfleet.adapters.clock import SystemClock
from mailfleet.adapters.db.database import Database
from mailfleet.adapters.db.fleet_store import SqlFleetStore
from mailfleet.adapters.sending.memory import InMemorySendGate, InMemorySuppressions
from mailfleet.adapters.sending.policy_files import load_shaping
from mailfleet.adapters.sending.smtp_relay import SmtpRelay, SmtpRelayConfig
from mailfleet.adapters.sending.sql_queue import SqlMessageQueue
from mailfleet.adapters.sending.submission_server import SubmissionController, SubmissionHandler
from mailfleet.adapters.sending.vault_keys import VaultDkimKeys
from mailfleet.adapters.vault import SqlVault, load_keyring
from mailfleet.core.errors import SecretNotFound
from mailfleet.core.ports import Clock
from mailfleet.core.secrets import Secret
from mailfleet.core.sending.model import MessageDraft
from mailfleet.core.sending.ports import Relay
from mailfleet.services import sending as sending_service
from mailfleet.services.dispatcher import Dispatcher, DispatchSettings
from mailfleet.settings import Settings

VERP_KEY_NAME = "sending/verp-key"
SUBMISSION_PREFIX = "submission/"


@dataclass
class App:
    """Wired dependencies for one process."""

    settings: Settings
    clock: Clock
    env: Mapping[str, str] | None = None
    _database: Database | None = field(default=None, init=False)
    _vault: SqlVault | None = field(default=None, init=False)

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

    def raw_database(self) -> Database:
        """The database without any schema check, for the ``db`` commands."""
        return Database(self.settings.effective_database_url)

    def fleet_store(self) -> SqlFleetStore:
        """The fleet's mirror in the database."""
        return SqlFleetStore(self.database())

    def vault(self) -> SqlVault:
        """The encrypted secret store; a key file is created on first use."""
        if self._vault is None:
            keyring = load_keyring(self.settings.effective_master_key, create=True, env=self.env)
            self._vault = SqlVault(self.database(), keyring, self.clock)
        return self._vault

    def close(self) -> None:
        """Release connections."""
        if self._database is not None:
            self._database.dispose()
            self._database = None

    def message_queue(self) -> SqlMessageQueue:
        """The outbound message queue in the database."""
        return SqlMessageQueue(self.database())

    def verp_key(self) -> bytes:
        """The key that signs VERP return paths and unsubscribe tokens (made on first use)."""
        try:
            return base64.b64decode(self.vault().get(VERP_KEY_NAME).reveal())
        except SecretNotFound:
            key = secrets.token_bytes(32)
            self.vault().put(VERP_KEY_NAME, Secret(base64.b64encode(key).decode("ascii")))
            return key

    def dispatcher(self, relay: Relay, settings: DispatchSettings, worker: str) -> Dispatcher:
        """A dispatcher over the queue, the vault's DKIM keys and an SMTP relay.

        The embedded send gate caps each mailbox at its spec daily limit, and the suppression
        list is in memory, until the warmup and feedback capabilities provide theirs. Shaping
        uses the shipped policy; receiving providers are recognised by well-known domains
        until an MX resolver is wired in.
        """
        return Dispatcher(
            queue=self.message_queue(),
            relay=relay,
            gate=InMemorySendGate(mailbox_caps=sending_service.mailbox_caps(self.fleet_store())),
            suppressions=InMemorySuppressions(),
            keys=VaultDkimKeys(self.vault()),
            clock=self.clock,
            settings=settings,
            worker=worker,
            shaping=load_shaping(),
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


def build(
    settings: Settings, *, clock: Clock | None = None, env: Mapping[str, str] | None = None
) -> App:
    """Wire an ``App`` from settings. Nothing is opened until it is asked for."""
    return App(settings=settings, clock=clock or SystemClock(), env=env)
