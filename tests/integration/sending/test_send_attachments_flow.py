"""Attachments end to end: stored with the message (SQLite and PostgreSQL), sent by
`mailfleet send --attach` and `mailfleet dispatch` to a real sink, refused over the limit."""

from __future__ import annotations

import email
import email.policy
import json
import os
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from typer.testing import CliRunner

from mailfleet.adapters.db.database import Database
from mailfleet.adapters.sending.smtp_sink import RecordingSink
from mailfleet.adapters.sending.sql_queue import SqlMessageQueue
from mailfleet.adapters.sending.vault_keys import secret_name
from mailfleet.bootstrap import build
from mailfleet.cli.app import app as cli
from mailfleet.core.secrets import Secret
from mailfleet.core.sending.attachments import MAX_ATTACHMENT_BYTES
from mailfleet.core.sending.dkim import DkimKey
from mailfleet.core.sending.model import Attachment, MessageDraft
from mailfleet.settings import load_settings

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def test_attachments_are_stored_and_claimed_with_their_message(database: Database) -> None:
    """Files come back with the claim, in order, byte for byte; other messages have none."""
    queue = SqlMessageQueue(database)
    files = (
        Attachment("a.bin", "application/octet-stream", bytes(range(256))),
        Attachment("b.txt", "text/plain", "é\n".encode()),
    )
    queue.enqueue(
        [
            MessageDraft("n@example.com", "x@example.org", "s", "t", attachments=files),
            MessageDraft("n@example.com", "y@example.org", "s", "t"),
        ],
        NOW,
    )
    claim = queue.claim("w", 10, NOW, 60)
    assert [m.draft.attachments for m in claim.messages] == [files, ()]


def test_migration_matches_the_attachment_table(database: Database) -> None:
    """After `sending_0002`, the attachments table matches its ORM class."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from mailfleet.adapters.db.tables import Base

    with database.engine.connect() as connection:
        diffs = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert [d for d in diffs if "outbound_attachments" in repr(d)] == []


def test_send_attach_then_dispatch_delivers_the_files(
    tmp_path: Path, sink: tuple[RecordingSink, int], rsa_key: DkimKey
) -> None:
    """`send --attach` twice; the sink gets one signed multipart/mixed message carrying both."""
    recorder, port = sink
    app = build(load_settings(overrides={"data_dir": tmp_path}), env=os.environ)
    app.vault().put(secret_name("example.com", "s1"), Secret(rsa_key.private_pem.decode()))
    app.close()
    body = tmp_path / "body.txt"
    body.write_text("Two files.\n")
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(b"%PDF-1.4\n" + bytes(range(256)))
    notes = tmp_path / "notes.txt"
    notes.write_text("plain notes\n")
    runner = CliRunner()
    sent = runner.invoke(
        cli,
        ["--data-dir", str(tmp_path), "send", "--from", "news@example.com",
         "--to", "bob@example.org", "--subject", "Files", "--body-file", str(body),
         "--attach", str(pdf), "--attach", str(notes), "--json"],
    )  # fmt: skip
    assert sent.exit_code == 0, sent.output
    result = runner.invoke(
        cli,
        ["--data-dir", str(tmp_path), "dispatch", "--relay-port", str(port), "--tls", "none",
         "--once", "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["sent"] == 1
    data = recorder.received[0].data
    assert data.startswith(b"DKIM-Signature: v=1;")
    parsed = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    assert parsed.get_content_type() == "multipart/mixed"
    files = [(p.get_filename(), p.get_content_type(), p.get_payload(decode=True))
             for p in list(parsed.iter_parts())[1:]]  # fmt: skip
    assert files == [
        ("report.pdf", "application/pdf", pdf.read_bytes()),
        ("notes.txt", "text/plain", b"plain notes\n"),
    ]


def test_send_refuses_attachments_over_the_limit(tmp_path: Path) -> None:
    """Files over the limit in all are refused (exit 2) before anything is queued."""
    body = tmp_path / "body.txt"
    body.write_text("x\n")
    big = tmp_path / "big.bin"
    with big.open("wb") as handle:
        handle.truncate(MAX_ATTACHMENT_BYTES + 1)
    result = CliRunner().invoke(
        cli,
        ["--data-dir", str(tmp_path), "send", "--from", "n@example.com", "--to", "b@example.org",
         "--subject", "x", "--body-file", str(body), "--attach", str(big), "--json"],
    )  # fmt: skip
    assert result.exit_code == 2
    assert "the limit is" in json.loads(result.stdout)["error"]
    status = CliRunner().invoke(cli, ["--data-dir", str(tmp_path), "queue", "status", "--json"])
    assert json.loads(status.stdout)["queued"] == 0
