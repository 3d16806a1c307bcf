"""Benchmark: plan + apply + verify for 300 domains against a real PowerDNS, next to the naive
way (the same RRsets written one HTTP call at a time, a new connection per call), same run.

Run: .venv/bin/python bench/bench_dns.py [--domains 300]
Needs pdns-server and pdns-backend-sqlite3 (Debian); starts its own server on free ports.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from dns_support.fleets import make_fleet
from dns_support.pdns import running_powerdns
from mailfleet.adapters.clock import SystemClock
from mailfleet.adapters.dns.memory import InMemoryDnsCheckStore
from mailfleet.adapters.dns.powerdns import PowerDnsProvider
from mailfleet.adapters.dns.resolver import DnsPythonResolver
from mailfleet.adapters.dns.spf_oracle import PySpfOracle
from mailfleet.adapters.dns.wire import dotted, to_content
from mailfleet.adapters.vault import InMemoryVault
from mailfleet.core.dns.plan import Change, ChangeKind
from mailfleet.core.dns.records import Record, RecordType
from mailfleet.core.secrets import Secret
from mailfleet.policy.dns import load_dns_template
from mailfleet.services.dns import apply_dns, desired_for, plan_dns
from mailfleet.services.dns_verify import verify_dns


def _timed(label: str, action):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = action()
    elapsed = time.perf_counter() - start
    print(f"  {label:<44} {elapsed:8.2f} s")
    return result, elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--domains", type=int, default=300)
    count = parser.parse_args().domains
    template = load_dns_template()
    relay = {"spf_include": "_spf.relay.bench", "return_path_host": "rp.relay.bench"}
    fleet = make_fleet(count, relay=relay, suffix="bench")
    naive_fleet = make_fleet(count, relay=relay, suffix="naive")
    vault = InMemoryVault()
    with running_powerdns() as server:
        provider = PowerDnsProvider("pdns", server.api_url, Secret(server.api_key))
        resolver = DnsPythonResolver(["127.0.0.1"], port=server.dns_port)
        # the relay's SPF, so that include: resolves as it would in the world
        provider.ensure_zone("relay.bench")
        relay_spf = Record.of(
            "_spf.relay.bench", RecordType.TXT, 300, ["v=spf1 ip4:198.51.100.0/24 -all"]
        )
        provider.apply("relay.bench", [Change(ChangeKind.CREATE, None, relay_spf)])
        print(f"{count} domains, PowerDNS 4.7 (gsqlite3) on loopback, RSA-2048 DKIM x2 each")
        _, keygen = _timed(
            "DKIM key generation (one-time, 2 per domain)",
            lambda: [desired_for(fleet, d, template, vault) for d in fleet.domains],
        )
        plan, t_plan = _timed(
            "mailfleet plan", lambda: plan_dns(fleet, template, vault, lambda _: provider)
        )
        rrsets = plan.totals()["create"]
        report, t_apply = _timed(
            "mailfleet apply (plan + write)",
            lambda: apply_dns(fleet, template, vault, lambda _: provider),
        )
        assert report.ok, "apply failed"
        again, t_again = _timed(
            "mailfleet second apply (must be empty)",
            lambda: apply_dns(fleet, template, vault, lambda _: provider),
        )
        assert again.plan.is_empty, "second apply was not empty"
        verified, t_verify = _timed(
            "mailfleet verify (resolve + SPF + DKIM + DMARC)",
            lambda: verify_dns(
                fleet,
                template,
                vault,
                resolver,
                PySpfOracle,
                InMemoryDnsCheckStore(),
                SystemClock(),
            ),
        )
        print(f"  coverage after verify: {verified.coverage:.1f} %")

        def naive() -> int:
            # the same RRsets, one PATCH per RRset, over one keep-alive connection (so the
            # difference is the number of calls, not TLS or connection set-up)
            calls = 0
            client = httpx.Client(
                base_url=f"{server.api_url}/api/v1/servers/localhost",
                headers={"X-API-Key": server.api_key},
            )
            for domain in naive_fleet.domains:
                zone = dotted(domain.name)
                body = {"name": zone, "kind": "Native", "nameservers": [f"ns1.{zone}"]}
                client.post("/zones", json=body).raise_for_status()
                calls += 1
                for record in desired_for(naive_fleet, domain, template, vault).records:
                    values = [
                        {"content": to_content(record.type, v), "disabled": False}
                        for v in record.values
                    ]
                    rrset = {
                        "name": dotted(record.name),
                        "type": str(record.type),
                        "ttl": record.ttl,
                        "changetype": "REPLACE",
                        "records": values,
                    }
                    client.patch(f"/zones/{zone}", json={"rrsets": [rrset]}).raise_for_status()
                    calls += 1
            client.close()
            return calls

        calls, t_naive = _timed("naive: one API call per RRset (writes only)", naive)
        provider.close()
    print()
    print(f"RRsets written: {rrsets} by mailfleet in {count} PATCHes; naive made {calls} calls")
    print(f"mailfleet plan {t_plan:.2f} s | apply {t_apply:.2f} s | re-apply {t_again:.2f} s")
    print(f"mailfleet verify {t_verify:.2f} s | coverage {verified.coverage:.1f} %")
    print(f"naive writes {t_naive:.2f} s: mailfleet apply is {t_naive / t_apply:.1f}x faster")
    print(f"DKIM key generation (one-time) {keygen:.2f} s")


if __name__ == "__main__":
    main()
