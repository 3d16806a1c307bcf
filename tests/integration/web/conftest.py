"""Fixtures for the web layer: a synced fleet on each database, users of each role."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mailfleet.adapters.clock import FakeClock
from web_support import WebEnv, make_env


@pytest.fixture
def env(db_url: str, tmp_path: Path, clock: FakeClock) -> Iterator[WebEnv]:
    """A web environment on each database backend."""
    made = make_env(db_url, tmp_path, clock)
    yield made
    made.app.close()
