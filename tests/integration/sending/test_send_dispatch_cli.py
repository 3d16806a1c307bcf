"""`mailfleet dispatch` end to end in-process: vault key, queue, IP pool, sink."""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

from typer.testing import CliRunner

from mailfleet.adapters.sending.smtp_sink import RecordingSink
from mailfleet.adapters.sending.vault_keys import secret_name
from mailfleet.bootstrap import build
from mailfleet.cli.app import app as cli
from mailfleet.core.secrets import Secret
from mailfleet.core.sending.dkim import DkimKey
from mailfleet.settings import load_settings


def test_dispatch_spreads_over_the_ip_pool(
    tmp_path: Path, sink: tuple[RecordingSink, int], rsa_key: DkimKey
) -> None:
    """Queued mail goes out signed through both source IPs of the pool, 1:1 by weight."""
    recorder, port = sink
    app = build(load_settings(overrides={"data_dir": tmp_path}), env=os.environ)
    app.vault().put(secret_name("example.com", "s1"), Secret(rsa_key.private_pem.decode()))
    app.close()
    body = tmp_path / "body.txt"
    body.write_text("Hello\n")
    runner = CliRunner()
    for i in range(20):
        sent = runner.invoke(
            cli,
            ["--data-dir", str(tmp_path), "send", "--from", "news@example.com",
             "--to", f"u{i}@example.org", "--subject", "Hi", "--body-file", str(body)],
        )  # fmt: skip
        assert sent.exit_code == 0, sent.output
    result = runner.invoke(
        cli,
        ["--data-dir", str(tmp_path), "dispatch", "--relay-port", str(port), "--tls", "none",
         "--source-ip", "127.0.0.1", "--source-ip", "127.0.0.3=1", "--once", "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["sent"] == 20
    peers = Counter(r.peer.split("'")[1] for r in recorder.received)
    assert set(peers) == {"127.0.0.1", "127.0.0.3"}
    assert sum(peers.values()) == 20
    assert all(r.data.startswith(b"DKIM-Signature: v=1;") for r in recorder.received)
    assert all(b"a=rsa-sha256;" in r.data[:40] for r in recorder.received)


def test_bad_source_ip_is_bad_input(tmp_path: Path) -> None:
    """A --source-ip that is not an address exits 2 with a reason."""
    result = CliRunner().invoke(
        cli,
        ["--data-dir", str(tmp_path), "dispatch", "--source-ip", "not-an-ip", "--once", "--json"],
    )
    assert result.exit_code == 2
    assert "expected IP or IP=WEIGHT" in json.loads(result.stdout)["error"]


def test_spec_pools_need_the_spec(tmp_path: Path) -> None:
    """--spec-pools without a fleet spec exits 2 naming the missing file."""
    result = CliRunner().invoke(
        cli, ["--data-dir", str(tmp_path), "dispatch", "--spec-pools", "--once", "--json"]
    )
    assert result.exit_code == 2
    assert "--spec-pools needs the fleet spec" in json.loads(result.stdout)["error"]
