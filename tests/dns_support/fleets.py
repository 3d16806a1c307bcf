"""Build ``Fleet`` values for DNS tests without going through the YAML loader."""

from __future__ import annotations

from datetime import time
from ipaddress import ip_address

from mailfleet.core.fleet import (
    BusinessHours,
    Domain,
    Fleet,
    HoursWindow,
    Provider,
    ProviderRole,
    Segment,
    Thresholds,
    VolumeProfile,
    WarmupPriority,
    WarmupSchedule,
)

HOURS = BusinessHours("default", (HoursWindow(frozenset(range(5)), time(8), time(20)),))


def make_fleet(
    count: int = 3,
    *,
    relay: dict[str, object] | None = None,
    mailbox_kind: str = "google",
    mailbox: dict[str, object] | None = None,
    dns_kind: str = "memory",
    dns: dict[str, object] | None = None,
    suffix: str = "example",
) -> Fleet:
    """``count`` domains ``d000.<suffix>`` ... with one IPv4 each (and IPv6 on the first)."""
    relay_settings = relay if relay is not None else {"spf_include": "_spf.relay.test"}
    providers = {
        (ProviderRole.DNS, "dns"): Provider(ProviderRole.DNS, "dns", dns_kind, dns or {}),
        (ProviderRole.MAILBOX, "mb"): Provider(
            ProviderRole.MAILBOX, "mb", mailbox_kind, mailbox or {}
        ),
        (ProviderRole.RELAY, "relay"): Provider(
            ProviderRole.RELAY, "relay", "smtp", relay_settings
        ),
    }
    schedule = WarmupSchedule("short", ())
    segment = Segment(
        "primary", "test", VolumeProfile.LOW, 200, WarmupPriority.FIRST, schedule, Thresholds()
    )
    domains = []
    for i in range(count):
        ips = [ip_address(f"192.0.2.{i % 250 + 1}")]
        if i == 0:
            ips.append(ip_address("2001:db8::1"))
        domains.append(
            Domain(
                name=f"d{i:03}.{suffix}",
                segment="primary",
                dns_provider="dns",
                mailbox_provider="mb",
                relay="relay",
                sending_ips=tuple(ips),
                timezone="UTC",
                business_hours=HOURS,
                mailboxes=(),
            )
        )
    return Fleet(
        name="test",
        segments={"primary": segment},
        domains=tuple(domains),
        providers=providers,
        thresholds=Thresholds(),
        schedules={"short": schedule},
        business_hours={"default": HOURS},
    )
