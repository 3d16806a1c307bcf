"""Per-invocation state shared by commands: global options, settings and the wired app."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import typer

from mailfleet.bootstrap import App, build
from mailfleet.settings import Settings, load_settings


@dataclass
class CliState:
    """Global options, turned into settings and an ``App`` on first use."""

    config: Path | None = None
    overrides: dict[str, Any] = field(default_factory=dict)
    _app: App | None = None

    def settings(self) -> Settings:
        """Settings from file, environment and command-line overrides."""
        return load_settings(self.config, overrides=self.overrides)

    def app(self) -> App:
        """The composition root for this invocation."""
        if self._app is None:
            self._app = build(self.settings())
        return self._app

    def close(self) -> None:
        """Release what the app opened."""
        if self._app is not None:
            self._app.close()


def state(ctx: typer.Context) -> CliState:
    """The ``CliState`` of the running command."""
    obj = ctx.find_root().obj
    if not isinstance(obj, CliState):
        obj = CliState()
        ctx.find_root().obj = obj
    return obj


def spec_path(ctx: typer.Context, given: Path | None) -> Path:
    """The spec file: the command's ``--spec``, else the settings' ``spec``."""
    return given if given is not None else state(ctx).settings().spec
