"""Policy the fleet gets when its spec says nothing: the case study's schedule and hours."""

from __future__ import annotations

from typing import Any

DEFAULT_SCHEDULE_NAME = "six-weeks"
DEFAULT_HOURS_NAME = "default"

# The case study's warmup table: weeks 1-5 as ranges, week 6 at the segment's target.
SIX_WEEKS: dict[str, Any] = {
    "steps": [
        {"week": 1, "min": 20, "max": 50, "audience": "most-engaged"},
        {"week": 2, "min": 100, "max": 200, "audience": "most-engaged"},
        {"week": 3, "min": 500, "max": 1000, "audience": "engaged"},
        {"week": 4, "min": 2000, "max": 5000, "audience": "broad"},
        {"week": 5, "min": 5000, "max": 10000, "audience": "all"},
        {"week": 6, "target": True, "audience": "all"},
    ]
}

# Twelve active hours on weekdays, matching the case study's "spread across business hours".
DEFAULT_HOURS: list[dict[str, Any]] = [{"days": "mon-fri", "start": "08:00", "end": "20:00"}]
