"""Fixtures for reputation unit tests."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from mailfleet.core.fleet import Fleet
from mailfleet.spec.loader import load_fleet_text


@pytest.fixture
def acme_fleet() -> Fleet:
    """The example fleet of ``mailfleet init``: primary, two pools, transactional, monitoring."""
    text = resources.files("mailfleet.spec").joinpath("template.yaml").read_text("utf-8")
    return load_fleet_text(text, Path("fleet.yaml"))
