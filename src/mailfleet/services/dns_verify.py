"""Verify what the world sees: each domain's records resolved and checked, results stored.

For every domain: each desired record present with the desired values; SPF parses, stays
within RFC 7208's budget, passes for every sending IP and fails for an outsider (pyspf as the
oracle); each DKIM selector publishes the public half of the key in the vault (RSA >= 2048
bits); DMARC parses under RFC 9989; MX and the return path resolve.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv6Address, ip_address, ip_network

from mailfleet.core.dns.checks import Check, DomainCheck, coverage
from mailfleet.core.dns.dkim import (
    MIN_RSA_BITS,
    KeyAlgorithm,
    parse_dkim_txt,
    selector_name,
    vault_name,
)
from mailfleet.core.dns.dmarc import parse_dmarc
from mailfleet.core.dns.ports import AnswerStatus, DnsCheckStore, DnsResolver, SpfOracle
from mailfleet.core.dns.records import InvalidRecord, Record, RecordType
from mailfleet.core.dns.spf import check_budget
from mailfleet.core.dns.templates import SPF_PREFIX, DesiredZone, DnsTemplate, uses_managed_dkim
from mailfleet.core.errors import SecretNotFound
from mailfleet.core.fleet import Domain, Fleet
from mailfleet.core.ports import Clock, SecretVault
from mailfleet.services.dkim_keys import public_key_b64
from mailfleet.services.dns import desired_for, txt_lookup

# candidate outsiders: documentation ranges (RFC 5737, RFC 3849) and a reserved /8 (RFC 1122)
OUTSIDERS = (
    ip_address("203.0.113.254"),
    ip_address("198.51.100.254"),
    ip_address("240.0.0.254"),
    ip_address("2001:db8:ffff::254"),
)


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """A verification run: each domain's checks and the fleet's coverage."""

    domains: tuple[DomainCheck, ...]
    coverage: float

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready form."""
        return {
            "ok": all(d.ok for d in self.domains),
            "coverage_percent": round(self.coverage, 2),
            "domains": [d.as_dict() for d in self.domains],
        }


def _record_check(record: Record, resolver: DnsResolver, shared_prefix: str | None) -> Check:
    answer = resolver.query(record.name, record.type)
    name = f"record:{record.label()}"
    if answer.status is not AnswerStatus.OK:
        return Check(name, False, f"{answer.status}: {answer.detail}".rstrip(": "))
    values = set(answer.values)
    if shared_prefix is not None:  # the apex TXT holds foreign values too: compare ours only
        values = {v for v in values if v.lower().startswith(shared_prefix)}
    if values != set(record.values):
        return Check(name, False, f"published {sorted(values)}, wanted {list(record.values)}")
    return Check(name, True)


def _spf_checks(
    domain: Domain, spf_text: str, resolver: DnsResolver, oracle: SpfOracle
) -> list[Check]:
    budget = check_budget(spf_text, txt_lookup(resolver))
    checks = [
        Check(
            "spf:budget",
            budget.within,
            f"{budget.dns_terms} lookups, {budget.void_lookups} void"
            + (f"; {'; '.join(budget.problems)}" if budget.problems else ""),
        )
    ]
    for ip in domain.sending_ips:
        result = oracle.check(str(ip), domain.name)
        checks.append(Check(f"spf:pass:{ip}", result == "pass", result))
    # an outsider must be outside every network the record authorises, includes too
    authorised = [ip_network(n.split(":", 1)[1], strict=False) for n in budget.networks]
    outsiders: list[IPv4Address | IPv6Address] = [
        ip
        for ip in OUTSIDERS
        if ip not in domain.sending_ips and not any(ip in net for net in authorised)
    ]
    for ip in outsiders[:1]:
        result = oracle.check(str(ip), domain.name)
        checks.append(Check(f"spf:reject:{ip}", result != "pass", result))
    return checks


def _dkim_checks(
    domain: str, template: DnsTemplate, resolver: DnsResolver, vault: SecretVault
) -> list[Check]:
    checks = []
    for selector in template.selectors:
        name = f"dkim:{selector}"
        answer = resolver.query(selector_name(selector, domain), RecordType.TXT)
        if answer.status is not AnswerStatus.OK or not answer.values:
            checks.append(Check(name, False, f"no key record ({answer.status})"))
            continue
        try:
            published = parse_dkim_txt(answer.values[0])
            algorithm, stored, bits = public_key_b64(
                vault.get(vault_name(domain, selector)).reveal()
            )
        except SecretNotFound:
            checks.append(Check(name, False, "no private key in the vault"))
            continue
        except ValueError as exc:
            checks.append(Check(name, False, str(exc)))
            continue
        if published.public_key_b64 != stored or published.algorithm is not algorithm:
            checks.append(Check(name, False, "published key does not match the stored key"))
        elif algorithm is KeyAlgorithm.RSA and bits < MIN_RSA_BITS:
            checks.append(Check(name, False, f"RSA key of {bits} bits (< {MIN_RSA_BITS})"))
        else:
            checks.append(Check(name, True, f"{algorithm} {bits} bits"))
    return checks


def _managed_dkim_checks(domain: str, template: DnsTemplate, resolver: DnsResolver) -> list[Check]:
    """Relay-managed keys: the selector CNAME must lead to a parsable key record."""
    checks = []
    for selector in template.selectors:
        answer = resolver.query(selector_name(selector, domain), RecordType.TXT)
        name = f"dkim:{selector}"
        if answer.status is not AnswerStatus.OK or not answer.values:
            checks.append(Check(name, False, f"the relay's key does not resolve ({answer.status})"))
            continue
        try:
            key = parse_dkim_txt(answer.values[0])
        except ValueError as exc:
            checks.append(Check(name, False, f"relay key record: {exc}"))
            continue
        checks.append(Check(name, bool(key.public_key_b64), f"managed {key.algorithm} key"))
    return checks


def verify_domain(
    fleet: Fleet,
    domain: Domain,
    desired: DesiredZone,
    template: DnsTemplate,
    vault: SecretVault,
    resolver: DnsResolver,
    oracle: SpfOracle,
    clock: Clock,
) -> DomainCheck:
    """Run every check of one domain against what ``resolver`` sees."""
    checks = []
    for record in desired.records:
        shared = (
            SPF_PREFIX if record.type is RecordType.TXT and "v=spf1" in record.values[0] else None
        )
        checks.append(_record_check(record, resolver, shared))
    checks += _spf_checks(domain, desired.spf, resolver, oracle)
    if uses_managed_dkim(fleet, domain):
        checks += _managed_dkim_checks(domain.name, template, resolver)
    else:
        checks += _dkim_checks(domain.name, template, resolver, vault)
    dmarc = resolver.query(f"_dmarc.{domain.name}", RecordType.TXT)
    parsed = parse_dmarc(dmarc.values[0]) if dmarc.values else None
    checks.append(
        Check(
            "dmarc:rfc9989",
            parsed is not None and parsed.valid,
            "; ".join(parsed.problems) if parsed else f"no record ({dmarc.status})",
        )
    )
    return DomainCheck(domain.name, clock.now(), tuple(checks))


def verify_dns(
    fleet: Fleet,
    template: DnsTemplate,
    vault: SecretVault,
    resolver: DnsResolver,
    oracle_for: Callable[[DnsResolver], SpfOracle],
    store: DnsCheckStore,
    clock: Clock,
    *,
    only: Sequence[str] = (),
) -> VerifyReport:
    """Verify every domain (or ``only`` those), store the results, and compute coverage."""
    oracle = oracle_for(resolver)
    results = []
    for domain in fleet.domains:
        if only and domain.name not in only:
            continue
        try:
            desired = desired_for(fleet, domain, template, vault, create_keys=False)
        except InvalidRecord as exc:
            failed = (Check("template", False, str(exc)),)
            results.append(DomainCheck(domain.name, clock.now(), failed))
            continue
        results.append(
            verify_domain(fleet, domain, desired, template, vault, resolver, oracle, clock)
        )
    store.record(results)
    latest = store.latest()
    names = [d.name for d in fleet.domains]
    return VerifyReport(tuple(results), coverage(names, latest.values()))


def dns_coverage(fleet: Fleet, store: DnsCheckStore) -> float:
    """The fleet's authentication coverage from the stored results (for ``status``)."""
    return coverage([d.name for d in fleet.domains], store.latest().values())
