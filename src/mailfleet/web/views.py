"""Helpers shared by the page handlers: rendering with the common context, query parsing,
the domain charts, and the catalogue of actions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from mailfleet.core.charts import ChartKind, ChartSpec, Series, ThresholdLine, render_chart
from mailfleet.core.dashboard.ports import DomainAction
from mailfleet.core.dashboard.values import SortKey
from mailfleet.services.dashboard import DomainDetail
from mailfleet.web.context import context
from mailfleet.web.security import LoginRequired, Visitor, csrf_token

MAX_PER_PAGE = 500


def page_visitor(request: Request) -> Visitor:
    """The signed-in user; a visitor without a valid session is sent to the login page."""
    email = request.session.get("user")
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if not isinstance(email, str):
        raise LoginRequired(target)
    found = context(request).app.user_store().credentials(email)
    if found is None or found.user.disabled:
        request.session.clear()
        raise LoginRequired(target)
    return Visitor(found.user.email, found.user.role)


def render(
    request: Request, template: str, visitor: Visitor | None, status: int = 200, **values: Any
) -> HTMLResponse:
    """Render ``template`` with the context every page needs."""
    ctx = context(request)
    spec = ctx.spec.current()
    flash = request.session.pop("flash", None) if visitor else None
    page = ctx.templates.get_template(template).render(
        request=request,
        visitor=visitor,
        csrf=csrf_token(request),
        now=ctx.app.clock.now(),
        spec_problem=spec.problem,
        flash=flash,
        **values,
    )
    return HTMLResponse(page, status)


def int_param(value: str | None, default: int, low: int = 1, high: int = 10**6) -> int:
    """A lenient integer query parameter, clamped; junk means the default."""
    try:
        return min(max(int(value or default), low), high)
    except ValueError:
        return default


def sort_param(value: str | None) -> SortKey:
    """A sort key, defaulting to the segment grouping."""
    try:
        return SortKey(value or SortKey.SEGMENT)
    except ValueError:
        return SortKey.SEGMENT


def text_param(value: str | None) -> str | None:
    """A trimmed text filter; blank means no filter."""
    return value.strip()[:200] if value and value.strip() else None


def domain_charts(detail: DomainDetail) -> tuple[Markup, Markup]:
    """The daily volume chart (cap against sent) and the rates chart with threshold lines."""
    history = detail.extras.history
    labels = tuple(p.day.strftime("%m-%d") for p in history)
    volume = render_chart(
        ChartSpec("Daily volume: sent against cap", labels, empty_note="no sending yet"),
        [
            Series("sent", tuple(float(p.sent) for p in history), ChartKind.BAR, "s1"),
            Series(
                "cap",
                tuple(float(p.cap) if p.cap is not None else None for p in history),
                ChartKind.LINE,
                "s2",
            ),
        ],
    )
    t = detail.line.thresholds
    rates = render_chart(
        ChartSpec("Bounce and complaint rates", labels, percent=True),
        [
            Series("bounce", tuple(p.bounce_rate for p in history), ChartKind.LINE, "s3"),
            Series("complaint", tuple(p.complaint_rate for p in history), ChartKind.LINE, "s4"),
        ],
        [
            ThresholdLine("bounce gate", t.bounce_rate, "gate s3"),
            ThresholdLine("complaint gate", t.complaint_rate, "gate s4"),
        ],
    )
    # render_chart escapes every text it places, so its output is safe markup.
    return Markup(volume), Markup(rates)  # noqa: S704


@dataclass(frozen=True, slots=True)
class ActionInfo:
    """How an action is offered on the domain page."""

    slug: str
    label: str
    explains: str
    danger: bool = False


ACTIONS: dict[str, ActionInfo] = {
    "pause": ActionInfo(
        "pause", "Pause", "Stops all sending from the domain until it is resumed.", True
    ),
    "resume": ActionInfo("resume", "Resume", "Gives the domain back the state it had."),
    DomainAction.ROTATE_OUT.value: ActionInfo(
        DomainAction.ROTATE_OUT.value,
        "Rotate out",
        "Isolates the domain: out of its sending pool (after a listing or a breach). "
        "On an isolated domain, puts it back in the state it had.",
        True,
    ),
    DomainAction.REVERIFY_DNS.value: ActionInfo(
        DomainAction.REVERIFY_DNS.value,
        "Re-verify DNS",
        "Checks SPF, DKIM and DMARC again against the published records.",
    ),
    DomainAction.ROTATE_DKIM.value: ActionInfo(
        DomainAction.ROTATE_DKIM.value,
        "Rotate DKIM",
        "Publishes a new DKIM selector and retires the old one after the overlap.",
    ),
}

NOT_WIRED_REASON = "not available yet: the capability that performs it is not installed"
