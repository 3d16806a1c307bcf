"""Reputation settings: the DNSBL resolver, policy file overrides and alert channels.

Read from a TOML file (``MAILFLEET_REPUTATION_CONFIG``, else ``./reputation.toml`` if present);
without one, DNSBLs are asked through 127.0.0.1:53 and alerts go to the log only. Secrets
(webhook URLs, HMAC keys, SMTP passwords) are references such as ``env:NAME``, never values.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from mailfleet.core.errors import ConfigError
from mailfleet.core.secrets import parse_secret_ref

CONFIG_ENV = "MAILFLEET_REPUTATION_CONFIG"
DEFAULT_FILE = Path("reputation.toml")


def _reference(value: str) -> str:
    parse_secret_ref(value)
    return value


class ResolverConfig(BaseModel):
    """Where DNSBL queries go: a local caching resolver or a list mirror, never a public one."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    nameserver: str = "127.0.0.1"
    port: int = Field(default=53, ge=1, le=65535)
    timeout: float = Field(default=3.0, gt=0)
    concurrency: int = Field(default=128, ge=1, le=1024)


class PolicyConfig(BaseModel):
    """Operator copies of the shipped policy files, if any."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    zones: Path | None = None
    rules: Path | None = None


class SlackChannel(BaseModel):
    """A Slack-compatible incoming webhook."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["slack"]
    name: str = "slack"
    url: str

    @field_validator("url")
    @classmethod
    def _url_is_secret(cls, value: str) -> str:
        return _reference(value)


class WebhookChannel(BaseModel):
    """A generic JSON webhook signed with HMAC-SHA256."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["webhook"]
    name: str = "webhook"
    url: str
    key: str

    @field_validator("url", "key")
    @classmethod
    def _secrets(cls, value: str) -> str:
        return _reference(value)


class EmailChannel(BaseModel):
    """Email through an SMTP server, from the monitoring segment's mailbox."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["email"]
    name: str = "email"
    host: str
    port: int = Field(default=25, ge=1, le=65535)
    to: list[str] = Field(min_length=1)
    sender: str | None = None  # default: the first mailbox of the monitoring segment
    username: str | None = None
    password: str | None = None
    starttls: bool = False

    @field_validator("password")
    @classmethod
    def _password_is_secret(cls, value: str | None) -> str | None:
        return _reference(value) if value else None


class LogChannel(BaseModel):
    """The ``mailfleet.alerts`` logger."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["log"]
    name: str = "log"


Channel = Annotated[
    SlackChannel | WebhookChannel | EmailChannel | LogChannel, Field(discriminator="kind")
]


def _log_only() -> list[Channel]:
    return [LogChannel(kind="log")]


class AlertsConfig(BaseModel):
    """Where alerts go, and which segment sends alert email."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    monitoring_segment: str = "monitoring"
    channels: list[Channel] = Field(default_factory=_log_only)


class ReputationConfig(BaseModel):
    """The whole reputation settings file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    resolver: ResolverConfig = ResolverConfig()
    policy: PolicyConfig = PolicyConfig()
    alerts: AlertsConfig = AlertsConfig()


def load_reputation_config(env: Mapping[str, str] | None = None) -> ReputationConfig:
    """Read the settings file if there is one; raise ``ConfigError`` with every reason."""
    environ = os.environ if env is None else env
    path = Path(environ[CONFIG_ENV]) if CONFIG_ENV in environ else None
    if path is None and DEFAULT_FILE.is_file():
        path = DEFAULT_FILE
    if path is None:
        return ReputationConfig()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the reputation settings: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    try:
        return ReputationConfig.model_validate(data)
    except ValidationError as exc:
        reasons = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {str(e['msg']).removeprefix('Value error, ')}"
            for e in exc.errors()
        )
        raise ConfigError(f"{path}: invalid reputation settings: {reasons}") from None
