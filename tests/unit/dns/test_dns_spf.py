"""SPF: strictly scoped builder, parser, RFC 7208 lookup budget and flattening."""

from __future__ import annotations

from collections.abc import Sequence
from ipaddress import ip_address

import pytest

from mailfleet.core.dns.spf import SpfError, build_spf, check_budget, flatten_spf, parse_spf


def _lookup(table: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    def lookup(name: str) -> Sequence[str] | None:
        return table.get(name)

    return lookup


def test_build_is_scoped_and_ends_with_dash_all() -> None:
    """IPs first, then relay includes, then -all; nothing else is authorised."""
    record = build_spf(["_spf.Relay.test."], [ip_address("192.0.2.1"), ip_address("2001:db8::1")])
    assert record == "v=spf1 ip4:192.0.2.1 ip6:2001:db8::1 include:_spf.relay.test -all"


@pytest.mark.parametrize("bad", ["spf1 -all", "v=spf1 ip4:300.1.1.1 -all", "v=spf1 foo -all"])
def test_parser_rejects_invalid_records(bad: str) -> None:
    """Missing version, bad networks and unknown mechanisms are SPF errors."""
    with pytest.raises(SpfError):
        parse_spf(bad)


def test_budget_counts_terms_through_include_chains() -> None:
    """Includes, a and mx count, across nested records; ip4 does not."""
    table = {
        "a.test": ["v=spf1 include:b.test mx -all"],
        "b.test": ["v=spf1 ip4:198.51.100.0/24 a -all"],
    }
    budget = check_budget("v=spf1 ip4:192.0.2.1 include:a.test -all", _lookup(table))
    assert (budget.dns_terms, budget.void_lookups) == (4, 0)
    assert budget.within


def test_budget_over_ten_terms_is_reported() -> None:
    """Eleven includes exceed RFC 7208's limit of ten DNS-querying terms."""
    table = {f"i{n}.test": [f"v=spf1 ip4:10.0.{n}.0/24 -all"] for n in range(11)}
    record = "v=spf1 " + " ".join(f"include:i{n}.test" for n in range(11)) + " -all"
    budget = check_budget(record, _lookup(table))
    assert budget.dns_terms == 11
    assert not budget.within


def test_three_void_lookups_exceed_the_budget() -> None:
    """Includes of names that do not exist count as void lookups; three is one too many."""
    record = "v=spf1 include:x.test include:y.test include:z.test -all"
    budget = check_budget(record, _lookup({}))
    assert budget.void_lookups == 3
    assert not budget.within


def test_flatten_replaces_includes_with_networks() -> None:
    """Flattening keeps every network of the chain and the -all, with no lookups left."""
    table = {f"i{n}.test": [f"v=spf1 ip4:10.0.{n}.0/24 -all"] for n in range(11)}
    record = "v=spf1 ip4:192.0.2.1 " + " ".join(f"include:i{n}.test" for n in range(11)) + " -all"
    flat = flatten_spf(record, _lookup(table))
    assert flat is not None
    assert flat.startswith("v=spf1 ip4:192.0.2.1 ip4:10.0.0.0/24")
    assert flat.endswith(" -all")
    assert check_budget(flat, _lookup(table)).dns_terms == 0


def test_flatten_refuses_chains_with_host_mechanisms() -> None:
    """A chain with mx cannot be flattened without resolving hosts: None is returned."""
    table = {"a.test": ["v=spf1 mx -all"]}
    assert flatten_spf("v=spf1 include:a.test -all", _lookup(table)) is None


def test_include_loops_are_problems() -> None:
    """An include that loops back is reported instead of recursing forever."""
    table = {"a.test": ["v=spf1 include:b.test -all"], "b.test": ["v=spf1 include:a.test -all"]}
    budget = check_budget("v=spf1 include:a.test -all", _lookup(table))
    assert any("loop" in p for p in budget.problems)
