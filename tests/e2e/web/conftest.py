"""Browser fixtures: the web app served by uvicorn on a free loopback port, and Chromium.

Chromium is Debian's (/usr/bin/chromium) driven by Playwright's Python package; Playwright's
own browser download is never used. Tests are skipped when either is missing.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from sqlalchemy import update

from dashboard_seeding import (
    seed_alert,
    seed_blocklist,
    seed_dns,
    seed_feedback,
    seed_warmup,
)
from mailfleet.adapters.clock import FakeClock
from mailfleet.adapters.db.tables import DomainRow, MailboxRow
from web_support import Served, WebEnv, make_env

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _add_activity(env: WebEnv, now: datetime) -> None:
    """Give some domains runtime states and activity, as the other capabilities would."""
    with env.app.database().session() as s:
        for i, state in ((0, "active"), (1, "warming"), (2, "warming"), (5, "active")):
            s.execute(
                update(DomainRow)
                .where(DomainRow.name == f"d{i:03}.example")
                .values(state=state, last_activity_at=now - timedelta(minutes=7 * (i + 1)))
            )
        s.execute(
            update(MailboxRow)
            .where(MailboxRow.address.like("box01@%"))
            .values(state="active", last_activity_at=now - timedelta(hours=3))
        )


def _add_capability_rows(env: WebEnv, clock: FakeClock) -> None:
    """Rows stored by the capabilities themselves: warmup decisions, feedback, a DNS check,
    a DNSBL run with a listing, a fired alert and a suppressed address."""
    seed_warmup(env.app, clock)
    seed_feedback(env.app, clock, delivered=80, bounced=2, complained=1)
    seed_dns(env.app, clock)
    for i in range(2, 40):  # the other domains: varied, mostly healthy figures
        name = f"d{i:03}.example"
        seed_feedback(env.app, clock, 6 + i % 4, 1 if i % 7 == 0 else 0, 0, domain=name)
        seed_dns(env.app, clock, name, dkim_ok=i % 6 != 0)
    seed_blocklist(env.app, clock)
    seed_alert(env.app, clock)
    env.app.dashboard_sources().suppression.suppress(
        "complainer@mail.example", "complaint", "tests", clock.now()
    )


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """A 40-domain fleet on SQLite served on 127.0.0.1:<free port> in a thread."""
    folder = tmp_path_factory.mktemp("served")
    now = datetime.now(UTC).replace(microsecond=0)
    # The latest Friday: the seeded week of warmup decisions then always spans one weekend,
    # whatever day the tests run (the warmup does not judge weekends).
    now -= timedelta(days=(now.weekday() - 4) % 7)
    env = make_env(f"sqlite:///{folder / 'mailfleet.db'}", folder, FakeClock(now), domains=40)
    _add_activity(env, now)
    _add_capability_rows(env, FakeClock(now))
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(env.web(), log_level="warning", access_log=False, lifespan="off")
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the web server did not start")
        time.sleep(0.05)
    shots = folder / "screenshots"
    shots.mkdir()
    yield Served(env, f"http://127.0.0.1:{port}", shots)
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()
    env.app.close()
    target = os.environ.get("MAILFLEET_SCREENSHOTS")
    if target:  # refresh docs/screenshots on request only, never as a side effect of tests
        Path(target).mkdir(parents=True, exist_ok=True)
        for shot in shots.glob("*.png"):
            shutil.copy(shot, Path(target) / shot.name)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium through Playwright."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()
