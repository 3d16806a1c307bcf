"""The web app's view of the spec file: loaded once, reloaded on change, optional."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from mailfleet.web.spec_cache import SpecCache


def _template() -> str:
    return resources.files("mailfleet.spec").joinpath("template.yaml").read_text("utf-8")


def test_missing_spec_is_a_problem_not_an_error(tmp_path: Path) -> None:
    """Without a spec file the pages still work, and say why thresholds are the defaults."""
    view = SpecCache(tmp_path / "fleet.yaml").current()
    assert view.fleet is None
    assert view.problem is not None
    assert "defaults" in view.problem


def test_spec_is_loaded_once_and_reloaded_when_it_changes(tmp_path: Path) -> None:
    """The same object is served until the file changes; an edit is picked up."""
    path = tmp_path / "fleet.yaml"
    path.write_text(_template(), "utf-8")
    cache = SpecCache(path)
    first = cache.current()
    assert first.fleet is not None
    assert first.fleet.name == "acme"
    assert cache.current() is first
    path.write_text(_template().replace("name: acme", "name: acme-two", 1), "utf-8")
    second = cache.current()
    assert second.fleet is not None
    assert second.fleet.name == "acme-two"


def test_invalid_spec_names_the_problem(tmp_path: Path) -> None:
    """A broken spec gives no fleet and a message pointing at mailfleet validate."""
    path = tmp_path / "fleet.yaml"
    path.write_text(_template().replace("segment: pool-a", "segment: nowhere", 1), "utf-8")
    view = SpecCache(path).current()
    assert view.fleet is None
    assert view.problem is not None
    assert "mailfleet validate" in view.problem
