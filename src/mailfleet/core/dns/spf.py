"""SPF records (RFC 7208): strictly scoped builders, the lookup budget, and flattening.

The budget (RFC 7208 4.6.4): evaluating a record may cause at most 10 DNS-querying terms
(``include``, ``a``, ``mx``, ``ptr``, ``exists`` and the ``redirect`` modifier), counted
across the whole include chain, and at most 2 of the lookups may be void (no answer or
NXDOMAIN). The checker walks the chain through a lookup function so that the core stays
free of I/O: the service passes a resolver-backed function, tests pass a dictionary.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from ipaddress import IPv4Address, IPv6Address, ip_network

MAX_DNS_TERMS = 10
MAX_VOID_LOOKUPS = 2
QUERYING_MECHANISMS = frozenset({"include", "a", "mx", "ptr", "exists"})

# A TXT lookup: the TXT strings at a name, [] when the name has no TXT, None when NXDOMAIN.
TxtLookup = Callable[[str], Sequence[str] | None]


class SpfError(ValueError):
    """A record that is not valid SPF."""


@dataclass(frozen=True, slots=True)
class SpfTerm:
    """One directive or modifier: qualifier, name (``ip4``, ``include``, ``redirect``...), arg."""

    qualifier: str
    name: str
    argument: str = ""

    def render(self) -> str:
        """The term as written in a record."""
        qualifier = "" if self.qualifier == "+" else self.qualifier
        if self.name == "redirect":
            return f"redirect={self.argument}"
        return f"{qualifier}{self.name}:{self.argument}" if self.argument else qualifier + self.name


def parse_spf(text: str) -> tuple[SpfTerm, ...]:
    """Parse ``v=spf1 ...`` into terms (RFC 7208 4.6, 12); raise ``SpfError`` when invalid."""
    parts = text.split()
    if not parts or parts[0].lower() != "v=spf1":
        raise SpfError("an SPF record starts with 'v=spf1'")
    terms = []
    for part in parts[1:]:
        lowered = part.lower()
        if "=" in part and ":" not in part.split("=", 1)[0]:
            name, _, argument = part.partition("=")
            if name.lower() not in ("redirect", "exp") and not name.isidentifier():
                raise SpfError(f"unknown modifier {part!r}")
            terms.append(SpfTerm("+", name.lower(), argument))
            continue
        qualifier = lowered[0] if lowered[0] in "+-~?" else "+"
        body = part[1:] if lowered[0] in "+-~?" else part
        name, sep, argument = body.partition(":")
        name = name.lower().split("/")[0]
        if name not in QUERYING_MECHANISMS | {"ip4", "ip6", "all"}:
            raise SpfError(f"unknown mechanism {part!r}")
        if name in ("ip4", "ip6"):
            try:
                ip_network(argument, strict=False)
            except ValueError:
                raise SpfError(f"{part!r}: not an IP network") from None
        if name in ("include", "exists") and not (sep and argument):
            raise SpfError(f"{part!r} needs a domain")
        terms.append(SpfTerm(qualifier, name, argument))
    return tuple(terms)


def build_spf(
    includes: Sequence[str], ips: Sequence[IPv4Address | IPv6Address], *, all_qualifier: str = "-"
) -> str:
    """A strictly scoped record: the sending IPs, then the relay's includes, then ``-all``."""
    terms = ["v=spf1"]
    for ip in ips:
        terms.append(f"ip{ip.version}:{ip}")
    for include in includes:
        terms.append(f"include:{include.rstrip('.').lower()}")
    terms.append(f"{all_qualifier}all")
    return " ".join(terms)


@dataclass(frozen=True, slots=True)
class SpfBudget:
    """What evaluating a record may cost, and what went wrong while walking it."""

    dns_terms: int
    void_lookups: int
    problems: tuple[str, ...] = ()
    networks: tuple[str, ...] = field(default=())  # every ip4/ip6 reached, for flattening
    flattenable: bool = True  # False when a/mx/ptr/exists make flattening need more lookups

    @property
    def within(self) -> bool:
        """True when the record stays within RFC 7208's limits and parsed everywhere."""
        return (
            not self.problems
            and self.dns_terms <= MAX_DNS_TERMS
            and self.void_lookups <= MAX_VOID_LOOKUPS
        )


class _Walk:
    def __init__(self, lookup: TxtLookup) -> None:
        self.lookup = lookup
        self.terms = 0
        self.voids = 0
        self.problems: list[str] = []
        self.networks: list[str] = []
        self.flattenable = True
        self.seen: set[str] = set()

    def record(self, domain: str) -> tuple[SpfTerm, ...] | None:
        answer = self.lookup(domain)
        if answer is None or not answer:
            self.voids += 1
        spf = [t for t in (answer or []) if t.lower().startswith("v=spf1")]
        if len(spf) != 1:
            self.problems.append(f"{domain}: {'no' if not spf else 'several'} SPF records")
            return None
        try:
            return parse_spf(spf[0])
        except SpfError as exc:
            self.problems.append(f"{domain}: {exc}")
            return None

    def walk(self, terms: Sequence[SpfTerm], depth: int) -> None:
        if depth > MAX_DNS_TERMS:
            self.problems.append("include chain is too deep")
            return
        for term in terms:
            if term.name in ("ip4", "ip6") and term.qualifier == "+":
                self.networks.append(f"{term.name}:{term.argument}")
            elif term.name in QUERYING_MECHANISMS or term.name == "redirect":
                self.terms += 1
                if term.name in ("include", "redirect"):
                    self.follow(term.argument.lower().rstrip("."), depth)
                else:
                    self.flattenable = False

    def follow(self, domain: str, depth: int) -> None:
        if domain in self.seen:
            self.problems.append(f"{domain}: include loop")
            return
        self.seen.add(domain)
        inner = self.record(domain)
        if inner is not None:
            self.walk(inner, depth + 1)
        self.seen.discard(domain)


def check_budget(record: str, lookup: TxtLookup) -> SpfBudget:
    """Count DNS-querying terms and void lookups across the include chain (RFC 7208 4.6.4)."""
    walk = _Walk(lookup)
    try:
        walk.walk(parse_spf(record), 0)
    except SpfError as exc:
        walk.problems.append(str(exc))
    return SpfBudget(
        dns_terms=walk.terms,
        void_lookups=walk.voids,
        problems=tuple(walk.problems),
        networks=tuple(dict.fromkeys(walk.networks)),
        flattenable=walk.flattenable and not walk.problems,
    )


def flatten_spf(record: str, lookup: TxtLookup) -> str | None:
    """The same authorisation with every include replaced by the networks it reaches.

    Only chains of ``ip4``/``ip6``/``include``/``redirect`` can be flattened without
    resolving hosts; ``None`` means the chain holds ``a``, ``mx``, ``ptr`` or ``exists``. A
    flattened record goes stale when the relay changes its ranges: re-plan regularly.
    """
    budget = check_budget(record, lookup)
    if not budget.flattenable:
        return None
    ending = next((t for t in parse_spf(record) if t.name == "all"), SpfTerm("-", "all"))
    return " ".join(["v=spf1", *budget.networks, ending.render()])


class SpfResult(StrEnum):
    """RFC 7208 2.6 results, as an evaluator reports them."""

    PASS = "pass"  # noqa: S105 (an SPF result, not a password)
    FAIL = "fail"
    SOFTFAIL = "softfail"
    NEUTRAL = "neutral"
    NONE = "none"
    PERMERROR = "permerror"
    TEMPERROR = "temperror"
