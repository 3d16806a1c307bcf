"""The handle the Dovecot fixture gives tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class DovecotServer:
    """A running Dovecot and the PostfixAdmin database it authenticates against."""

    port: int
    database_url: str
    log: Path
