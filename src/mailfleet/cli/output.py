"""Rendering for the CLI: Rich for people, ``--json`` for scripts, one error convention.

Exit codes: 0 success, 1 an operation failed, 2 bad input (an invalid spec, settings or usage).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import typer
from rich.console import Console

from mailfleet.core.errors import ConfigError, MailfleetError, SpecError

EXIT_FAILED = 1
EXIT_BAD_INPUT = 2

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


def _default(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, set | frozenset | tuple):
        return sorted(value) if isinstance(value, set | frozenset) else list(value)
    return str(value)


def print_json(data: Any) -> None:
    """Write ``data`` as JSON on stdout, one document, newline-terminated."""
    sys.stdout.write(json.dumps(data, default=_default, indent=2, sort_keys=False) + "\n")


@contextmanager
def reporting(as_json: bool) -> Iterator[None]:
    """Turn mailfleet's errors into a message and an exit code; let bugs show a traceback."""
    try:
        yield
    except SpecError as exc:
        if as_json:
            print_json(
                {"ok": False, "error": str(exc), "problems": [p.as_dict() for p in exc.problems]}
            )
        else:
            err_console.print(f"[bold red]{exc}[/]")
            for problem in exc.problems:
                err_console.print(f"  {problem.render()}", markup=False, soft_wrap=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except MailfleetError as exc:
        code = EXIT_BAD_INPUT if isinstance(exc, ConfigError) else EXIT_FAILED
        if as_json:
            print_json({"ok": False, "error": str(exc), "kind": type(exc).__name__})
        else:
            err_console.print(f"[bold red]error:[/] {exc}", markup=True)
        raise typer.Exit(code) from None
