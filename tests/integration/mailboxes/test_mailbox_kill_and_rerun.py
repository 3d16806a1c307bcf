"""A run killed with SIGKILL mid-way, then re-run: complete, nothing twice, no password lost."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from mailbox_fake_mailcow import FakeMailcow

from mailfleet.bootstrap import build
from mailfleet.core.state import MailboxState
from mailfleet.services.mailboxes import password_name
from mailfleet.settings import load_settings

COUNT = 60
SPEC = """
version: 1
defaults: {{dns: d, mailbox: cow, relay: r}}
providers:
  dns: {{d: {{kind: memory}}}}
  mailbox: {{cow: {{kind: mailcow, url: "{url}", api_key: "env:MAILCOW_TEST_KEY"}}}}
  relay: {{r: {{kind: memory}}}}
policies:
  business_hours: {{default: [{{days: mon-fri, start: "08:00", end: "18:00"}}]}}
  warmup_schedules: {{six-weeks: {{steps: [{{week: 1, target: true}}]}}}}
segments: {{primary: {{warmup: {{priority: first}}}}}}
domains:
  - name: a.example
    segment: primary
    mailboxes: [{{generate: {{count: {half}, pattern: "a{{n:03}}"}}}}]
  - name: b.example
    segment: primary
    mailboxes: [{{generate: {{count: {half}, pattern: "b{{n:03}}"}}}}]
"""


@pytest.fixture
def slow_mailcow() -> Iterator[FakeMailcow]:
    """A fake Mailcow that takes 20 ms a request, so a run can be cut in the middle."""
    api = FakeMailcow(latency=0.02)
    api.start()
    yield api
    api.stop()


def _command(tmp_path: Path) -> list[str]:
    return [
        sys.executable, "-m", "mailfleet", "--data-dir", str(tmp_path / "state"),
        "mailboxes", "apply", "--spec", str(tmp_path / "fleet.yaml"), "--json", "--workers", "4",
    ]  # fmt: skip


def test_sigkill_mid_run_then_rerun_completes_without_duplicates(
    tmp_path: Path, slow_mailcow: FakeMailcow
) -> None:
    """Kill after ~15 creates; the re-run creates the rest once each; every password is kept."""
    (tmp_path / "fleet.yaml").write_text(SPEC.format(url=slow_mailcow.url, half=COUNT // 2))
    env = {**os.environ, "MAILCOW_TEST_KEY": slow_mailcow.api_key}
    first = subprocess.Popen(
        _command(tmp_path), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while sum(slow_mailcow.creates.values()) < 15 and time.monotonic() < deadline:
        if first.poll() is not None:
            pytest.fail("the first run ended before it could be killed")
        time.sleep(0.005)
    first.send_signal(signal.SIGKILL)
    first.wait()
    time.sleep(0.2)  # requests already sent still complete at the server: count them too
    created_before = sum(slow_mailcow.creates.values())
    assert 15 <= created_before < COUNT

    second = subprocess.run(
        _command(tmp_path), check=False, env=env, capture_output=True, timeout=120
    )
    assert second.returncode == 0, second.stderr.decode()
    summary = json.loads(second.stdout)["summary"]
    assert summary["created"] == COUNT - created_before
    assert summary["failed"] == 0

    assert len(slow_mailcow.mailboxes) == COUNT
    assert set(slow_mailcow.creates.values()) == {1}  # no address was ever created twice
    app = build(load_settings(overrides={"data_dir": tmp_path / "state"}), env=env)
    try:
        vault = app.vault()
        for address, password in slow_mailcow.passwords.items():
            assert vault.get(password_name(address)).reveal() == password
        entries = app.mailbox_ledger().entries()
        assert {e.state for e in entries.values()} == {MailboxState.ACTIVE}
        assert all(e.intent is None for e in entries.values())
    finally:
        app.close()

    calls = slow_mailcow.changing_calls
    third = subprocess.run(
        _command(tmp_path), check=False, env=env, capture_output=True, timeout=120
    )
    assert json.loads(third.stdout)["summary"]["unchanged"] == COUNT
    assert slow_mailcow.changing_calls == calls
