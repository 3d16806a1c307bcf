"""Collecting spec problems: validate pieces one at a time and keep every error with its line."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from mailfleet.core.errors import SpecProblem
from mailfleet.spec.locate import locate

T = TypeVar("T")

_PREFIXES = ("Value error, ", "Assertion failed, ")


def suggest(name: str, choices: Iterable[str]) -> str:
    """A 'did you mean' hint naming the closest choice, or the list of choices."""
    options = sorted(choices)
    close = difflib.get_close_matches(name, options, n=1)
    if close:
        return f"did you mean {close[0]!r}?"
    if options:
        shown = ", ".join(options[:8]) + (", ..." if len(options) > 8 else "")
        return f"choose one of: {shown}"
    return "none are declared yet"


class ProblemCollector:
    """Validates parts of one YAML document and records every problem with its file and line."""

    def __init__(self, file: Path, root: Any) -> None:
        self.file = file
        self.root = root
        self.problems: list[SpecProblem] = []

    def add(self, loc: Sequence[str | int], message: str, hint: str = "") -> None:
        """Record a problem at ``loc`` (a path into the YAML document)."""
        line, where = locate(self.root, loc)
        self.problems.append(SpecProblem(self.file, line, where, message, hint))

    def add_at(
        self, file: Path, line: int | None, where: str, message: str, hint: str = ""
    ) -> None:
        """Record a problem in another file (a CSV of mailboxes, say)."""
        self.problems.append(SpecProblem(file, line, where, message, hint))

    def validate(
        self, schema: type[T] | TypeAdapter[T], data: Any, loc: Sequence[str | int]
    ) -> T | None:
        """Validate ``data``; on failure record each error under ``loc`` and return None."""
        adapter = schema if isinstance(schema, TypeAdapter) else TypeAdapter(schema)
        try:
            return adapter.validate_python(data)
        except ValidationError as exc:
            for error in exc.errors():
                self._record(error, list(loc), schema)
            return None

    def _record(self, error: Any, loc: list[str | int], schema: object) -> None:
        full = [*loc, *error["loc"]]
        kind = error["type"]
        message = str(error["msg"])
        for prefix in _PREFIXES:
            message = message.removeprefix(prefix)
        hint = ""
        if kind == "extra_forbidden":
            key = str(error["loc"][-1]) if error["loc"] else "?"
            message = f"unknown key {key!r}"
            allowed = _allowed_keys(schema, error["loc"])
            hint = suggest(key, allowed) if allowed else "remove it"
        elif kind == "missing":
            key = str(error["loc"][-1]) if error["loc"] else "?"
            message = f"missing required key {key!r}"
            hint = "add it"
        elif kind in {"int_parsing", "int_type", "float_parsing", "bool_parsing"}:
            message = f"{message} (got {error.get('input')!r})"
        self.add(full, message, hint)


def _allowed_keys(schema: object, loc: Sequence[str | int]) -> list[str]:
    """The field names of the model that rejected an unknown key, when we can tell which."""
    model = schema if isinstance(schema, type) and issubclass(schema, BaseModel) else None
    if model is None:
        return []
    for part in loc[:-1]:
        field = model.model_fields.get(str(part)) if model else None
        inner = getattr(field, "annotation", None) if field else None
        model = inner if isinstance(inner, type) and issubclass(inner, BaseModel) else None
        if model is None:
            return []
    return list(model.model_fields)
