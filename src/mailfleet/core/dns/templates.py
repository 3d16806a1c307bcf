"""Templates: from the fleet (domain, relay, mailbox provider) to the records each domain needs.

``desired_zone`` is the whole story for one domain: MX from the mailbox provider, a strictly
scoped SPF from the relay and the domain's sending IPs, DKIM under two selectors (keys, or
CNAMEs when the relay manages them), DMARC, the return path, and optionally MTA-STS and
TLS-RPT. It also says which records mailfleet owns there (``slots``), so that a plan never
touches anything else.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from mailfleet.core.dns.dkim import KeyAlgorithm, dkim_txt, selector_name
from mailfleet.core.dns.dmarc import Alignment, DmarcPolicy, DmarcRecord
from mailfleet.core.dns.extras import mta_sts_policy, mta_sts_txt, tls_rpt_txt
from mailfleet.core.dns.records import InvalidRecord, Record, RecordType
from mailfleet.core.dns.spf import build_spf
from mailfleet.core.fleet import Domain, Fleet, ProviderRole

SPF_PREFIX = "v=spf1"


@dataclass(frozen=True, slots=True)
class Slot:
    """An RRset mailfleet owns. With ``prefix``, only the values starting with it are ours.

    The apex TXT RRset is shared (site verifications live there too): mailfleet owns the
    ``v=spf1`` value in it and leaves the others alone.
    """

    name: str
    type: RecordType
    prefix: str | None = None

    def owns(self, value: str) -> bool:
        """True when ``value`` in this RRset belongs to mailfleet."""
        return self.prefix is None or value.lower().startswith(self.prefix)


@dataclass(frozen=True, slots=True)
class DmarcTemplate:
    """DMARC tags with ``{domain}`` placeholders in report URIs."""

    policy: DmarcPolicy = DmarcPolicy.NONE
    rua: tuple[str, ...] = ("mailto:dmarc-reports@{domain}",)
    adkim: Alignment = Alignment.RELAXED
    aspf: Alignment = Alignment.RELAXED
    subdomain_policy: DmarcPolicy | None = None
    nonexistent_policy: DmarcPolicy | None = DmarcPolicy.REJECT


@dataclass(frozen=True, slots=True)
class SafetyLimits:
    """When a plan refuses without ``force`` (octoDNS's idea, mailfleet's numbers)."""

    max_change_fraction: float = 0.3  # updates + deletes over existing owned RRsets
    min_existing: int = 10  # below this many owned RRsets, the fraction is not checked
    max_deletes: int = 10


@dataclass(frozen=True, slots=True)
class DnsTemplate:
    """The fleet-wide DNS policy (``policy/dns.toml``)."""

    ttl: int = 3600
    selectors: tuple[str, ...] = ("mf1", "mf2")
    key_algorithm: KeyAlgorithm = KeyAlgorithm.RSA
    rsa_bits: int = 2048
    return_path_label: str = "bounce"
    intake_mx: str = ""  # when set, bounces come back to mailfleet's own intake here
    dmarc: DmarcTemplate = field(default_factory=DmarcTemplate)
    # Per-domain ``p=`` overriding ``dmarc.policy`` (the staged DMARC of each domain).
    dmarc_domain_policies: tuple[tuple[str, DmarcPolicy], ...] = ()
    mta_sts: bool = False
    mta_sts_mode: str = "testing"
    tls_rpt_rua: tuple[str, ...] = ()  # empty: no TLS-RPT record
    mx_defaults: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    safety: SafetyLimits = field(default_factory=SafetyLimits)
    extra_owned: tuple[str, ...] = ()  # more names (relative, e.g. "old._domainkey") we own


@dataclass(frozen=True, slots=True)
class DkimPublicKey:
    """A selector's public key, as published (base64 of the DER or raw key)."""

    selector: str
    algorithm: KeyAlgorithm
    public_key_b64: str


@dataclass(frozen=True, slots=True)
class DesiredZone:
    """What one domain's zone should hold, what mailfleet owns there, and the MTA-STS text."""

    zone: str
    records: tuple[Record, ...]
    slots: tuple[Slot, ...]
    spf: str
    mta_sts_policy: str | None = None


def _as_list(value: object) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, Sequence):
        return [str(v) for v in value]
    return [str(value)]


def _fill(text: str, domain: str, selector: str = "") -> str:
    return text.format(domain=domain, domain_dashed=domain.replace(".", "-"), selector=selector)


def mx_values(fleet: Fleet, domain: Domain, template: DnsTemplate) -> list[str]:
    """MX values from the mailbox provider's ``mx`` setting, else the kind's default."""
    provider = fleet.provider(ProviderRole.MAILBOX, domain.mailbox_provider)
    configured = _as_list(provider.settings.get("mx"))
    raw = configured or list(template.mx_defaults.get(provider.kind, ("10 mx.{domain}",)))
    values = []
    for entry in raw:
        text = _fill(entry, domain.name)
        values.append(text if text.split(" ", 1)[0].isdigit() else f"10 {text}")
    return values


def owned_slots(domain: str, template: DnsTemplate) -> tuple[Slot, ...]:
    """Every RRset the templates may write for ``domain``, whichever options are on."""
    bounce = f"{template.return_path_label}.{domain}"
    slots = [
        Slot(domain, RecordType.MX),
        Slot(domain, RecordType.TXT, SPF_PREFIX),
        Slot(f"_dmarc.{domain}", RecordType.TXT),
        Slot(bounce, RecordType.CNAME),
        Slot(bounce, RecordType.MX),
        Slot(bounce, RecordType.TXT, SPF_PREFIX),
        Slot(f"_mta-sts.{domain}", RecordType.TXT),
        Slot(f"_smtp._tls.{domain}", RecordType.TXT),
    ]
    for selector in template.selectors:
        slots.append(Slot(selector_name(selector, domain), RecordType.TXT))
        slots.append(Slot(selector_name(selector, domain), RecordType.CNAME))
    for extra in template.extra_owned:
        for rtype in (RecordType.TXT, RecordType.CNAME):
            slots.append(Slot(f"{extra}.{domain}", rtype))
    return tuple(slots)


def desired_zone(
    fleet: Fleet,
    domain: Domain,
    template: DnsTemplate,
    dkim_keys: Sequence[DkimPublicKey] = (),
    spf_override: str | None = None,
) -> DesiredZone:
    """The records ``domain`` needs; ``spf_override`` replaces the SPF (a flattened one).

    DKIM: when the relay names a ``dkim_cname`` pattern, each selector is a CNAME to the
    relay's managed key; otherwise each selector publishes the key in ``dkim_keys``.
    """
    name, ttl = domain.name, template.ttl
    relay = fleet.provider(ProviderRole.RELAY, domain.relay)
    spf = spf_override or build_spf(_as_list(relay.settings.get("spf_include")), domain.sending_ips)
    mx = mx_values(fleet, domain, template)
    records = [
        Record.of(name, RecordType.MX, ttl, mx),
        Record.of(name, RecordType.TXT, ttl, [spf]),
        Record.of(
            f"_dmarc.{name}",
            RecordType.TXT,
            ttl,
            [_dmarc(template.dmarc, name, _staged(template, name))],
        ),
    ]
    records += _dkim_records(name, relay.settings, template, dkim_keys)
    records += _return_path(name, relay.settings, template, domain)
    policy = None
    if template.mta_sts:
        policy = mta_sts_policy([v.split(" ", 1)[1] for v in mx], mode=template.mta_sts_mode)
        records.append(Record.of(f"_mta-sts.{name}", RecordType.TXT, ttl, [mta_sts_txt(policy)]))
    if template.tls_rpt_rua:
        rua = [_fill(u, name) for u in template.tls_rpt_rua]
        records.append(Record.of(f"_smtp._tls.{name}", RecordType.TXT, ttl, [tls_rpt_txt(rua)]))
    return DesiredZone(name, tuple(records), owned_slots(name, template), spf, policy)


def _staged(template: DnsTemplate, domain: str) -> DmarcPolicy | None:
    return next((p for d, p in template.dmarc_domain_policies if d == domain.lower()), None)


def _dmarc(template: DmarcTemplate, domain: str, policy: DmarcPolicy | None = None) -> str:
    record = DmarcRecord(
        policy=policy or template.policy,
        rua=tuple(_fill(uri, domain) for uri in template.rua),
        adkim=template.adkim,
        aspf=template.aspf,
        subdomain_policy=template.subdomain_policy,
        nonexistent_policy=template.nonexistent_policy,
    )
    return record.render()


def _dkim_records(
    domain: str,
    relay_settings: Mapping[str, object],
    template: DnsTemplate,
    keys: Sequence[DkimPublicKey],
) -> list[Record]:
    pattern = relay_settings.get("dkim_cname")
    if isinstance(pattern, str) and pattern:
        return [
            Record.of(
                selector_name(s, domain),
                RecordType.CNAME,
                template.ttl,
                [_fill(pattern, domain, s)],
            )
            for s in template.selectors
        ]
    by_selector = {key.selector: key for key in keys}
    missing = [s for s in template.selectors if s not in by_selector]
    if missing:
        raise InvalidRecord(f"{domain}: no DKIM key for selector(s) {', '.join(missing)}")
    return [
        Record.of(
            selector_name(s, domain),
            RecordType.TXT,
            template.ttl,
            [dkim_txt(by_selector[s].algorithm, by_selector[s].public_key_b64)],
        )
        for s in template.selectors
    ]


def _return_path(
    domain: str, relay_settings: Mapping[str, object], template: DnsTemplate, spec: Domain
) -> list[Record]:
    bounce = f"{template.return_path_label}.{domain}"
    host = relay_settings.get("return_path_host")
    if isinstance(host, str) and host:
        return [Record.of(bounce, RecordType.CNAME, template.ttl, [_fill(host, domain)])]
    if template.intake_mx:
        return [
            Record.of(
                bounce, RecordType.MX, template.ttl, [f"10 {_fill(template.intake_mx, domain)}"]
            ),
            Record.of(bounce, RecordType.TXT, template.ttl, [build_spf([], spec.sending_ips)]),
        ]
    return []


def uses_managed_dkim(fleet: Fleet, domain: Domain) -> bool:
    """True when the domain's relay publishes the DKIM keys itself (CNAME selectors)."""
    pattern = fleet.provider(ProviderRole.RELAY, domain.relay).settings.get("dkim_cname")
    return isinstance(pattern, str) and bool(pattern)
