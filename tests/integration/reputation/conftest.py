"""Fixtures for reputation integration tests: a real rbldnsd serving test zones, the fleet."""

from __future__ import annotations

from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import pytest
from local_dnsbl import TEST_ZONE_FILES
from rbldnsd_server import RbldnsdServer

from mailfleet.core.fleet import Fleet
from mailfleet.spec.loader import load_fleet_text


@pytest.fixture(scope="session")
def rbldnsd() -> Iterator[RbldnsdServer]:
    """A real rbldnsd on a free loopback UDP port, serving the test zones."""
    server = RbldnsdServer(list(TEST_ZONE_FILES)).start()
    yield server
    server.cleanup()


@pytest.fixture
def acme_fleet() -> Fleet:
    """The example fleet of ``mailfleet init``: primary, two pools, transactional, monitoring."""
    text = resources.files("mailfleet.spec").joinpath("template.yaml").read_text("utf-8")
    return load_fleet_text(text, Path("fleet.yaml"))
