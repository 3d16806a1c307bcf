"""Warmup's ``BlocklistSource`` over reputation's latest DNSBL check run.

A domain counts as listed when the newest run found the domain itself or one of its sending
IPs listed in any zone; a member subject (``ip:<address>``) when that IP is. Unknown answers
(timeouts, refusals) are no evidence. Before the first check nothing is listed.
"""

from __future__ import annotations

from collections.abc import Iterable

from mailfleet.core.fleet import Fleet
from mailfleet.core.reputation.ports import BlocklistHistory
from mailfleet.core.reputation.verdict import Verdict


class DnsblListings:
    """``BlocklistSource``: zones listing a domain, its IPs, or one IP, in the latest run."""

    def __init__(self, history: BlocklistHistory, fleet: Fleet | None = None) -> None:
        self._history = history
        self._ips = (
            {d.name: {str(ip) for ip in d.sending_ips} for d in fleet.domains} if fleet else {}
        )

    def listings(self, domain: str) -> Iterable[str]:
        """The zones listing ``domain`` (or its IPs) now, sorted; empty when clean."""
        if domain.startswith("mailbox:"):
            return []  # no zone lists a mailbox
        latest = self._history.latest_results()
        if latest is None:
            return []
        if domain.startswith("ip:"):
            targets = {domain.removeprefix("ip:")}
        else:
            targets = {domain.lower(), *self._ips.get(domain.lower(), ())}
        return sorted(
            {r.zone for r in latest[1] if r.verdict == Verdict.LISTED and r.target in targets}
        )
