"""p95 latency of the dashboard's overview and domain pages with 500 domains.

A fleet of 5 segments, 500 domains and 2,500 mailboxes is synced into a fresh database
(SQLite by default; ``--pg`` also runs on a temporary PostgreSQL database at 127.0.0.1:5432),
served by uvicorn on a free loopback port in a thread, and requested over real HTTP by a
signed-in client. Baselines measured in the same run through the same server and client: a
static file (the stylesheet) and ``/healthz`` (one database ping).

    python bench/bench_web.py [--requests 200] [--pg]
"""

from __future__ import annotations

import argparse
import re
import socket
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import httpx
import psycopg
import uvicorn

from mailfleet.adapters.argon2_hasher import Argon2Hasher
from mailfleet.adapters.clock import FakeClock
from mailfleet.bootstrap import build
from mailfleet.core.dashboard.access import Role
from mailfleet.core.secrets import Secret
from mailfleet.services import users
from mailfleet.services.fleet import sync_fleet
from mailfleet.settings import Settings
from mailfleet.spec import load_fleet
from mailfleet.web.app import create_app

DOMAINS = 500
MAILBOXES_PER_DOMAIN = 5
SEGMENTS = ("primary", "pool-a", "pool-b", "transactional", "monitoring")
PASSWORD = "benchmark password 1"  # noqa: S105 - a throwaway user in a temporary database
PG_SERVER = "postgresql://postgres@127.0.0.1:5432"


def write_spec(folder: Path) -> Path:
    """The template's policies and segments with 500 generated domains."""
    template = resources.files("mailfleet.spec").joinpath("template.yaml").read_text("utf-8")
    lines = [template[: template.index("\ndomains:")], "domains:"]
    for i in range(DOMAINS):
        lines += [
            f"  - name: bench{i:03}.example",
            f"    segment: {SEGMENTS[i % len(SEGMENTS)]}",
            f"    sending_ips: [10.0.{i // 250}.{i % 250 + 1}]",
            "    mailboxes:",
            f'      - generate: {{count: {MAILBOXES_PER_DOMAIN}, pattern: "rep{{n:02}}"}}',
        ]
    path = folder / "fleet.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@contextmanager
def postgres_database() -> Iterator[str]:
    """A temporary PostgreSQL database, dropped afterwards."""
    name = f"mailfleet_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def serve(database_url: str, folder: Path) -> Iterator[str]:
    """Sync the fleet, add a user, and serve the app on a free port; yield its base URL."""
    clock = FakeClock(datetime(2026, 1, 5, 9, 0, tzinfo=UTC))
    spec = write_spec(folder)
    settings = Settings(spec=spec, data_dir=folder / "data", database_url=database_url)
    app = build(settings, clock=clock)
    app.database(migrate=True)
    sync_fleet(load_fleet(spec), app.fleet_store(), clock, str(spec))
    hasher = Argon2Hasher(time_cost=1, memory_kib=1024)
    users.add_user(
        app.user_store(), hasher, clock, "bench@example.com", Role.VIEWER, Secret(PASSWORD)
    )
    sock = socket.socket()
    # Without TCP_NODELAY, responses written in two parts wait ~40 ms for a delayed ACK.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(
        uvicorn.Config(create_app(app), log_level="warning", access_log=False, lifespan="off")
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        app.close()


def signed_in(base: str) -> httpx.Client:
    """A client with a session cookie."""
    client = httpx.Client(base_url=base, timeout=30)
    form = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token
    client.post(
        "/login",
        data={"csrf_token": token.group(1), "email": "bench@example.com", "password": PASSWORD},
    )
    return client


def latencies(client: httpx.Client, path: str, count: int) -> list[float]:
    """Seconds per request for ``count`` sequential GETs (after two warm-up requests)."""
    for _ in range(2):
        client.get(path).raise_for_status()
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        response = client.get(path)
        samples.append(time.perf_counter() - started)
        response.raise_for_status()
    return samples


def p95(samples: list[float]) -> float:
    """The 95th percentile."""
    return statistics.quantiles(samples, n=20)[-1]


def run(label: str, database_url: str, count: int) -> None:
    """Measure every page on one database and print a table."""
    with tempfile.TemporaryDirectory() as tmp, serve(database_url, Path(tmp)) as base:
        client = signed_in(base)
        pages = [
            ("baseline: static stylesheet", "/static/style.css"),
            ("baseline: /healthz (one DB ping)", "/healthz"),
            ("overview, first page (100 domains)", "/"),
            ("overview, all 500 domains on one page", "/?per_page=500"),
            ("overview, filtered (segment + search)", "/?segment=pool-a&q=bench1"),
            ("domain page", "/domains/bench250.example"),
            ("mailbox inventory (100 of 2,500)", "/mailboxes"),
        ]
        print(
            f"\n{label}: {DOMAINS} domains, {DOMAINS * MAILBOXES_PER_DOMAIN} mailboxes, "
            f"{count} sequential requests each"
        )
        print(f"{'page':<42} {'p50 ms':>8} {'p95 ms':>8}")
        for name, path in pages:
            samples = latencies(client, path, count)
            print(f"{name:<42} {statistics.median(samples) * 1000:8.1f} {p95(samples) * 1000:8.1f}")
        client.close()


def main() -> None:
    """Run on SQLite, and on PostgreSQL with ``--pg``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--pg", action="store_true", help="also run on PostgreSQL")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run("SQLite", f"sqlite:///{Path(tmp) / 'bench.db'}", args.requests)
    if args.pg:
        with postgres_database() as url:
            run("PostgreSQL", url, args.requests)


if __name__ == "__main__":
    main()
