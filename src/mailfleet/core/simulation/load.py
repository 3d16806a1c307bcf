"""Build the world model and scenarios from plain data (the shipped TOML, or a test's dict)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mailfleet.core.fleet import Audience
from mailfleet.core.simulation.world import (
    Incident,
    ListQuality,
    ProviderModel,
    Scenario,
    WorldModel,
)


def world_from_data(data: Mapping[str, Any]) -> WorldModel:
    """A ``WorldModel`` from the ``[world]``, ``[providers.*]`` and ``[tiers.*]`` tables."""
    providers = tuple(
        ProviderModel(
            name=name,
            share=float(p["share"]),
            base_deferral=float(p["base_deferral"]),
            reputation_deferral=float(p["reputation_deferral"]),
            reputation_bounce=float(p["reputation_bounce"]),
        )
        for name, p in data["providers"].items()
    )
    tiers = {
        Audience(name): ListQuality(float(t["bounce"]), float(t["complaint"]))
        for name, t in data["tiers"].items()
    }
    world = dict(data.get("world", {}))
    factors = {str(k): float(v) for k, v in world.pop("segment_factors", {}).items()}
    return WorldModel(
        providers=providers,
        tiers=tiers,
        segment_factors=factors,
        **{k: float(v) for k, v in world.items()},
    )


def scenarios_from_data(data: Mapping[str, Any]) -> dict[str, Scenario]:
    """Every ``[scenarios.NAME]`` table as a ``Scenario``."""
    scenarios = {}
    for name, body in data["scenarios"].items():
        incidents = tuple(
            Incident(
                segment=str(i["segment"]),
                domain_index=int(i.get("domain_index", 0)),
                first_day=int(i["first_day"]),
                last_day=int(i["last_day"]),
                bounce=float(i["bounce"]) if "bounce" in i else None,
                complaint=float(i["complaint"]) if "complaint" in i else None,
                listed_on=str(i["listed_on"]) if "listed_on" in i else None,
            )
            for i in body.get("incidents", [])
        )
        scenarios[name] = Scenario(name, str(body["description"]), incidents)
    return scenarios
