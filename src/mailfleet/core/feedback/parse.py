"""Turning any inbound message into a classified :class:`FeedbackReport`.

The order of questions matters. A feedback report (RFC 5965) is a complaint. A delivery
status notification (RFC 3464) is a bounce when a recipient ``failed`` or was ``delayed``,
and nothing to act on when all were delivered. An automatic reply (RFC 3834) is never a
bounce. What remains is a bounce only if it looks like one (a daemon sender, a bounce subject
or body) and names recipients, found in its prose or, as a last resort, by flufl.bounce.
"""

from __future__ import annotations

from dataclasses import replace
from email.message import Message

from mailfleet.core.feedback import arf, dsn, prose
from mailfleet.core.feedback.classify import classify
from mailfleet.core.feedback.mime import (
    attached_original,
    header,
    human_text,
    message_from_raw,
)
from mailfleet.core.feedback.model import FeedbackKind, FeedbackReport, Reason, RecipientResult
from mailfleet.core.feedback.prose_bounce import prose_bounce
from mailfleet.core.feedback.rules import BounceRules
from mailfleet.core.feedback.signals import Signals, addresses_in, read_signals
from mailfleet.core.verp import verp_token

_FAILURE_ACTIONS = ("failed", "delayed")
_NOT_COMPLAINTS = ("auth-failure",)
_SUCCESS_ACTIONS = ("delivered", "relayed", "expanded")


def parse_feedback(raw: bytes, rules: BounceRules) -> FeedbackReport:
    """Parse and classify ``raw``; never raises on any input."""
    try:
        message = message_from_raw(raw)
        return _parse(message, rules)
    except (RecursionError, MemoryError):
        return FeedbackReport(FeedbackKind.OTHER, notes=("message too deeply nested",))
    except Exception as exc:  # inbound mail is hostile: one odd message must not stop intake
        return FeedbackReport(FeedbackKind.OTHER, notes=(f"unreadable: {type(exc).__name__}",))


def _identity(
    message: Message, original: Message | None
) -> tuple[str | None, str | None, str | None]:
    """The original message's Message-ID, our VERP token and the original's sender."""
    message_id = header(original, "Message-ID").strip("<> ") if original is not None else ""
    candidates = addresses_in(message, ("To", "Delivered-To", "X-Original-To", "Envelope-To"))
    if original is not None:
        candidates += addresses_in(original, ("Return-Path", "X-Mailfleet-Return-Path"))
        candidates.append(header(original, "X-Mailfleet-Verp"))
    token = next((t for c in candidates if (t := verp_token(c))), None)
    senders = addresses_in(original, ("From",)) if original is not None else []
    return message_id or None, token, (senders[0] if senders else None)


def _parse(message: Message, rules: BounceRules) -> FeedbackReport:
    signals = read_signals(message, rules.detect)
    original = attached_original(message)
    message_id, token, sender = _identity(message, original)
    complaint = _complaint(message, original, signals)
    if complaint is not None:
        return _with_identity(complaint, message_id, token, sender)
    report = dsn.find_dsn(message)
    if report is not None and report.recipients:
        result = _from_dsn(report, message, rules)
        if result is not None:
            return _with_identity(result, message_id, token, sender)
    return _with_identity(_from_prose(message, original, signals, rules), message_id, token, sender)


def _with_identity(
    report: FeedbackReport, message_id: str | None, token: str | None, sender: str | None
) -> FeedbackReport:
    return replace(
        report,
        original_message_id=report.original_message_id or message_id,
        verp_token=report.verp_token or token,
        original_sender=report.original_sender or sender,
    )


def _complaint(
    message: Message, original: Message | None, signals: Signals
) -> FeedbackReport | None:
    found = arf.find_arf(message)
    spam_report = signals.complaint_subject and not signals.bounce_subject
    if found is None and original is None and spam_report:
        original = arf.inline_forwarded(human_text(message))  # a report forwarded inline
    non_arf = found is None and original is not None and (arf.is_jmrp(original) or spam_report)
    if found is None and not non_arf:
        return None
    if found is not None and found.feedback_type in _NOT_COMPLAINTS:
        # RFC 6591 authentication failure reports (DMARC forensic reports) use ARF too, but
        # they report a failed SPF/DKIM check, not a person's complaint.
        return FeedbackReport(
            FeedbackKind.OTHER, feedback_type=found.feedback_type, notes=("rfc6591",)
        )
    addresses = list(found.original_rcpt_to) if found else []
    addresses = [a for a in addresses if arf.usable_address(a)]
    if not addresses:
        recovered = arf.recipient_from_original(original)
        addresses = [recovered] if recovered else []
    feedback_type = found.feedback_type if found else "abuse"
    agent = (found.user_agent if found else None) or "non-ARF report"
    describe = f"{feedback_type} report by {agent}"[:200]
    recipients = tuple(
        RecipientResult(
            address=address,
            status=None,
            smtp_code=None,
            permanent=True,
            reason=Reason.COMPLAINT,
            diagnostic=describe,
        )
        for address in dict.fromkeys(addresses)
    )
    return FeedbackReport(
        kind=FeedbackKind.COMPLAINT,
        recipients=recipients,
        feedback_type=found.feedback_type if found else "abuse",
        source_ip=found.source_ip if found else None,
        reporting_agent=found.user_agent if found else None,
        arrival_date=found.arrival_date if found else None,
        notes=("arf",) if found else ("non-arf complaint",),
    )


def _from_dsn(report: dsn.DsnReport, message: Message, rules: BounceRules) -> FeedbackReport | None:
    failures = [
        r
        for r in report.recipients
        if r.action in _FAILURE_ACTIONS
        or (r.action not in _SUCCESS_ACTIONS and (r.status or "")[:1] in ("4", "5"))
    ]
    if not failures:
        if any(r.action in _SUCCESS_ACTIONS for r in report.recipients):
            return FeedbackReport(FeedbackKind.OTHER, notes=("successful delivery report",))
        return None
    found_in_prose: dict[str, str] = {}
    if not all(f.diagnostic for f in failures):  # some MTAs leave Diagnostic-Code out
        section = prose.report_section(human_text(message), rules.detect)
        found_in_prose = {
            p.address.lower(): p.diagnostic for p in prose.prose_recipients(section, set())
        }
    recipients = []
    for failure in failures:
        diagnostic = failure.diagnostic or found_in_prose.get(failure.address.lower(), "")
        verdict = classify(
            rules, diagnostic=diagnostic, status=failure.status, action=failure.action
        )
        recipients.append(
            RecipientResult(
                address=failure.address,
                status=verdict.status,
                smtp_code=verdict.smtp_code,
                permanent=verdict.permanent,
                reason=verdict.reason,
                diagnostic=diagnostic,
                action=failure.action,
                original_recipient=failure.original,
                remote_mta=failure.remote_mta,
            )
        )
    return FeedbackReport(
        kind=FeedbackKind.BOUNCE,
        recipients=tuple(_unique(recipients)),
        reporting_agent=report.reporting_mta,
        arrival_date=report.arrival_date,
        notes=("rfc3464",),
    )


def _unique(recipients: list[RecipientResult]) -> list[RecipientResult]:
    seen: dict[str, RecipientResult] = {}
    for recipient in recipients:
        seen.setdefault(recipient.address.lower(), recipient)
    return list(seen.values())


def _from_prose(
    message: Message, original: Message | None, signals: Signals, rules: BounceRules
) -> FeedbackReport:
    return prose_bounce(message, original, signals, rules)
