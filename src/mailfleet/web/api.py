"""The REST API under ``/api/v1``. Every endpoint needs a bearer token; actions need the
operator role. Responses are described by pydantic models, hence by the OpenAPI schema."""

from __future__ import annotations

import tempfile
from dataclasses import asdict, is_dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel, Field

from mailfleet.core.dashboard.access import Permission
from mailfleet.core.dashboard.ports import ControlOutcome
from mailfleet.core.dashboard.values import DomainQuery, MailboxQuery, SortKey
from mailfleet.core.errors import SpecError
from mailfleet.services import dashboard, operations
from mailfleet.spec import load_fleet_text
from mailfleet.web.context import context
from mailfleet.web.security import Visitor, api_visitor, bearer_scheme, require

MAX_SPEC_BYTES = 2_000_000


class ErrorOut(BaseModel):
    """Why a request was refused."""

    detail: str


UNAUTHORISED: dict[int | str, dict[str, object]] = {
    401: {"model": ErrorOut, "description": "No token, or an unknown or disabled one"}
}
NOT_FOUND: dict[int | str, dict[str, object]] = {
    404: {"model": ErrorOut, "description": "The domain is not stored"}
}
FORBIDDEN: dict[int | str, dict[str, object]] = {
    403: {"model": ErrorOut, "description": "The token's role may not do this"}
}

router = APIRouter(prefix="/api/v1", tags=["fleet"], responses=UNAUTHORISED)


def _visitor(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> Visitor:
    return api_visitor(request, credentials)


VisitorDep = Annotated[Visitor, Depends(_visitor)]


class SegmentOut(BaseModel):
    """A segment and its totals."""

    name: str
    purpose: str
    priority: str
    daily_target: int
    state: str
    domains: int
    mailboxes: int


class WarmupOut(BaseModel):
    """Warmup figures; absent until the warmup engine reports."""

    stage: str
    day: int | None
    cap_today: int | None
    sent_today: int | None


class RatesOut(BaseModel):
    """Recent rates as fractions; ``None`` when not measured, with their grades."""

    bounce_rate: float | None
    complaint_rate: float | None
    bounce_level: str
    complaint_level: str


class DomainOut(BaseModel):
    """A domain as stored, with each capability's figures when they exist."""

    name: str
    segment: str
    state: str
    in_spec: bool
    mailboxes: int
    last_activity_at: datetime | None
    sending_ips: list[str]
    warmup: WarmupOut | None
    rates: RatesOut
    dns_auth: dict[str, str] | None
    blocklisted_on: list[str] | None
    drift: list[str]


class DomainPageOut(BaseModel):
    """One page of domains."""

    total: int
    page: int
    per_page: int
    domains: list[DomainOut]


class DomainDetailOut(DomainOut):
    """A domain with its providers and drift from the spec."""

    dns_provider: str
    mailbox_provider: str
    relay: str
    timezone: str
    business_hours: str


class MailboxOut(BaseModel):
    """A mailbox as stored."""

    address: str
    domain: str
    segment: str
    display_name: str
    daily_limit: int
    state: str
    in_spec: bool
    last_activity_at: datetime | None


class MailboxPageOut(BaseModel):
    """One page of mailboxes."""

    total: int
    page: int
    per_page: int
    mailboxes: list[MailboxOut]


class StatusOut(BaseModel):
    """The fleet at a glance."""

    fleet: str | None
    spec_problem: str | None
    last_sync: datetime | None
    domains_by_state: dict[str, int]
    mailboxes_by_state: dict[str, int]
    segments: list[SegmentOut]


class ControlOut(BaseModel):
    """What a pause or resume did."""

    domain: str
    outcome: Literal["paused", "resumed", "already-paused", "not-paused"]


class ProblemOut(BaseModel):
    """One problem in a spec, with its line."""

    line: int | None
    where: str
    message: str
    hint: str


class ValidateOut(BaseModel):
    """The verdict on a posted spec."""

    ok: bool
    segments: int = 0
    domains: int = 0
    mailboxes: int = 0
    problems: list[ProblemOut] = Field(default_factory=list)


def _domain_out(line: dashboard.DomainLine) -> DomainOut:
    d = line.domain
    return DomainOut(
        name=d.name,
        segment=d.segment,
        state=d.state,
        in_spec=d.in_spec,
        mailboxes=d.mailboxes,
        last_activity_at=d.last_activity_at,
        sending_ips=list(d.sending_ips),
        warmup=WarmupOut(
            stage=line.warmup.stage,
            day=line.warmup.day,
            cap_today=line.warmup.cap_today,
            sent_today=line.warmup.sent_today,
        )
        if line.warmup
        else None,
        rates=RatesOut(
            bounce_rate=line.rates.bounce_rate if line.rates else None,
            complaint_rate=line.rates.complaint_rate if line.rates else None,
            bounce_level=line.bounce_level.value,
            complaint_level=line.complaint_level.value,
        ),
        dns_auth={
            "spf": line.dns_auth.spf.value,
            "dkim": line.dns_auth.dkim.value,
            "dmarc": line.dns_auth.dmarc.value,
        }
        if line.dns_auth
        else None,
        blocklisted_on=list(line.blocklist.listed_on) if line.blocklist else None,
        drift=list(line.drift),
    )


@router.get("/status")
def fleet_status(request: Request, visitor: VisitorDep) -> StatusOut:
    """Domains and mailboxes by state, segments with totals, and the last sync."""
    ctx = context(request)
    spec = ctx.spec.current()
    counts = ctx.app.read_model().state_counts()
    return StatusOut(
        fleet=spec.fleet.name if spec.fleet else None,
        spec_problem=spec.problem,
        last_sync=ctx.app.fleet_store().last_sync(),
        domains_by_state=dict(counts.get("domain", {})),
        mailboxes_by_state=dict(counts.get("mailbox", {})),
        segments=[SegmentOut(**vars_of(s)) for s in ctx.app.read_model().segments()],
    )


def vars_of(value: object) -> dict[str, object]:
    """The fields of a dataclass value."""
    assert is_dataclass(value)
    assert not isinstance(value, type)
    return asdict(value)


@router.get("/segments")
def segments(request: Request, visitor: VisitorDep) -> list[SegmentOut]:
    """Every segment with its totals."""
    return [SegmentOut(**vars_of(s)) for s in context(request).app.read_model().segments()]


@router.get("/domains")
def domains(
    request: Request,
    visitor: VisitorDep,
    segment: Annotated[str | None, Query(max_length=64)] = None,
    state: Annotated[str | None, Query(max_length=16)] = None,
    q: Annotated[str | None, Query(max_length=200, description="Part of the name")] = None,
    sort: SortKey = SortKey.SEGMENT,
    desc: bool = False,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=500)] = 100,
) -> DomainPageOut:
    """Domains with their figures, filtered, sorted and paged."""
    ctx = context(request)
    query = DomainQuery(segment, state, q, sort, desc, page, per_page)
    view = dashboard.overview(ctx.app.read_model(), ctx.sources, ctx.spec.current().fleet, query)
    return DomainPageOut(
        total=view.page.total,
        page=page,
        per_page=per_page,
        domains=[_domain_out(line) for block in view.blocks for line in block.lines],
    )


@router.get("/domains/{name}", responses=NOT_FOUND)
def domain(request: Request, name: str, visitor: VisitorDep) -> DomainDetailOut:
    """One domain, with its providers and drift from the spec."""
    ctx = context(request)
    detail = dashboard.domain_detail(
        ctx.app.read_model(), ctx.sources, ctx.spec.current().fleet, name
    )
    if detail is None:
        raise HTTPException(404, f"no domain {name} is stored")
    d = detail.line.domain
    return DomainDetailOut(
        **_domain_out(detail.line).model_dump(),
        dns_provider=d.dns_provider,
        mailbox_provider=d.mailbox_provider,
        relay=d.relay,
        timezone=d.timezone,
        business_hours=d.business_hours,
    )


@router.get("/mailboxes")
def mailboxes(
    request: Request,
    visitor: VisitorDep,
    domain: Annotated[str | None, Query(max_length=253)] = None,
    segment: Annotated[str | None, Query(max_length=64)] = None,
    state: Annotated[str | None, Query(max_length=16)] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    idle_days: Annotated[int | None, Query(ge=1, le=3650)] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=500)] = 100,
) -> MailboxPageOut:
    """Mailboxes, filtered by domain, segment, state, text and idle time."""
    ctx = context(request)
    query = MailboxQuery(
        domain,
        segment,
        state,
        q,
        dashboard.idle_cutoff(ctx.app.clock.now(), idle_days),
        page,
        per_page,
    )
    found, _ = dashboard.mailbox_inventory(ctx.app.read_model(), query)
    return MailboxPageOut(
        total=found.total,
        page=page,
        per_page=per_page,
        mailboxes=[MailboxOut(**vars_of(m)) for m in found.rows],
    )


def _control(request: Request, name: str, visitor: Visitor, pause: bool) -> ControlOut:
    require(visitor, Permission.OPERATE)
    ctx = context(request)
    run = operations.pause_domain if pause else operations.resume_domain
    outcome = run(ctx.app.domain_control(), ctx.app.clock, name, visitor.email)
    if outcome == ControlOutcome.UNKNOWN_DOMAIN:
        raise HTTPException(404, f"no domain {name} is stored")
    return ControlOut(domain=name, outcome=outcome.value)


@router.post("/domains/{name}/pause", responses={**NOT_FOUND, **FORBIDDEN})
def pause(request: Request, name: str, visitor: VisitorDep) -> ControlOut:
    """Hold a domain: nothing is sent from it until it is resumed (operator role)."""
    return _control(request, name, visitor, pause=True)


@router.post("/domains/{name}/resume", responses={**NOT_FOUND, **FORBIDDEN})
def resume(request: Request, name: str, visitor: VisitorDep) -> ControlOut:
    """Give a paused domain back its previous state (operator role)."""
    return _control(request, name, visitor, pause=False)


TOO_LARGE: dict[int | str, dict[str, object]] = {
    413: {"model": ErrorOut, "description": f"The spec is over {MAX_SPEC_BYTES:,} bytes"}
}
SPEC_BODY = {
    "requestBody": {
        "required": True,
        "content": {"text/plain": {"schema": {"type": "string"}}},
        "description": "The fleet spec, as the YAML text of fleet.yaml",
    }
}


@router.post("/spec/validate", responses=TOO_LARGE, openapi_extra=SPEC_BODY)
async def validate_spec(request: Request, visitor: VisitorDep) -> ValidateOut:
    """Validate a fleet spec (YAML in the body) and list every problem with its line.

    CSV files named by the spec are looked for in an empty folder, so they are reported as
    missing: the server's own files are never read on behalf of a request.
    """
    body = await request.body()
    if len(body) > MAX_SPEC_BYTES:
        raise HTTPException(413, f"the spec is over {MAX_SPEC_BYTES:,} bytes")
    return await run_in_threadpool(_validate_text, body.decode("utf-8", errors="replace"))


def _validate_text(text: str) -> ValidateOut:
    with tempfile.TemporaryDirectory(prefix="mailfleet-validate-") as folder:
        try:
            fleet = load_fleet_text(text, Path(folder) / "fleet.yaml")
        except SpecError as exc:
            return ValidateOut(
                ok=False,
                problems=[
                    ProblemOut(line=p.line, where=p.where, message=p.message, hint=p.hint)
                    for p in exc.problems
                ],
            )
    return ValidateOut(
        ok=True,
        segments=len(fleet.segments),
        domains=len(fleet.domains),
        mailboxes=sum(len(d.mailboxes) for d in fleet.domains),
    )
