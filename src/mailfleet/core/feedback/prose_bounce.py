"""Bounces without RFC 3464 fields: decided from signals, read from prose, flufl as last resort."""

from __future__ import annotations

import re
from email.message import Message

from mailfleet.core.feedback import prose
from mailfleet.core.feedback.classify import Classification, classify, find_smtp_code, find_status
from mailfleet.core.feedback.mime import all_headers, human_text
from mailfleet.core.feedback.model import FeedbackKind, FeedbackReport, Reason, RecipientResult
from mailfleet.core.feedback.rules import BounceRules
from mailfleet.core.feedback.signals import Signals, own_parties

_HEAD = 4000  # the opening of a report is where MTAs say what kind of report it is
_WHOLE = 1500  # how much of a report is read for a reason when no reply follows the address
_RECEIVED_FOR = re.compile(r"\bfor\s+<?([^\s<>;@]+@[^\s<>;]+?)>?\s*;", re.IGNORECASE)


def _is_autoreply(signals: Signals, looks_bounce: bool) -> bool:
    strong_bounce = signals.bounce_subject or signals.daemon_sender or signals.failed_recipients
    if signals.autoreply_subject and not strong_bounce:
        return True
    return signals.autoreply_header and not looks_bounce


def _addresses(
    found: list[prose.ProseRecipient], signals: Signals, message: Message
) -> tuple[list[str], set[str]]:
    """The failed addresses, and those flufl.bounce calls temporary failures.

    One address in the report is taken as is. Otherwise flufl.bounce is asked: its detectors
    are narrow and precise, the prose scan broad, so the addresses both find win, and when
    they disagree flufl.bounce's pattern knew the format.
    """
    if signals.failed_recipients:
        return list(dict.fromkeys(signals.failed_recipients)), set()
    addresses = [p.address for p in found]
    if len(addresses) == 1:
        return addresses, set()
    temporary, permanent = prose.flufl_failures(message)
    flufl = {a.lower(): a for a in temporary | permanent}
    if flufl:
        shared = [a for a in addresses if a.lower() in flufl]
        addresses = shared or sorted(flufl.values())
    return addresses, {a.lower() for a in temporary}


def _envelope_recipient(original: Message | None, parties: set[str]) -> str | None:
    """The recipient the receiving MTA stamped in the returned original's ``Received: for``."""
    for value in all_headers(original, "Received") if original is not None else []:
        match = _RECEIVED_FOR.search(value)
        if match and match.group(1).lower() not in parties:
            return match.group(1)
    return None


def _verdict(rules: BounceRules, diagnostic: str, section: str, transient: bool) -> Classification:
    action = "delayed" if transient else "failed"
    verdict = classify(rules, diagnostic=diagnostic, action=action, transient_hint=transient)
    has_code = find_status(diagnostic) or find_smtp_code(diagnostic)
    if verdict.reason is Reason.OTHER and not has_code:
        # The reply is not next to the address (one-recipient reports): read the whole report.
        verdict = classify(
            rules, diagnostic=section[:_WHOLE], action=action, transient_hint=transient
        )
    return verdict


def prose_bounce(
    message: Message, original: Message | None, signals: Signals, rules: BounceRules
) -> FeedbackReport:
    """Judge a message that carries no DSN or ARF fields."""
    detect = rules.detect
    section = prose.report_section(human_text(message), detect)
    head = section[:_HEAD]
    lowered = head.lower()
    body_signal = bool(detect.bounce_bodies.matches(lowered))
    looks_bounce = bool(
        signals.failed_recipients or signals.daemon_sender or signals.bounce_subject or body_signal
    )
    if signals.report_type == "disposition-notification" and not signals.bounce_subject:
        return FeedbackReport(FeedbackKind.OTHER, notes=("read receipt (RFC 8098)",))
    if _is_autoreply(signals, looks_bounce):
        return FeedbackReport(FeedbackKind.OTHER, notes=("automatic reply (RFC 3834)",))
    if not looks_bounce:
        return FeedbackReport(FeedbackKind.OTHER, notes=("not a report",))
    parties = own_parties(message, original)
    found = prose.prose_recipients(section, parties)
    addresses, flufl_temporary = _addresses(found, signals, message)
    confident = bool(signals.failed_recipients) or (
        body_signal and (signals.daemon_sender or signals.bounce_subject)
    )
    if not addresses and confident:
        recovered = _envelope_recipient(original, parties)
        addresses = [recovered] if recovered else []
    transient_text = f"{signals.subject.lower()}\n{lowered}"
    transient = bool(detect.transient_bodies.matches(transient_text)) and not (
        detect.permanent_bodies.matches(lowered)
    )
    diagnostics = {p.address.lower(): p.diagnostic for p in found}
    recipients = []
    for address in addresses:
        diagnostic = diagnostics.get(address.lower(), "")
        is_transient = transient or address.lower() in flufl_temporary
        verdict = _verdict(rules, diagnostic, head, is_transient)
        recipients.append(
            RecipientResult(
                address=address,
                status=verdict.status,
                smtp_code=verdict.smtp_code,
                permanent=verdict.permanent,
                reason=verdict.reason,
                diagnostic=diagnostic,
                action="delayed" if is_transient else "failed",
            )
        )
    if not recipients and not confident:
        return FeedbackReport(FeedbackKind.OTHER, notes=("no failed recipient found",))
    return FeedbackReport(FeedbackKind.BOUNCE, recipients=tuple(recipients), notes=("prose",))
