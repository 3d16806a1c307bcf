"""``POST /webhooks/{provider}``: relay event webhooks (SES via SNS, SendGrid, Mailgun, Postmark).

No session or token: each call proves itself by the relay's signature or shared secret, which
``services/feedback_webhooks`` checks. The route only hands over the raw request and answers
the status the service decided (200, 400 unreadable, 401 refused, 404 unknown relay).
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from mailfleet.web.context import context

router = APIRouter(include_in_schema=False)
_MAX_BODY = 5 * 1024 * 1024


@router.post("/webhooks/{provider}")
async def webhook(provider: str, request: Request) -> Response:
    """Verify and apply one webhook call."""
    body = await request.body()
    if len(body) > _MAX_BODY:
        return JSONResponse({"outcome": "invalid", "reason": "body too large"}, 413)
    headers = dict(request.headers.items())
    app = context(request).app
    result = await run_in_threadpool(app.handle_webhook, provider, headers, body)
    return JSONResponse(
        {
            "outcome": result.outcome.value,
            "reason": result.reason,
            "events": len(result.events),
            "suppressed": len(result.suppressed),
        },
        result.http_status,
    )
