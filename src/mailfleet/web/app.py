"""The ASGI application factory."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, HTTPException, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.middleware.sessions import SessionMiddleware

from mailfleet import __version__
from mailfleet.bootstrap import App
from mailfleet.services.dashboard import DashboardSources
from mailfleet.web import api, api_capabilities, api_users, ops, pages, users, webhooks
from mailfleet.web.context import WebContext
from mailfleet.web.filters import install_filters
from mailfleet.web.metrics import WebMetrics
from mailfleet.web.security import SESSION_COOKIE, LoginRequired, is_loopback, session_key
from mailfleet.web.spec_cache import SpecCache

HERE = Path(__file__).parent
SESSION_MAX_AGE = 12 * 3600
SECURITY_HEADERS = {
    # Everything is served from this origin; inline SVG charts need no script or style.
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def create_app(
    app: App, *, secure_cookies: bool | None = None, sources: DashboardSources | None = None
) -> FastAPI:
    """The dashboard, REST API, ``/metrics`` and ``/healthz`` for a wired ``App``.

    Cookies are marked Secure unless the bind address is loopback (or ``secure_cookies`` says
    otherwise, for a TLS-terminating proxy in front of a loopback bind). ``sources`` replaces
    the app's dashboard sources (tests pass filled in-memory twins).
    """
    host = app.settings.web_bind.rpartition(":")[0]
    secure = not is_loopback(host) if secure_cookies is None else secure_cookies
    web = FastAPI(
        title="mailfleet",
        version=__version__,
        description="Fleet status, domains, mailboxes and operator actions. Authenticate with "
        "`Authorization: Bearer <token>` (create one with `mailfleet users token EMAIL`).",
        openapi_url="/api/v1/openapi.json",
        docs_url=None,  # the interactive docs pages load scripts from a CDN
        redoc_url=None,
    )
    templates = Jinja2Templates(directory=HERE / "templates")
    install_filters(templates.env)
    metrics = WebMetrics(lambda: app.read_model().state_counts())
    web.state.mailfleet = WebContext(
        app,
        SpecCache(app.settings.spec),
        templates,
        metrics,
        sources or app.dashboard_sources(),
    )
    web.add_middleware(
        SessionMiddleware,
        secret_key=session_key(app.vault()).reveal(),
        session_cookie=SESSION_COOKIE,
        max_age=SESSION_MAX_AGE,
        same_site="lax",
        https_only=secure,
    )
    web.middleware("http")(_measure(metrics))
    web.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    web.include_router(pages.router)
    web.include_router(api.router)
    web.include_router(api_capabilities.router)
    web.include_router(ops.router)
    web.include_router(webhooks.router)
    web.include_router(users.router)
    web.include_router(api_users.router)
    web.add_exception_handler(LoginRequired, _to_login)
    web.add_exception_handler(HTTPException, _http_error)
    return web


def _measure(
    metrics: WebMetrics,
) -> Callable[[Request, Callable[[Request], Awaitable[Response]]], Awaitable[Response]]:
    async def measure(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        route = _route_template(request)
        metrics.latency.labels(request.method, route, str(response.status_code)).observe(
            time.perf_counter() - started
        )
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    return measure


def _route_template(request: Request) -> str:
    """The matched route's path template, so that metrics have one series per route and an
    unknown URL never creates a series of its own."""
    route = request.scope.get("route")
    return str(getattr(route, "path", "unmatched")) if route is not None else "unmatched"


async def _to_login(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LoginRequired)
    return RedirectResponse(f"/login?next={quote(exc.next_path)}", status_code=303)


async def _http_error(request: Request, exc: Exception) -> Response:
    """JSON for the API and machines, a page for people."""
    assert isinstance(exc, HTTPException)
    wants_html = not request.url.path.startswith(("/api/", "/metrics", "/healthz")) and (
        "text/html" in request.headers.get("accept", "")
    )
    if not wants_html:
        return JSONResponse({"detail": exc.detail}, exc.status_code, headers=exc.headers)
    from mailfleet.web.context import context

    ctx = context(request)
    page = ctx.templates.get_template("error.html").render(
        request=request, status=exc.status_code, detail=exc.detail, visitor=None
    )
    return HTMLResponse(page, exc.status_code, headers=exc.headers)
