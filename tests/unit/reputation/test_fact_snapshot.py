"""Building the fact snapshot from rates, thresholds and a DNSBL report."""

from __future__ import annotations

import asyncio

from mailfleet.adapters.clock import FakeClock
from mailfleet.adapters.reputation.memory_resolver import InMemoryDnsblResolver
from mailfleet.core.fleet import Fleet
from mailfleet.core.reputation.facts import DomainRates, build_facts, listing_subject
from mailfleet.core.reputation.rules import SubjectFacts, SubjectKind
from mailfleet.policy.dnsbl import load_zones
from mailfleet.services.reputation import check_fleet


def test_domain_facts_carry_rates_and_segment_thresholds(acme_fleet: Fleet) -> None:
    """Rates are fractions of sent; each domain carries its own segment's thresholds."""
    snapshot = build_facts(
        acme_fleet,
        FakeClock().now(),
        rates={"acme-notify.example": DomainRates(sent=1_000, bounced=9, complained=1)},
    )
    facts = {s.name: s for s in snapshot.of(SubjectKind.DOMAIN)}
    notify = facts["acme-notify.example"].values
    assert notify["bounce_rate"] == 0.009
    assert notify["bounce_alert"] == 0.008  # the transactional segment's own threshold
    assert "bounce_rate" not in facts["acme.example"].values  # no rates, no evidence


def test_unknown_answers_give_no_listing_fact(acme_fleet: Fleet) -> None:
    """Listed and clean results are facts; unknown ones are left out."""
    resolver = InMemoryDnsblResolver()
    resolver.list("192.0.2.10", "bl.spamcop.net")
    resolver.list("192.0.2.40", "zen.spamhaus.org", "127.255.255.254")
    report = asyncio.run(check_fleet(acme_fleet, load_zones(), resolver, FakeClock()))
    snapshot = build_facts(acme_fleet, FakeClock().now(), rates={}, report=report)
    targets = {s.name: s for s in snapshot.of(SubjectKind.TARGET)}
    listed = targets[listing_subject("192.0.2.10", "bl.spamcop.net")]
    assert listed.values == {"listed": True}
    assert "delist: https://www.spamcop.net/bl.shtml" in listed.details["listed"]
    assert targets[listing_subject("192.0.2.10", "zen.spamhaus.org")].values == {"listed": False}
    assert listing_subject("192.0.2.40", "zen.spamhaus.org") not in targets


def test_extra_facts_merge_into_their_subject(acme_fleet: Fleet) -> None:
    """Facts from other capabilities join the domain's own facts."""
    extra = [SubjectFacts(SubjectKind.DOMAIN, "acme.example", {"dns_drift": True})]
    snapshot = build_facts(acme_fleet, FakeClock().now(), rates={}, extra=extra)
    [acme] = [s for s in snapshot.subjects if s.name == "acme.example"]
    assert acme.values["dns_drift"] is True
    assert "complaint_alert" in acme.values
