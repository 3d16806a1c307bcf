"""Mailbox inventory and credential export."""

from __future__ import annotations

import csv
import io
import json
import os
from dataclasses import dataclass
from pathlib import Path

from mailfleet.core.errors import SecretNotFound
from mailfleet.core.fleet import Fleet, ProviderRole
from mailfleet.core.mailboxes.inventory import InventoryFilter, InventoryRow, build_inventory
from mailfleet.core.mailboxes.ports import MailboxLedger
from mailfleet.core.ports import Clock, FleetStore, SecretVault
from mailfleet.services.mailboxes import password_name

# Submission endpoints of the cloud providers (RFC 6409 port 587 with STARTTLS).
DEFAULT_SMTP = {"google": ("smtp.gmail.com", 587), "microsoft365": ("smtp.office365.com", 587)}
FORMATS = ("csv", "json")


def list_mailboxes(
    fleet: Fleet,
    ledger: MailboxLedger,
    store: FleetStore,
    clock: Clock,
    wanted: InventoryFilter,
) -> list[InventoryRow]:
    """Every mailbox with its provider, status, provisioning time and last activity."""
    return build_inventory(fleet, ledger.entries(), store.snapshot(), clock.now(), wanted)


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote, and the mailboxes that have no password in the vault."""

    path: Path
    written: int
    missing: tuple[str, ...]


def smtp_endpoint(fleet: Fleet, provider: str) -> tuple[str, int | None]:
    """The submission host and port of a mailbox provider: its settings, else the default."""
    body = fleet.provider(ProviderRole.MAILBOX, provider)
    host, port = DEFAULT_SMTP.get(body.kind, ("", None))
    host = str(body.settings.get("smtp_host", host))
    raw_port = body.settings.get("smtp_port", port)
    return host, int(str(raw_port)) if raw_port is not None else None


def export_credentials(
    fleet: Fleet, vault: SecretVault, path: Path, *, fmt: str = "csv", domain: str | None = None
) -> ExportResult:
    """Write address, password, SMTP host and port of every spec mailbox to ``path``.

    The file is created with mode 0600 before a byte is written, and replaced atomically.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    rows: list[dict[str, object]] = []
    missing: list[str] = []
    for d in fleet.domains:
        if domain is not None and d.name != domain:
            continue
        host, port = smtp_endpoint(fleet, d.mailbox_provider)
        for mailbox in d.mailboxes:
            try:
                password = vault.get(password_name(mailbox.address)).reveal()
            except SecretNotFound:
                missing.append(mailbox.address)
                continue
            rows.append(
                {
                    "address": mailbox.address,
                    "password": password,
                    "smtp_host": host,
                    "smtp_port": port if port is not None else "",
                }
            )
    _write_private(path, _render(rows, fmt))
    return ExportResult(path, len(rows), tuple(missing))


def _render(rows: list[dict[str, object]], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(rows, indent=2) + "\n"
    out = io.StringIO()
    writer = csv.DictWriter(
        out, fieldnames=["address", "password", "smtp_host", "smtp_port"], lineterminator="\n"
    )
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
