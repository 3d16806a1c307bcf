"""Typed settings, loaded explicitly from a TOML file and the environment, never at import.

Precedence, lowest first: defaults, the TOML file (``--config`` or ``./mailfleet.toml``),
environment variables ``MAILFLEET_<NAME>``, then explicit overrides from the command line.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from mailfleet.core.errors import ConfigError
from mailfleet.core.feedback.intake import DEFAULT_MAX_BYTES
from mailfleet.core.secrets import parse_secret_ref

ENV_PREFIX = "MAILFLEET_"
DEFAULT_CONFIG_FILE = Path("mailfleet.toml")


class Settings(BaseModel):
    """Everything mailfleet needs to know about where it runs."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    spec: Path = Field(default=Path("fleet.yaml"), description="The fleet spec file.")
    data_dir: Path = Field(
        default=Path(".mailfleet"),
        description="Folder for the embedded database, the master key file and other state.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; empty means SQLite at <data_dir>/mailfleet.db. "
        "For PostgreSQL: postgresql+psycopg://user@host/dbname.",
    )
    redis_url: str | None = Field(
        default=None,
        description="Redis for limiter state shared across workers; empty means in-process.",
    )
    master_key: str | None = Field(
        default=None,
        description="Reference to the vault's master key: 'env:NAME' (base64 of 32 bytes) or "
        "'file:PATH'; empty means file:<data_dir>/master.key, created on first use (mode 0600).",
    )
    web_bind: str = Field(default="127.0.0.1:8025", description="host:port the web app binds.")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", description="Lowest level of log lines written to stderr."
    )
    feedback_bounce_domains: tuple[str, ...] = Field(
        default=(),
        description="Domains of the VERP return paths (bounces+...@domain) the report intake "
        "accepts; in the environment, separated by commas. `feedback serve --bounce-domain` "
        "overrides it.",
    )
    feedback_fbl_addresses: tuple[str, ...] = Field(
        default=(),
        description="Feedback-loop addresses the report intake accepts besides the bounce "
        "domains; in the environment, separated by commas.",
    )
    feedback_max_bytes: int = Field(
        default=DEFAULT_MAX_BYTES,
        ge=1024,
        description="Largest report (with its returned original) the intake accepts, in bytes.",
    )

    @field_validator("master_key")
    @classmethod
    def _key_is_a_reference(cls, value: str | None) -> str | None:
        if value:
            parse_secret_ref(value)
        return value or None

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str | None) -> str | None:
        if value and not value.startswith(("sqlite", "postgresql")):
            raise ValueError("only sqlite:/// and postgresql+psycopg:// URLs are supported")
        return value or None

    @field_validator("feedback_bounce_domains", "feedback_fbl_addresses", mode="before")
    @classmethod
    def _address_list(cls, value: object) -> object:
        # The environment gives one string: "a.example, b.example".
        if isinstance(value, str):
            value = [part for part in value.replace(",", " ").split() if part]
        if isinstance(value, list | tuple):
            return tuple(str(item).strip().lower() for item in value if str(item).strip())
        return value

    @field_validator("feedback_bounce_domains")
    @classmethod
    def _domains(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for domain in value:
            if "@" in domain or "." not in domain.strip("."):
                raise ValueError(f"{domain!r} is not a domain name")
        return value

    @field_validator("feedback_fbl_addresses")
    @classmethod
    def _addresses(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for address in value:
            local, at, domain = address.rpartition("@")
            if not at or not local or "." not in domain:
                raise ValueError(f"{address!r} is not an email address")
        return value

    @property
    def effective_database_url(self) -> str:
        """The database URL, defaulting to a SQLite file in the data folder."""
        return self.database_url or f"sqlite:///{(self.data_dir / 'mailfleet.db').resolve()}"

    @property
    def effective_master_key(self) -> str:
        """The master key reference, defaulting to a key file in the data folder."""
        return self.master_key or f"file:{(self.data_dir / 'master.key').resolve()}"

    @property
    def is_embedded(self) -> bool:
        """True on the embedded default: SQLite and in-process limiter state."""
        return self.effective_database_url.startswith("sqlite")


def load_settings(
    config_file: Path | None = None,
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Build settings from the file, the environment and ``overrides``; raise ``ConfigError``."""
    environ = os.environ if env is None else env
    values: dict[str, Any] = {}
    path = config_file or (
        Path(environ[f"{ENV_PREFIX}CONFIG"]) if f"{ENV_PREFIX}CONFIG" in environ else None
    )
    if path is None and DEFAULT_CONFIG_FILE.is_file():
        path = DEFAULT_CONFIG_FILE
    if path is not None:
        try:
            values.update(tomllib.loads(path.read_text(encoding="utf-8")))
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read the settings file: {exc.strerror}") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    for name in Settings.model_fields:
        key = f"{ENV_PREFIX}{name.upper()}"
        if key in environ:
            values[name] = environ[key]
    values.update({k: v for k, v in (overrides or {}).items() if v is not None})
    try:
        return Settings.model_validate(values)
    except ValidationError as exc:
        source = f"{path} and the environment" if path else "the environment"
        reasons = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {str(e['msg']).removeprefix('Value error, ')}"
            for e in exc.errors()
        )
        raise ConfigError(f"invalid settings from {source}: {reasons}") from None
