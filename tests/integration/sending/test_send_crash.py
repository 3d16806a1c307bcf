"""Crash safety: kill -9 a dispatching worker mid-run, again and again; nothing is lost.

Duplicates are allowed only inside the documented window (claimed, handed to the relay, killed
before its batch was settled): at most BATCHES_IN_FLIGHT + 1 batches per kill (the ones being
sent and the one being settled beside them), and with the same Message-ID.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from typer.testing import CliRunner

from mailfleet.adapters.sending.smtp_sink import RecordingSink
from mailfleet.adapters.sending.vault_keys import secret_name
from mailfleet.bootstrap import build
from mailfleet.cli.app import app as cli
from mailfleet.core.secrets import Secret
from mailfleet.core.sending.dkim import DkimKey
from mailfleet.core.sending.model import MessageState
from mailfleet.services.dispatcher import BATCHES_IN_FLIGHT
from mailfleet.settings import load_settings

MESSAGES = 500
BATCH = 25
KILLS = 4
LEASE = 2.0


def _worker(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    command = [
        sys.executable, "-m", "mailfleet", "--data-dir", str(data_dir), "dispatch",
        "--relay-host", "127.0.0.1", "--relay-port", str(port), "--tls", "none",
        "--batch", str(BATCH), "--lease-seconds", str(LEASE), "--connections", "4", "--once",
    ]  # fmt: skip
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _wait_for_progress(recorder: RecordingSink, worker: subprocess.Popen[bytes]) -> None:
    start = len(recorder.received)
    deadline = time.monotonic() + 60
    while len(recorder.received) < start + BATCH + 7 and time.monotonic() < deadline:
        if worker.poll() is not None:
            return
        time.sleep(0.01)


def test_kill_9_mid_batch_loses_nothing(
    tmp_path: Path, sink: tuple[RecordingSink, int], rsa_key: DkimKey
) -> None:
    """After repeated kill -9 and restarts every message is sent; repeats stay in the window."""
    recorder, port = sink
    recorder.keep_data = False
    data_dir = tmp_path / "state"
    rows = "email,name\n" + "".join(f"u{i}@example.org,User {i}\n" for i in range(MESSAGES))
    (tmp_path / "list.csv").write_text(rows)
    (tmp_path / "body.txt").write_text("Hello $name\n" + "x" * 2000 + "\n")
    app = build(load_settings(overrides={"data_dir": data_dir}), env=os.environ)
    app.vault().put(secret_name("example.com", "s1"), Secret(rsa_key.private_pem.decode()))
    app.close()
    result = CliRunner().invoke(
        cli,
        ["--data-dir", str(data_dir), "campaign", "import", str(tmp_path / "list.csv"),
         "--from", "news@example.com", "--subject", "Hi $name",
         "--body-file", str(tmp_path / "body.txt"), "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output

    kills = 0
    for _ in range(KILLS):
        worker = _worker(data_dir, port)
        _wait_for_progress(recorder, worker)
        if worker.poll() is None:
            os.kill(worker.pid, signal.SIGKILL)
            kills += 1
        worker.wait()
        time.sleep(LEASE + 0.2)  # let the dead worker's lease run out
    final = _worker(data_dir, port)
    _, errors = final.communicate(timeout=120)
    assert final.returncode == 0, errors.decode()

    app = build(load_settings(overrides={"data_dir": data_dir}), env=os.environ)
    counts = app.message_queue().counts()
    expected = set(app.message_queue().message_ids().values())
    app.close()
    assert kills >= 2, "the workers finished before they could be killed"
    assert counts[MessageState.SENT] == MESSAGES
    received = Counter(recorder.message_ids())
    assert set(received) == expected, "every queued Message-ID arrived, and nothing else"
    duplicates = sum(n - 1 for n in received.values())
    assert duplicates <= kills * (BATCHES_IN_FLIGHT + 1) * BATCH
    assert max(received.values()) <= 1 + kills
