"""Gate and start rules from plain data (``policy/warmup.toml``), checked key by key."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from typing import Any

from mailfleet.core.warmup.gate import GatePolicy
from mailfleet.core.warmup.schedule import StartPolicy


def _values(kind: Any, table: Mapping[str, Any], section: str) -> dict[str, Any]:
    known = {f.name: f.type for f in fields(kind)}
    unknown = sorted(set(table) - set(known))
    if unknown:
        raise ValueError(f"[{section}] has unknown keys: {', '.join(unknown)}")
    values = {
        name: (int(value) if known[name] in ("int", int) else float(value))
        for name, value in table.items()
    }
    return values


def rules_from_data(data: Mapping[str, Any]) -> tuple[GatePolicy, StartPolicy]:
    """The ``[gate]`` and ``[start]`` tables as policies; missing keys keep their defaults."""
    return (
        GatePolicy(**_values(GatePolicy, data.get("gate", {}), "gate")),
        StartPolicy(**_values(StartPolicy, data.get("start", {}), "start")),
    )
