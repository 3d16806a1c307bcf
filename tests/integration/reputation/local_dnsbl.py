"""Test DNSBL zones: what the local rbldnsd serves, and the zone values that describe them."""

from __future__ import annotations

import dataclasses

from rbldnsd_server import ZoneFile

from mailfleet.core.reputation.zones import DnsblZone
from mailfleet.policy.dnsbl import load_zones

# The shipped lists' codes, served under local names: the interpretation under test is the
# real policy, only the zone names differ.
LOCAL_ZONES = (  # (shipped key, local key, local zone)
    ("spamhaus-zen", "zen", "zen.test"),
    ("spamhaus-zen", "zen-mirror", "refusing.test"),  # a mirror that refuses our resolver
    ("spamhaus-dbl", "dbl", "dbl.test"),
    ("uribl", "uribl", "uribl.test"),
)

TEST_ZONE_FILES = [
    ZoneFile(
        "zen.test",
        "ip4set",
        ":127.0.0.2:Listed in SBL, see https://check.spamhaus.test/$\n"
        "198.51.100.21\n"
        "192.0.2.99 :127.0.0.4:Listed in XBL\n"
        "192.0.2.98 :127.255.255.254:Query refused\n",
    ),
    ZoneFile("zen.test", "ip6trie", "2001:db8::20 :127.0.0.3:\n"),
    # every IPv4 address answers a refusal code, as a list does to a blocked resolver
    ZoneFile("refusing.test", "ip4set", ":127.255.255.254:Refused\n0.0.0.0/1\n128.0.0.0/1\n"),
    ZoneFile("refusing.test", "ip6trie", ":127.255.255.254:Refused\n::/1\n8000::/1\n"),
    ZoneFile("dbl.test", "dnset", ":127.0.1.2:Domain listed: $\nacme-connect.example\n"),
    ZoneFile("uribl.test", "dnset", ":127.0.0.6:\n.grey-and-black.example\n"),
]


def local_zones() -> tuple[DnsblZone, ...]:
    """The shipped zones named in ``LOCAL_ZONES``, renamed to their local test zones."""
    shipped = {z.key: z for z in load_zones()}
    return tuple(
        dataclasses.replace(shipped[key], key=local, zone=name) for key, local, name in LOCAL_ZONES
    )
