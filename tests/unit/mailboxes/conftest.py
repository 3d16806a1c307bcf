"""Builders for mailbox tests: a small fleet spec, loaded for real."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailfleet.core.fleet import Fleet
from mailfleet.spec.loader import load_fleet_text

SPEC = """
version: 1
name: test
defaults: {{dns: local, mailbox: {provider}, relay: local, mailbox_daily_limit: 40}}
providers:
  dns: {{local: {{kind: memory}}}}
  mailbox: {{local: {{kind: memory}}, other: {{kind: memory}}}}
  relay: {{local: {{kind: memory}}}}
policies:
  business_hours: {{default: [{{days: mon-fri, start: "08:00", end: "18:00"}}]}}
  warmup_schedules:
    six-weeks: {{steps: [{{week: 1, min: 20, max: 50}}, {{week: 2, target: true}}]}}
segments:
  primary: {{warmup: {{priority: first}}}}
  pool-a: {{warmup: {{priority: progressive}}}}
domains:
  - name: one.example
    segment: primary
    mailboxes:
      - {{username: hello, display_name: Hello One}}
      - {{username: sales, display_name: Sales, forward_to: [boss@one.example]}}
  - name: two.example
    segment: pool-a
    mailboxes:
      - generate: {{count: {count}, pattern: "sdr{{n:02}}", display_name: "SDR {{n}}"}}
"""


def make_fleet(count: int = 3, provider: str = "local") -> Fleet:
    """A two-domain fleet: 2 mailboxes on one.example, ``count`` on two.example."""
    return load_fleet_text(SPEC.format(count=count, provider=provider), Path("fleet.yaml"))


@pytest.fixture
def fleet() -> Fleet:
    """The default small fleet (5 mailboxes)."""
    return make_fleet()
