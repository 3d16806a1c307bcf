"""What every request handler reaches: the wired app, the spec, templates and metrics."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from fastapi.templating import Jinja2Templates

from mailfleet.bootstrap import App
from mailfleet.services.dashboard import DashboardSources
from mailfleet.web.metrics import WebMetrics
from mailfleet.web.spec_cache import SpecCache


@dataclass
class WebContext:
    """Shared by the handlers of one web application."""

    app: App
    spec: SpecCache
    templates: Jinja2Templates
    metrics: WebMetrics
    sources: DashboardSources


def context(request: Request) -> WebContext:
    """The ``WebContext`` of the application serving ``request``."""
    found = request.app.state.mailfleet
    assert isinstance(found, WebContext)
    return found
