"""Operations endpoints: ``/healthz`` with a check per dependency, and ``/metrics``."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from mailfleet.core.errors import MailfleetError
from mailfleet.web.context import context
from mailfleet.web.security import session_key

router = APIRouter(include_in_schema=False)


@router.get("/healthz")
def healthz(request: Request) -> Response:
    """200 when every dependency answers, else 503; the body says which failed and why."""
    app = context(request).app
    checks: dict[str, dict[str, object]] = {}
    try:
        app.database().ping()
        checks["database"] = {"ok": True}
    except MailfleetError as exc:
        checks["database"] = {"ok": False, "error": str(exc)}
    try:
        session_key(app.vault())  # opens a secret: the master key is present and right
        checks["vault"] = {"ok": True}
    except MailfleetError as exc:
        checks["vault"] = {"ok": False, "error": str(exc)}
    healthy = all(c["ok"] for c in checks.values())
    return JSONResponse(
        {"status": "ok" if healthy else "failing", "checks": checks}, 200 if healthy else 503
    )


@router.get("/metrics")
def metrics(request: Request) -> Response:
    """Prometheus text exposition."""
    registry = context(request).metrics.registry
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
