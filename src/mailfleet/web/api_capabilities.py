"""The REST API of the capabilities behind the dashboard: queue messages, and read the
suppression list, alerts, blocklist results, warmup and DNS status."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, Field

from mailfleet.core.dashboard.access import Permission
from mailfleet.core.dashboard.values import DomainQuery, DomainSummary
from mailfleet.core.sending.attachments import MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS
from mailfleet.core.sending.model import Attachment, MessageDraft
from mailfleet.services import dashboard
from mailfleet.services.message_intake import MAX_BATCH, IntakeRefused, queue_batch
from mailfleet.web.api import FORBIDDEN, UNAUTHORISED, ErrorOut, VisitorDep, vars_of
from mailfleet.web.context import context
from mailfleet.web.security import require

router = APIRouter(prefix="/api/v1", tags=["capabilities"], responses=UNAUTHORISED)
REFUSED: dict[int | str, dict[str, object]] = {
    409: {"model": ErrorOut, "description": "A message was refused; none was queued"}
}
_ONE_LINE = r"^[^\r\n]*$"  # header values: a line break would inject headers

_BASE64 = r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$"  # RFC 4648 §4

Address = Annotated[str, Field(min_length=3, max_length=320, pattern=_ONE_LINE)]


class AttachmentIn(BaseModel):
    """A file to attach: its name, MIME type and content in base64 (RFC 4648 §4)."""

    filename: Annotated[str, Field(min_length=1, max_length=255, pattern=_ONE_LINE)]
    content_type: Annotated[str, Field(min_length=3, max_length=255)] = "application/octet-stream"
    content: Annotated[str, Field(max_length=MAX_ATTACHMENT_BYTES * 4 // 3 + 4, pattern=_BASE64)]

    def attachment(self) -> Attachment:
        """The attachment with its decoded bytes."""
        return Attachment(self.filename, self.content_type, base64.b64decode(self.content))


class MessageIn(BaseModel):
    """One message: a fleet mailbox sends it to one recipient."""

    sender: Address
    recipient: Address
    subject: Annotated[str, Field(max_length=998, pattern=_ONE_LINE)]
    text: Annotated[str, Field(max_length=1_000_000)]
    html: Annotated[str, Field(max_length=1_000_000)] = ""
    sender_name: Annotated[str, Field(max_length=200, pattern=_ONE_LINE)] = ""
    segment: Annotated[str, Field(max_length=64)] = ""
    campaign: Annotated[str, Field(max_length=128)] = ""
    bulk: bool = True
    not_before: datetime | None = None
    attachments: Annotated[list[AttachmentIn], Field(max_length=MAX_ATTACHMENTS)] = []


class BatchIn(BaseModel):
    """One message, or a batch of them."""

    messages: Annotated[list[MessageIn], Field(min_length=1, max_length=MAX_BATCH)]


class QueuedOut(BaseModel):
    """The queue ids of the messages, in the order given."""

    ids: list[int]


@router.post("/messages", status_code=202, responses={**REFUSED, **FORBIDDEN})
def queue_messages(request: Request, body: BatchIn, visitor: VisitorDep) -> QueuedOut:
    """Queue one message or a batch (operator role); all are accepted or none.

    Each sender must be on a stored domain that is neither paused nor isolated. The sending
    workers then deliver them within the warmup caps.
    """
    require(visitor, Permission.OPERATE)
    ctx = context(request)
    drafts = [
        MessageDraft(
            sender=m.sender.strip(),
            recipient=m.recipient.strip(),
            subject=m.subject,
            text=m.text,
            html=m.html,
            sender_name=m.sender_name,
            segment=m.segment,
            campaign=m.campaign,
            bulk=m.bulk,
            not_before=m.not_before if m.not_before and m.not_before.tzinfo else None,
            attachments=tuple(a.attachment() for a in m.attachments),
        )
        for m in body.messages
    ]
    try:
        ids = queue_batch(ctx.app.message_queue(), ctx.app.read_model(), ctx.app.clock, drafts)
    except IntakeRefused as exc:
        raise HTTPException(409, str(exc)) from None
    return QueuedOut(ids=ids)


class SuppressionOut(BaseModel):
    """A suppressed address."""

    address: str
    reason: str
    at: datetime


@router.get("/suppression")
def suppression(
    request: Request,
    visitor: VisitorDep,
    q: Annotated[str, Query(max_length=320, description="Part of the address")] = "",
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[SuppressionOut]:
    """Suppressed addresses containing ``q``, newest first."""
    items = dashboard.suppressions(context(request).sources, q, limit)
    return [SuppressionOut(**vars_of(i)) for i in items]


class AlertOut(BaseModel):
    """An alert event; open while its rule still holds."""

    at: datetime
    severity: str
    subject: str
    message: str
    is_open: bool


@router.get("/alerts")
def alerts(
    request: Request,
    visitor: VisitorDep,
    open_only: bool = False,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[AlertOut]:
    """Alert history, newest first (only the open ones with ``open_only``)."""
    found = dashboard.alerts(context(request).sources, open_only=open_only, limit=limit)
    return [AlertOut(**vars_of(a)) for a in found]


class BlocklistOut(BaseModel):
    """One DNSBL lookup of the latest run."""

    subject: str
    zone: str
    listed: bool
    checked_at: datetime


@router.get("/blocklist")
def blocklist(
    request: Request, visitor: VisitorDep, limit: Annotated[int, Query(ge=1, le=5000)] = 500
) -> list[BlocklistOut]:
    """The latest run's lookups, listings first."""
    found = dashboard.blocklist_results(context(request).sources, limit)
    return [BlocklistOut(**vars_of(r)) for r in found]


def _domains(request: Request, page: int, per_page: int) -> Sequence[DomainSummary]:
    query = DomainQuery(page=page, per_page=per_page)
    return context(request).app.read_model().domains(query).rows


class WarmupStatusOut(BaseModel):
    """A domain's warmup today; ``null`` figures were not measured."""

    domain: str
    stage: str | None
    day: int | None
    cap_today: int | None
    sent_today: int | None


@router.get("/warmup")
def warmup(
    request: Request,
    visitor: VisitorDep,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[WarmupStatusOut]:
    """Warmup stage, ramp day, today's cap and sent of one page of domains."""
    names = [d.name for d in _domains(request, page, per_page)]
    figures = context(request).sources.warmup.warmup(names)
    out = []
    for name in names:
        f = figures.get(name)
        out.append(
            WarmupStatusOut(
                domain=name,
                stage=f.stage if f else None,
                day=f.day if f else None,
                cap_today=f.cap_today if f else None,
                sent_today=f.sent_today if f else None,
            )
        )
    return out


class DnsStatusOut(BaseModel):
    """A domain's last DNS verification; ``null`` when never checked."""

    domain: str
    spf: str | None
    dkim: str | None
    dmarc: str | None
    checked_at: datetime | None


@router.get("/dns")
def dns(
    request: Request,
    visitor: VisitorDep,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[DnsStatusOut]:
    """SPF, DKIM and DMARC outcomes of one page of domains."""
    names = [d.name for d in _domains(request, page, per_page)]
    found = context(request).sources.dns_auth.dns_auth(names)
    out = []
    for name in names:
        s = found.get(name)
        out.append(
            DnsStatusOut(
                domain=name,
                spf=s.spf.value if s else None,
                dkim=s.dkim.value if s else None,
                dmarc=s.dmarc.value if s else None,
                checked_at=s.checked_at if s else None,
            )
        )
    return out
