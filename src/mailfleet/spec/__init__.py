"""The fleet spec: typed models of ``fleet.yaml`` and the loader that turns it into a ``Fleet``."""

from mailfleet.spec.loader import load_fleet, load_fleet_text

__all__ = ["load_fleet", "load_fleet_text"]
