"""Fixtures for the dashboard over the capabilities' stores: a synced fleet on each database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mailfleet.adapters.clock import FakeClock
from web_support import WebEnv, make_env


@pytest.fixture
def env(db_url: str, tmp_path: Path, clock: FakeClock) -> Iterator[WebEnv]:
    """A web environment on each database backend, its sources the real stores."""
    made = make_env(db_url, tmp_path, clock, domains=6)
    yield made
    made.app.close()
