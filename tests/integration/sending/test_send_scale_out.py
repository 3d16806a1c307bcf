"""Scale-out: several dispatcher processes on one PostgreSQL queue send every message once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest

from mailfleet.adapters.sending.smtp_sink import RecordingSink
from mailfleet.adapters.sending.vault_keys import secret_name
from mailfleet.bootstrap import build
from mailfleet.core.secrets import Secret
from mailfleet.core.sending.dkim import DkimKey
from mailfleet.core.sending.model import MessageDraft, MessageState
from mailfleet.settings import load_settings

WORKERS = 3
MESSAGES = 300


@pytest.mark.postgres
def test_three_workers_share_the_queue_without_duplicates(
    tmp_path: Path,
    postgres_server_url: str,
    sink: tuple[RecordingSink, int],
    rsa_key: DkimKey,
) -> None:
    """Three `mailfleet dispatch --once` processes drain one queue; each message arrives once."""
    recorder, port = sink
    recorder.keep_data = False
    plain = postgres_server_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")
    overrides = {"data_dir": tmp_path, "database_url": postgres_server_url}
    app = build(load_settings(overrides=overrides), env=os.environ)
    app.database(migrate=True)
    app.vault().put(secret_name("example.com", "s1"), Secret(rsa_key.private_pem.decode()))
    app.verp_key()  # created once here, not raced by the workers
    drafts = [
        MessageDraft("news@example.com", f"u{i}@example.org", "Hi", "Hello\n")
        for i in range(MESSAGES)
    ]
    app.message_queue().enqueue(drafts, datetime.now(UTC))
    command = [
        sys.executable, "-m", "mailfleet", "--data-dir", str(tmp_path),
        "--database-url", postgres_server_url, "dispatch", "--relay-host", "127.0.0.1",
        "--relay-port", str(port), "--tls", "none", "--batch", "20", "--once", "--json",
    ]  # fmt: skip
    workers = [subprocess.Popen(command, stdout=subprocess.PIPE, text=True) for _ in range(WORKERS)]
    handled = []
    for worker in workers:
        out, _ = worker.communicate(timeout=120)
        assert worker.returncode == 0, out
        handled.append(out)
    counts = app.message_queue().counts()
    expected = set(app.message_queue().message_ids().values())
    app.close()
    assert counts[MessageState.SENT] == MESSAGES
    received = Counter(recorder.message_ids())
    assert set(received) == expected
    assert max(received.values()) == 1, "no message was sent twice"
    shares = [int(json.loads(out)["messages"]) for out in handled]
    assert sum(shares) == MESSAGES, shares
