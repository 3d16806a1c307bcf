"""Prometheus metrics: request latencies, and domains and mailboxes by state at scrape time.

Each web application has its own registry, so that two apps in one process (tests) never
share or clash over collectors.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from prometheus_client import CollectorRegistry, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1.0, 2.5, 5.0)


class StateCollector(Collector):
    """Reads state counts when scraped, so the figures are never stale."""

    def __init__(self, counts: Callable[[], Mapping[str, Mapping[str, int]]]) -> None:
        self._counts = counts

    def collect(self) -> Iterable[Metric]:
        """One gauge family per entity kind, one sample per state."""
        counts = self._counts()
        for kind, plural in (("domain", "domains"), ("mailbox", "mailboxes")):
            family = GaugeMetricFamily(
                f"mailfleet_{plural}", f"{plural.capitalize()} by runtime state", labels=["state"]
            )
            for state, n in sorted(counts.get(kind, {}).items()):
                family.add_metric([state], n)
            yield family


class WebMetrics:
    """The registry and instruments of one web application."""

    def __init__(self, counts: Callable[[], Mapping[str, Mapping[str, int]]]) -> None:
        self.registry = CollectorRegistry()
        self.latency = Histogram(
            "mailfleet_http_request_duration_seconds",
            "Time to answer an HTTP request, by route template",
            ["method", "route", "status"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.registry.register(StateCollector(counts))
