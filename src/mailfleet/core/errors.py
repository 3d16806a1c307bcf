"""mailfleet's exception hierarchy.

Foreign exceptions (SQLAlchemy, cryptography, provider SDKs, YAML) are translated at the edge
into these, so callers handle one tree::

    MailfleetError
     ├── SpecError            the fleet spec is invalid; carries every problem found
     ├── ConfigError          settings cannot be loaded or a secret reference cannot be resolved
     ├── StorageError         the database cannot be reached, or its schema is not current
     │    └── SchemaOutOfDate
     ├── VaultError           a secret cannot be stored or read
     │    ├── SecretNotFound
     │    └── VaultKeyError   the master key is missing, malformed, or does not open a secret
     └── ProviderError        an outside provider (DNS, mailbox, relay) failed; adapters subclass it

Only our own bugs raise anything else.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class MailfleetError(Exception):
    """Base of every error mailfleet raises on purpose."""


@dataclass(frozen=True, slots=True)
class SpecProblem:
    """One problem in a spec: where it is, what is wrong, and what to do about it."""

    file: Path
    line: int | None
    where: str
    message: str
    hint: str = ""

    def render(self) -> str:
        """Format as ``file:line: where: message (hint)``, the shape editors can jump to."""
        location = f"{self.file}:{self.line}" if self.line is not None else str(self.file)
        text = (
            f"{location}: {self.where}: {self.message}"
            if self.where
            else f"{location}: {self.message}"
        )
        return f"{text} ({self.hint})" if self.hint else text

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready form for ``--json`` output."""
        return {
            "file": str(self.file),
            "line": self.line,
            "where": self.where,
            "message": self.message,
            "hint": self.hint,
        }


class SpecError(MailfleetError):
    """The spec is invalid. ``problems`` holds all of them, sorted by file and line."""

    def __init__(self, problems: list[SpecProblem]) -> None:
        unique = dict.fromkeys(problems)  # the same mistake reached twice is reported once
        self.problems = sorted(unique, key=lambda p: (str(p.file), p.line or 0, p.where))
        count = len(self.problems)
        super().__init__(f"{count} problem{'s' if count != 1 else ''} in the fleet spec")


class ConfigError(MailfleetError):
    """Settings are invalid, or a secret reference (``env:``/``file:``) cannot be resolved."""


class StorageError(MailfleetError):
    """The database cannot be reached or used."""


class SchemaOutOfDate(StorageError):
    """The database schema is behind the code; ``mailfleet db upgrade`` brings it up to date."""


class VaultError(MailfleetError):
    """A secret cannot be stored or read."""


class SecretNotFound(VaultError):
    """No secret is stored under the name asked for."""


class VaultKeyError(VaultError):
    """The master key is missing or malformed, or does not open a stored secret."""


class ProviderError(MailfleetError):
    """An outside provider failed. ``retryable`` tells callers whether trying again may help."""

    def __init__(self, message: str, *, retryable: bool = False) -> None:
        super().__init__(message)
        self.retryable = retryable
