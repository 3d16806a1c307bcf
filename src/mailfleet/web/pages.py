"""The dashboard's pages. Each handler parses its query, calls one service, renders."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from mailfleet.core.dashboard.access import Permission
from mailfleet.core.dashboard.ports import ActionOutcome, ControlOutcome, DomainAction
from mailfleet.core.dashboard.values import DomainQuery, MailboxQuery
from mailfleet.core.secrets import Secret
from mailfleet.core.state import DomainState, MailboxState
from mailfleet.services import dashboard, dashboard_login, operations
from mailfleet.services.suppression import SuppressionInputError
from mailfleet.web.context import context
from mailfleet.web.security import (
    Visitor,
    check_csrf,
    client_address,
    require,
    start_session,
)
from mailfleet.web.views import (
    ACTIONS,
    MAX_PER_PAGE,
    NOT_WIRED_REASON,
    domain_charts,
    int_param,
    page_visitor,
    render,
    sort_param,
    text_param,
)

router = APIRouter(include_in_schema=False)
VisitorDep = Annotated[Visitor, Depends(page_visitor)]
CsrfField = Annotated[str, Form(alias="csrf_token")]


def _safe_next(target: str | None) -> str:
    """Only same-site paths are followed after login (no ``//host`` or absolute URLs)."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/"


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str | None = None) -> Response:
    """The sign-in form."""
    return render(request, "login.html", None, next=_safe_next(next), error=None)


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    csrf: CsrfField,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=1024)],
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Check the password (unless sign-ins are throttled); start a new session on success."""
    check_csrf(request, csrf)
    ctx = context(request)
    outcome = dashboard_login.sign_in(
        ctx.app.user_store(),
        ctx.app.password_hasher(),
        ctx.app.login_failures(),
        ctx.app.clock,
        email,
        Secret(password),
        client_address(request),
    )
    if outcome.user is None:
        throttled = outcome.retry_after is not None
        response = render(
            request,
            "login.html",
            None,
            status=429 if throttled else 401,
            next=_safe_next(next),
            error=(
                f"Too many failed sign-ins. Try again in {_minutes(outcome.retry_after)}."
                if outcome.retry_after is not None
                else "Wrong email or password."
            ),
            email=email,
        )
        if throttled:
            response.headers["Retry-After"] = str(outcome.retry_after)
        return response
    start_session(request, outcome.user)
    return RedirectResponse(_safe_next(next), status_code=303)


def _minutes(seconds: int) -> str:
    minutes = -(-seconds // 60)
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


@router.post("/logout")
def logout(request: Request, csrf: CsrfField) -> Response:
    """End the session."""
    check_csrf(request, csrf)
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.get("/", response_class=HTMLResponse)
def overview(request: Request, visitor: VisitorDep) -> Response:
    """Every domain grouped by segment, filtered, sorted and paged by the query string."""
    q = request.query_params
    query = DomainQuery(
        segment=text_param(q.get("segment")),
        state=text_param(q.get("state")),
        search=text_param(q.get("q")),
        sort=sort_param(q.get("sort")),
        descending=q.get("desc") == "1",
        page=int_param(q.get("page"), 1),
        per_page=int_param(q.get("per_page"), 100, 10, MAX_PER_PAGE),
    )
    ctx = context(request)
    view = dashboard.overview(ctx.app.read_model(), ctx.sources, ctx.spec.current().fleet, query)
    return render(
        request,
        "overview.html",
        visitor,
        view=view,
        query=query,
        domain_states=[s.value for s in DomainState],
    )


@router.get("/domains/{name}", response_class=HTMLResponse)
def domain_page(request: Request, name: str, visitor: VisitorDep) -> Response:
    """Charts, decisions, DNS records, mailboxes and events of one domain."""
    ctx = context(request)
    detail = dashboard.domain_detail(
        ctx.app.read_model(), ctx.sources, ctx.spec.current().fleet, name
    )
    if detail is None:
        raise HTTPException(404, f"no domain {name} is stored; run mailfleet sync")
    volume_chart, rates_chart = domain_charts(detail)
    return render(
        request,
        "domain.html",
        visitor,
        d=detail,
        volume_chart=volume_chart,
        rates_chart=rates_chart,
        actions=ACTIONS,
        not_wired=NOT_WIRED_REASON,
    )


@router.get("/domains/{name}/confirm/{action}", response_class=HTMLResponse)
def confirm_action(request: Request, name: str, action: str, visitor: VisitorDep) -> Response:
    """Ask before acting: what the action does, and a form to go ahead."""
    require(visitor, Permission.OPERATE)
    info = ACTIONS.get(action)
    if info is None:
        raise HTTPException(404, f"no action {action}")
    if context(request).app.read_model().domain(name) is None:
        raise HTTPException(404, f"no domain {name} is stored")
    return render(request, "confirm.html", visitor, domain=name, info=info)


@router.post("/domains/{name}/actions/{action}")
def run_action(
    request: Request, name: str, action: str, visitor: VisitorDep, csrf: CsrfField
) -> Response:
    """Perform a confirmed action and go back to the domain with a message."""
    check_csrf(request, csrf)
    require(visitor, Permission.OPERATE)
    ctx = context(request)
    message: str
    if action in ("pause", "resume"):
        run = operations.pause_domain if action == "pause" else operations.resume_domain
        outcome = run(ctx.app.domain_control(), ctx.app.clock, name, visitor.email)
        if outcome == ControlOutcome.UNKNOWN_DOMAIN:
            raise HTTPException(404, f"no domain {name} is stored")
        message = {
            ControlOutcome.PAUSED: f"{name} is paused.",
            ControlOutcome.RESUMED: f"{name} is resumed.",
            ControlOutcome.ALREADY_PAUSED: f"{name} was already paused.",
            ControlOutcome.NOT_PAUSED: f"{name} was not paused.",
        }[outcome]
    else:
        try:
            chosen = DomainAction(action)
        except ValueError:
            raise HTTPException(404, f"no action {action}") from None
        result = operations.run_action(ctx.sources.actions, chosen, name, visitor.email)
        message = (
            f"{ACTIONS[action].label}: {NOT_WIRED_REASON}."
            if result == ActionOutcome.NOT_WIRED
            else f"{ACTIONS[action].label} on {name}: {result.value}."
        )
    request.session["flash"] = message
    return RedirectResponse(f"/domains/{name}", status_code=303)


@router.get("/mailboxes", response_class=HTMLResponse)
def mailboxes(request: Request, visitor: VisitorDep) -> Response:
    """The mailbox inventory with search, filters and last activity."""
    q = request.query_params
    ctx = context(request)
    idle_days = int_param(q.get("idle_days"), 0, 0, 3650)
    query = MailboxQuery(
        domain=text_param(q.get("domain")),
        segment=text_param(q.get("segment")),
        state=text_param(q.get("state")),
        search=text_param(q.get("q")),
        idle_since=dashboard.idle_cutoff(ctx.app.clock.now(), idle_days),
        page=int_param(q.get("page"), 1),
        per_page=int_param(q.get("per_page"), 100, 10, MAX_PER_PAGE),
    )
    page, segments = dashboard.mailbox_inventory(ctx.app.read_model(), query)
    return render(
        request,
        "mailboxes.html",
        visitor,
        page=page,
        ledger=dashboard.provisioning_of(ctx.sources, page.rows),
        segments=segments,
        query=query,
        idle_days=idle_days,
        mailbox_states=[s.value for s in MailboxState],
    )


@router.get("/alerts", response_class=HTMLResponse)
def alerts(request: Request, visitor: VisitorDep) -> Response:
    """Open alerts and their history."""
    sources = context(request).sources
    return render(
        request,
        "alerts.html",
        visitor,
        open_alerts=dashboard.alerts(sources, open_only=True),
        history=dashboard.alerts(sources, open_only=False),
    )


@router.get("/blocklist", response_class=HTMLResponse)
def blocklist(request: Request, visitor: VisitorDep) -> Response:
    """The latest blocklist lookups."""
    results = dashboard.blocklist_results(context(request).sources)
    return render(request, "blocklist.html", visitor, results=results)


@router.get("/suppression", response_class=HTMLResponse)
def suppression(request: Request, visitor: VisitorDep) -> Response:
    """Search the suppression list."""
    text = text_param(request.query_params.get("q")) or ""
    sources = context(request).sources
    items = dashboard.suppressions(sources, text)
    return render(
        request,
        "suppression.html",
        visitor,
        items=items,
        search=text,
        editable=sources.suppression.editable(),
    )


@router.post("/suppression")
def edit_suppression(
    request: Request,
    visitor: VisitorDep,
    csrf: CsrfField,
    address: Annotated[str, Form(max_length=320)],
    action: Annotated[str, Form(pattern="^(add|remove)$")],
    reason: Annotated[str, Form(max_length=200)] = "added by hand",
) -> Response:
    """Add an address to the suppression list, or remove one (operator role)."""
    check_csrf(request, csrf)
    require(visitor, Permission.OPERATE)
    ctx = context(request)
    if action == "add":
        if "@" not in address:
            raise HTTPException(400, f"{address!r} is not an email address")
        try:
            done = operations.suppress_address(
                ctx.sources.suppression,
                ctx.app.clock,
                address,
                reason or "added by hand",
                visitor.email,
            )
        except SuppressionInputError as exc:
            raise HTTPException(400, str(exc)) from None
        verb = ("suppressed", "was already suppressed")
    else:
        done = operations.unsuppress_address(ctx.sources.suppression, address, visitor.email)
        verb = ("removed from the list", "was not on the list")
    if done is None:
        raise HTTPException(409, "the suppression list is not editable yet")
    request.session["flash"] = f"{address.strip().lower()} {verb[0] if done else verb[1]}."
    return RedirectResponse("/suppression", status_code=303)
