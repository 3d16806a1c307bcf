"""p50/p95 of the fleet overview and a domain page with 500 domains and millions of events.

A fleet of 500 domains and 2,500 mailboxes is synced into a fresh database, served by uvicorn
on a loopback port and requested over HTTP by a signed-in client (as ``bench_web.py``). The
pages are timed twice in the same run: first with an empty ``feedback_events`` table (the
baseline), then after the events are generated (10 million on PostgreSQL, 1 million on SQLite
by default; over the last 30 days, 90% deliveries). The raw 7-day scan that served the rates
before the rollup is timed once as well, and ``--explain`` prints the plans of the queries
behind each page.

Events are generated set-based: ``INSERT ... SELECT generate_series`` in chunks on PostgreSQL,
``executemany`` batches on SQLite; the rollup triggers count them as they go in.

    python bench/bench_dashboard.py [--db sqlite|postgresql|both] [--events N]
                                    [--requests 100] [--explain]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import Engine, create_engine, text

from bench_web import DOMAINS, p95, postgres_database, serve, signed_in
from mailfleet.adapters.db.dashboard_events import SqlFeedbackEventLog
from mailfleet.adapters.db.database import Database
from mailfleet.adapters.db.feedback_store import SqlFeedbackStore
from mailfleet.adapters.db.web_feedback_counts import SqlFeedbackDailyCounts
from mailfleet.policy.rules import suppression_policy

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)  # bench_web's clock
DAYS = 30
DEFAULT_EVENTS = {"postgresql": 10_000_000, "sqlite": 1_000_000}
PAGES = (
    ("overview, first page (100 domains)", "/"),
    ("overview, all 500 domains", "/?per_page=500"),
    ("domain page (charts, events)", "/domains/bench250.example"),
)
TARGET_MS = 200.0

# One event per i: domain i % 500, spread evenly over the last 30 days; the kind and reason
# depend on i // 500 as well, so every domain gets every kind.
_PG_CHUNK = """
INSERT INTO feedback_events (kind, recipient, recipient_domain, sending_domain, mailbox,
    message_id, ip, reason, status, permanent, source, occurred_at)
SELECT
    CASE WHEN h < 90 THEN 'delivery' WHEN h < 95 THEN 'deferral'
         WHEN h < 99 THEN 'bounce' ELSE 'complaint' END,
    'u' || (i % 200000) || '@rcpt' || (i % 97) || '.example',
    'rcpt' || (i % 97) || '.example',
    'bench' || lpad((i % 500)::text, 3, '0') || '.example',
    'rep01@bench' || lpad((i % 500)::text, 3, '0') || '.example',
    NULL, '10.0.0.1',
    CASE WHEN h < 90 THEN 'delivered' WHEN h < 95 THEN 'greylisted'
         WHEN h < 97 THEN 'mailbox_unknown' WHEN h < 99 THEN 'mailbox_full' ELSE 'spam' END,
    CASE WHEN h >= 95 AND h < 99 THEN '5.1.1' END,
    h >= 95 AND h < 97,
    'bench',
    :now - make_interval(secs => i * :span / :total)
FROM (SELECT i, ((i / 500) * 7919 + i) % 100 AS h
      FROM generate_series(CAST(:first AS bigint), CAST(:last AS bigint)) AS g(i)) AS s
"""


def _sqlite_row(i: int, total: int) -> tuple[object, ...]:
    h = ((i // 500) * 7919 + i) % 100
    kind = "delivery" if h < 90 else "deferral" if h < 95 else "bounce" if h < 99 else "complaint"
    reason = (
        "delivered"
        if h < 90
        else "greylisted"
        if h < 95
        else "mailbox_unknown"
        if h < 97
        else "mailbox_full"
        if h < 99
        else "spam"
    )
    at = NOW - timedelta(seconds=i * DAYS * 86400 / total)
    domain = f"bench{i % 500:03}.example"
    return (
        kind,
        f"u{i % 200000}@rcpt{i % 97}.example",
        f"rcpt{i % 97}.example",
        domain,
        f"rep01@{domain}",
        None,
        "10.0.0.1",
        reason,
        "5.1.1" if 95 <= h < 99 else None,
        95 <= h < 97,
        "bench",
        at.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f"),  # SQLAlchemy's SQLite form
    )


def generate(engine: Engine, total: int) -> float:
    """Insert ``total`` events; the seconds it took (rollup triggers included)."""
    started = time.perf_counter()
    if engine.dialect.name == "postgresql":
        chunk = 1_000_000
        for first in range(0, total, chunk):
            with engine.begin() as conn:
                conn.execute(
                    text(_PG_CHUNK),
                    {
                        "now": NOW,
                        "span": float(DAYS * 86400),
                        "total": float(total),
                        "first": first,
                        "last": min(first + chunk, total) - 1,
                    },
                )
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE feedback_events"))
            conn.execute(text("VACUUM ANALYZE web_feedback_daily"))
    else:
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            batch = 50_000
            for first in range(0, total, batch):
                cursor.executemany(
                    "INSERT INTO feedback_events (kind, recipient, recipient_domain, "
                    "sending_domain, mailbox, message_id, ip, reason, status, permanent, "
                    "source, occurred_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [_sqlite_row(i, total) for i in range(first, min(first + batch, total))],
                )
                raw.commit()
            cursor.execute("ANALYZE")
            raw.commit()
        finally:
            raw.close()
    return time.perf_counter() - started


def measure(client: httpx.Client, path: str, count: int) -> tuple[float, float]:
    """p50 and p95 in milliseconds of ``count`` sequential GETs after two warm-ups."""
    for _ in range(2):
        client.get(path).raise_for_status()
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        response = client.get(path)
        samples.append(time.perf_counter() - started)
        response.raise_for_status()
    return statistics.median(samples) * 1000, p95(samples) * 1000


def raw_scan_seconds(database: Database) -> float:
    """One read of the raw 7-day daily counts, as the rates were served before the rollup."""
    store = SqlFeedbackStore(database, suppression_policy().hard_reasons)
    started = time.perf_counter()
    store.daily_counts(NOW - timedelta(days=6, hours=9), NOW + timedelta(seconds=1))
    return time.perf_counter() - started


def explain(database: Database) -> None:
    """The plans of the queries behind each page."""
    counts = SqlFeedbackDailyCounts(database, suppression_policy().hard_reasons)
    today = NOW.date()
    page = [f"bench{i:03}.example" for i in range(100)]
    queries = {
        "overview rates (7 days, the page's 100 domains, summed per domain)": (
            counts.rollup_query(today - timedelta(days=6), today, page, by_day=False)
        ),
        "overview sent today (the page's 100 domains)": counts.rollup_query(today, today, page),
        "domain chart (30 days, one domain)": counts.rollup_query(
            today - timedelta(days=29), today, ["bench250.example"]
        ),
        "domain recent events": SqlFeedbackEventLog(database).recent_query("bench250.example", 20),
        "future edge of today (raw, time index)": text(
            "SELECT kind, sending_domain, reason, permanent, occurred_at FROM feedback_events "
            "WHERE occurred_at >= :a AND occurred_at < :b"
        ).bindparams(
            a=NOW + timedelta(seconds=1),
            b=datetime.combine(today + timedelta(days=1), datetime.min.time(), UTC),
        ),
    }
    pg = database.dialect == "postgresql"
    prefix = "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " if pg else "EXPLAIN QUERY PLAN "
    with database.engine.connect() as conn:
        for label, query in queries.items():
            compiled = query.compile(conn, compile_kwargs={"literal_binds": True})
            sql = str(compiled)
            print(f"\n-- {label}\n{sql}")
            for row in conn.execute(text(prefix + sql)):
                print("   ", " | ".join(str(c) for c in row))


@contextmanager
def _database(kind: str, folder: Path) -> Iterator[str]:
    if kind == "postgresql":
        with postgres_database() as url:
            yield url
    else:
        yield f"sqlite:///{folder / 'bench.db'}"


def run(kind: str, events: int, count: int, show_plans: bool) -> None:
    """Baseline (no events), then events, then the same pages again, on one backend."""
    with (
        tempfile.TemporaryDirectory() as tmp,
        _database(kind, Path(tmp)) as url,
        serve(url, Path(tmp)) as base,
    ):
        client = signed_in(base)
        print(f"\n{kind}: {DOMAINS} domains, {count} sequential requests per page")
        baseline = {path: measure(client, path, count) for _, path in PAGES}
        engine = create_engine(url)
        seconds = generate(engine, events)
        engine.dispose()
        print(f"generated {events:,} events over {DAYS} days in {seconds:.0f} s")
        loaded = {path: measure(client, path, count) for _, path in PAGES}
        client.close()
        print(f"{'page':<38} {'empty p50/p95 ms':>17} {'loaded p50/p95 ms':>18}  target")
        for name, path in PAGES:
            (b50, b95), (l50, l95) = baseline[path], loaded[path]
            verdict = "ok" if l95 <= TARGET_MS else "OVER"
            print(
                f"{name:<38} {b50:8.1f}/{b95:7.1f} {l50:9.1f}/{l95:7.1f}  "
                f"{verdict} ({TARGET_MS:.0f})"
            )
        database = Database(url)
        try:
            print(f"raw 7-day event scan without the rollup: {raw_scan_seconds(database):.2f} s")
            if show_plans:
                explain(database)
        finally:
            database.dispose()


def main() -> None:
    """Run on the chosen backends."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--events", type=int, help="events to generate (default 10M PG, 1M SQLite)")
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--explain", action="store_true", help="print the query plans")
    args = parser.parse_args()
    kinds = ("sqlite", "postgresql") if args.db == "both" else (args.db,)
    for kind in kinds:
        run(kind, args.events or DEFAULT_EVENTS[kind], args.requests, args.explain)


if __name__ == "__main__":
    main()
