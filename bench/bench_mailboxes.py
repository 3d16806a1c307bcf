"""Bulk mailbox provisioning: 1,000 mailboxes over 40 domains against a fake Mailcow API
that takes 50 ms a request and answers 429 (Retry-After: 1) beyond a request-rate limit.

Measures, in one run:
- mailfleet's concurrent apply (bounded pool, shared Retry-After hold, backoff) of all 1,000;
- the one-at-a-time approach (the same calls, one after another) on a sample, extrapolated
  per mailbox to 1,000 (``--full-baseline`` runs all 1,000 one at a time: ~3 minutes);
- duplicates (creates per address at the fake), lost passwords (vault vs provider), and the
  changing calls a second apply makes (should be 0).

The vault and ledger are the real SQLite-backed ones. Run:
    .venv/bin/python bench/bench_mailboxes.py
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests/integration/mailboxes"))

from mailbox_fake_mailcow import FakeMailcow

from mailfleet.adapters.clock import SystemClock
from mailfleet.adapters.db.database import Database
from mailfleet.adapters.db.mailboxes_store import SqlMailboxLedger
from mailfleet.adapters.mailboxes.mailcow import MailcowProvider
from mailfleet.adapters.mailboxes.memory import InMemoryMailboxLedger
from mailfleet.adapters.vault import InMemoryVault, Keyring, SqlVault, new_key
from mailfleet.core.fleet import Fleet
from mailfleet.core.mailboxes.ports import MailboxLedger
from mailfleet.core.ports import SecretVault
from mailfleet.core.secrets import Secret
from mailfleet.services.mailboxes import (
    ApplyReport,
    Retrier,
    apply_plan,
    password_name,
    plan_mailboxes,
)
from mailfleet.spec.loader import load_fleet_text

HEADER = """
version: 1
defaults: {dns: d, mailbox: cow, relay: r}
providers:
  dns: {d: {kind: memory}}
  mailbox: {cow: {kind: mailcow, url: "http://unused", api_key: "env:UNUSED"}}
  relay: {r: {kind: memory}}
policies:
  business_hours: {default: [{days: mon-fri, start: "08:00", end: "18:00"}]}
  warmup_schedules: {six-weeks: {steps: [{week: 1, target: true}]}}
segments: {pool: {warmup: {priority: progressive}}}
domains:
"""


def fleet_of(domains: int, per_domain: int, prefix: str) -> Fleet:
    """``domains`` domains with ``per_domain`` generated mailboxes each."""
    lines = [
        f"  - {{name: {prefix}{d:02}.example, segment: pool, mailboxes: "
        f'[{{generate: {{count: {per_domain}, pattern: "sdr{{n:03}}"}}}}]}}'
        for d in range(domains)
    ]
    return load_fleet_text(HEADER + "\n".join(lines) + "\n", Path("bench.yaml"))


class Run:
    """A vault, ledger and provider on a fresh SQLite file, and a timed apply."""

    def __init__(self, api: FakeMailcow, folder: Path, name: str, *, memory: bool) -> None:
        clock = SystemClock()
        self.vault: SecretVault
        self.ledger: MailboxLedger
        if memory:
            self.vault, self.ledger = InMemoryVault(), InMemoryMailboxLedger()
        else:
            database = Database(f"sqlite:///{folder / name}.db")
            database.prepare(auto_upgrade=True)
            self.vault = SqlVault(database, Keyring(new_key()), clock)
            self.ledger = SqlMailboxLedger(database)
        self.provider = MailcowProvider(api.url, Secret(api.api_key), clock=clock)
        self.clock = clock

    def apply(self, fleet: Fleet, workers: int) -> tuple[ApplyReport, float]:
        retrier = Retrier(self.clock)
        start = time.perf_counter()
        plan = plan_mailboxes(fleet, lambda _n: self.provider, retrier=retrier)
        report = apply_plan(
            plan,
            {"cow": self.provider},
            self.vault,
            self.ledger,
            self.clock,
            retrier=retrier,
            workers=workers,
        )
        return report, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=32)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--rate", type=int, default=120, help="requests per second before 429")
    parser.add_argument("--baseline-sample", type=int, default=100)
    parser.add_argument("--full-baseline", action="store_true")
    parser.add_argument(
        "--memory-store",
        action="store_true",
        help="in-memory vault and ledger instead of SQLite: isolates the provider-bound part",
    )
    args = parser.parse_args()

    api = FakeMailcow(latency=args.latency, per_second=args.rate)
    api.start()
    folder = Path(tempfile.mkdtemp(prefix="bench-mailboxes-"))
    try:
        fleet = fleet_of(40, 25, "pool")
        run = Run(api, folder, "concurrent", memory=args.memory_store)
        report, concurrent_s = run.apply(fleet, args.workers)
        counts = report.counts()
        duplicates = sum(1 for n in api.creates.values() if n > 1)
        lost = sum(
            1
            for address, password in api.passwords.items()
            if run.vault.get(password_name(address)).reveal() != password
        )
        refused = api.limit.refused
        calls_before = api.changing_calls
        _, rerun_s = run.apply(fleet, args.workers)
        rerun_changes = api.changing_calls - calls_before

        sample = 1000 if args.full_baseline else args.baseline_sample
        base_fleet = fleet_of(max(1, sample // 25), min(25, sample), "base")
        base_run = Run(api, folder, "baseline", memory=args.memory_store)
        base_report, base_s = base_run.apply(base_fleet, workers=1)
        per_mailbox = base_s / len(base_report.outcomes)
    finally:
        api.stop()
        shutil.rmtree(folder, ignore_errors=True)

    store = "in-memory vault and ledger" if args.memory_store else "SQLite vault and ledger"
    print(f"mailbox provisioning: 1,000 mailboxes over 40 domains, fake Mailcow API, {store}")
    print(f"  latency {args.latency * 1000:.0f} ms/request, 429 beyond {args.rate} requests/s")
    print(
        f"  mailfleet apply ({args.workers} workers): {concurrent_s:6.1f} s  "
        f"{counts}  429s absorbed: {refused}"
    )
    how = (
        "measured on all 1,000"
        if args.full_baseline
        else f"{per_mailbox * 1000:.0f} ms/mailbox measured on {len(base_report.outcomes)}, x1000"
    )
    print(f"  one at a time: {per_mailbox * 1000:6.1f} s for 1,000 ({how})")
    print(f"  speed-up: {per_mailbox * 1000 / concurrent_s:.1f}x")
    print(f"  duplicates: {duplicates}   lost passwords: {lost}")
    print(f"  re-run: {rerun_s:.1f} s, changing calls: {rerun_changes}")


if __name__ == "__main__":
    main()
