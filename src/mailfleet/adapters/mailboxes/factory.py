"""Build a mailbox provider from its spec entry; secret references are resolved here."""

from __future__ import annotations

from collections.abc import Mapping

from mailfleet.adapters.secret_refs import resolve_secret_ref
from mailfleet.core.errors import ConfigError
from mailfleet.core.fleet import Provider
from mailfleet.core.mailboxes.ports import MailboxProvider
from mailfleet.core.ports import Clock
from mailfleet.core.secrets import Secret


def build_mailbox_provider(
    spec: Provider, env: Mapping[str, str] | None, clock: Clock
) -> MailboxProvider:
    """The adapter for ``spec.kind``, configured from ``spec.settings``."""
    settings = ProviderSettings(spec, env)
    if spec.kind == "memory":
        from mailfleet.adapters.mailboxes.memory import InMemoryMailboxProvider

        return InMemoryMailboxProvider()
    if spec.kind == "postfixadmin":
        from sqlalchemy.engine import make_url

        from mailfleet.adapters.mailboxes.postfixadmin import PostfixAdminProvider

        url = make_url(settings.text("database_url"))
        if "database_password" in spec.settings:  # kept out of the URL in the spec
            url = url.set(password=settings.secret("database_password").reveal())
        return PostfixAdminProvider(
            url.render_as_string(hide_password=False),
            clock=clock,
            create_domains=settings.flag("create_domains", default=True),
            bcrypt_rounds=int(settings.number("bcrypt_rounds", 10)),
        )
    if spec.kind == "mailcow":
        from mailfleet.adapters.mailboxes.mailcow import MailcowProvider

        return MailcowProvider(
            settings.text("url"),
            settings.secret("api_key"),
            clock=clock,
            quota_mb=int(settings.number("quota_mb", 1024)),
            relayhosts=settings.mapping("relayhosts"),
            timeout=settings.number("timeout", 30.0),
        )
    if spec.kind == "google":
        from mailfleet.adapters.mailboxes.google import GoogleWorkspaceProvider

        return GoogleWorkspaceProvider(
            settings.secret("credentials"),
            settings.text("subject"),
            clock=clock,
            api_url=settings.text("api_url", "https://admin.googleapis.com"),
            timeout=settings.number("timeout", 30.0),
        )
    if spec.kind == "microsoft365":
        from mailfleet.adapters.mailboxes.microsoft365 import Microsoft365Provider

        sku = spec.settings.get("sku_id")
        return Microsoft365Provider(
            settings.text("tenant_id"),
            settings.text("client_id"),
            settings.secret("client_secret"),
            clock=clock,
            sku_id=str(sku) if sku else None,
            usage_location=settings.text("usage_location", "US"),
            graph_url=settings.text("graph_url", "https://graph.microsoft.com"),
            login_url=settings.text("login_url", "https://login.microsoftonline.com"),
            timeout=settings.number("timeout", 30.0),
        )
    raise ConfigError(f"mailbox provider {spec.name!r}: kind {spec.kind!r} is not available yet")


class ProviderSettings:
    """Typed access to one provider's settings, naming the provider in every error."""

    def __init__(self, spec: Provider, env: Mapping[str, str] | None) -> None:
        self._spec = spec
        self._env = env

    def text(self, key: str, default: str | None = None) -> str:
        """A plain setting; ``ConfigError`` when missing and no default."""
        value = self._spec.settings.get(key, default)
        if value is None:
            raise ConfigError(
                f"mailbox provider {self._spec.name!r} ({self._spec.kind}) needs the "
                f"setting {key!r}"
            )
        return str(value)

    def number(self, key: str, default: float) -> float:
        """A numeric setting."""
        raw = self._spec.settings.get(key, default)
        try:
            return float(str(raw))
        except ValueError:
            raise ConfigError(
                f"mailbox provider {self._spec.name!r}: {key} must be a number, not {raw!r}"
            ) from None

    def mapping(self, key: str) -> dict[str, str]:
        """A name-to-value table, e.g. relay names to a provider's relay ids."""
        raw = self._spec.settings.get(key, {})
        if not isinstance(raw, dict):
            raise ConfigError(f"mailbox provider {self._spec.name!r}: {key} must be a mapping")
        return {str(k): str(v) for k, v in raw.items()}

    def flag(self, key: str, *, default: bool) -> bool:
        """A yes/no setting."""
        raw = self._spec.settings.get(key, default)
        if isinstance(raw, bool):
            return raw
        raise ConfigError(f"mailbox provider {self._spec.name!r}: {key} must be true or false")

    def secret(self, key: str) -> Secret:
        """A secret setting, resolved from its ``env:``/``file:`` reference."""
        reference = self.text(key)
        try:
            return resolve_secret_ref(reference, self._env)
        except ConfigError as exc:
            raise ConfigError(f"mailbox provider {self._spec.name!r}: {key}: {exc}") from None
