"""Fixtures for the warmup unit tests: the fleet that ``mailfleet init`` writes."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from mailfleet.core.fleet import Fleet
from mailfleet.spec import load_fleet


@pytest.fixture(scope="session")
def init_fleet() -> Fleet:
    """The example fleet from the packaged template."""
    path = Path(str(resources.files("mailfleet.spec").joinpath("template.yaml")))
    return load_fleet(path)
