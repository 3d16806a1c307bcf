"""Ports of the results report: the history it reads beyond each capability's own ports.

The capabilities' ports answer "where does it stand now"; the report also needs "what
happened over the period" (every cap decision, every listing seen, every isolation).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from mailfleet.core.results import Listing


@dataclass(frozen=True, slots=True)
class DnsblHistory:
    """DNSBL checks in a period: how many runs, and the (subject, zone) pairs seen listed."""

    runs: int
    listings: tuple[Listing, ...]


@dataclass(frozen=True, slots=True)
class DomainDay:
    """One sending domain's feedback totals on one UTC day."""

    day: date
    domain: str
    deliveries: int = 0
    bounces: int = 0
    complaints: int = 0

    @property
    def attempts(self) -> int:
        """Deliveries and bounces: every attempt with a final outcome."""
        return self.deliveries + self.bounces


class ResultsHistory(Protocol):
    """What happened to the fleet over time."""

    def cap_history(self, domains: Collection[str]) -> Mapping[str, Sequence[tuple[date, int]]]:
        """Each domain's warmup decisions as (decision day, next cap), in the order made."""
        ...

    def domain_days(self, since: datetime, until: datetime) -> Sequence[DomainDay]:
        """Feedback totals per sending domain and UTC day for events in ``[since, until)``."""
        ...

    def dnsbl_history(
        self, since: datetime, until: datetime, subjects: Collection[str]
    ) -> DnsblHistory:
        """Runs checked in ``[since, until)`` and the listings among ``subjects`` they saw."""
        ...

    def isolated_between(self, since: datetime, until: datetime) -> frozenset[str]:
        """Domains put into the isolated state in ``[since, until)``."""
        ...


class UserCount(Protocol):
    """How many dashboard users exist (the dashboard's ``UserStore`` answers it)."""

    def count_users(self) -> int:
        """The number of users."""
        ...
