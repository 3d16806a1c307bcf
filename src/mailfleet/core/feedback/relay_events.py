"""Relay webhook payloads (already verified) read into one shape, :class:`RelayEvent`.

Each provider documents its own JSON: Amazon SES notifications (inside an SNS message),
SendGrid's event webhook array, Mailgun's ``event-data``, Postmark's records. Bounce reasons
are not taken from the provider's labels but from its status and diagnostic text, through the
same rules as the SMTP intake (:func:`classify`), so one taxonomy covers every source.
Unknown or malformed items are skipped, never raised on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mailfleet.core.feedback.classify import classify
from mailfleet.core.feedback.events import EventKind
from mailfleet.core.feedback.rules import BounceRules


@dataclass(frozen=True, slots=True)
class RelayEvent:
    """One recipient's outcome as a relay reported it."""

    kind: EventKind
    recipient: str
    reason: str
    permanent: bool = False
    status: str | None = None
    message_id: str | None = None
    diagnostic: str = ""


def _text(value: object) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)


def _items(value: object) -> list[Mapping[str, Any]]:
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []


def _failure(
    rules: BounceRules,
    recipient: str,
    *,
    permanent: bool,
    diagnostic: str,
    status: str | None,
    message_id: str | None,
) -> RelayEvent | None:
    if "@" not in recipient:
        return None
    verdict = classify(
        rules,
        diagnostic=diagnostic,
        status=status or None,
        action="failed" if permanent else "delayed",
    )
    kind = EventKind.BOUNCE if permanent else EventKind.DEFERRAL
    return RelayEvent(
        kind, recipient, verdict.reason.value, permanent, verdict.status, message_id, diagnostic
    )


def _plain(kind: EventKind, recipient: str, reason: str, message_id: str | None) -> RelayEvent:
    return RelayEvent(kind, recipient, reason, kind is EventKind.COMPLAINT, None, message_id)


def ses_events(notification: Mapping[str, Any], rules: BounceRules) -> list[RelayEvent]:
    """An SES notification (``notificationType`` or event publishing's ``eventType``)."""
    kind = _text(notification.get("notificationType") or notification.get("eventType"))
    mail = notification.get("mail")
    message_id = _text(mail.get("messageId")) if isinstance(mail, Mapping) else None
    events: list[RelayEvent | None] = []
    if kind == "Bounce" and isinstance(bounce := notification.get("bounce"), Mapping):
        permanent = _text(bounce.get("bounceType")) == "Permanent"
        for r in _items(bounce.get("bouncedRecipients")):
            events.append(
                _failure(
                    rules,
                    _text(r.get("emailAddress")),
                    permanent=permanent,
                    diagnostic=_text(r.get("diagnosticCode")),
                    status=_text(r.get("status")),
                    message_id=message_id,
                )
            )
    elif kind == "Complaint" and isinstance(complaint := notification.get("complaint"), Mapping):
        feedback_type = _text(complaint.get("complaintFeedbackType")) or "abuse"
        for r in _items(complaint.get("complainedRecipients")):
            events.append(
                _plain(EventKind.COMPLAINT, _text(r.get("emailAddress")), feedback_type, message_id)
            )
    elif kind == "Delivery" and isinstance(delivery := notification.get("delivery"), Mapping):
        for address in delivery.get("recipients") or []:
            events.append(_plain(EventKind.DELIVERY, _text(address), "delivered", message_id))
    elif kind == "DeliveryDelay" and isinstance(
        delay := notification.get("deliveryDelay"), Mapping
    ):
        for r in _items(delay.get("delayedRecipients")):
            events.append(
                _failure(
                    rules,
                    _text(r.get("emailAddress")),
                    permanent=False,
                    diagnostic=_text(r.get("diagnosticCode")),
                    status=_text(r.get("status")),
                    message_id=message_id,
                )
            )
    return [e for e in events if e is not None and "@" in e.recipient]


def sendgrid_events(items: object, rules: BounceRules) -> list[RelayEvent]:
    """SendGrid's event webhook: a JSON array of events (``bounce``, ``deferred``, ...)."""
    events: list[RelayEvent | None] = []
    for item in _items(items):
        name, address = _text(item.get("event")), _text(item.get("email"))
        message_id = _text(item.get("sg_message_id")) or None
        if name == "bounce":  # type "bounce" or "blocked": both final for this message
            events.append(
                _failure(
                    rules,
                    address,
                    permanent=True,
                    diagnostic=_text(item.get("reason")),
                    status=_text(item.get("status")),
                    message_id=message_id,
                )
            )
        elif name == "deferred":
            events.append(
                _failure(
                    rules,
                    address,
                    permanent=False,
                    diagnostic=_text(item.get("response")),
                    status=None,
                    message_id=message_id,
                )
            )
        elif name == "delivered":
            events.append(_plain(EventKind.DELIVERY, address, "delivered", message_id))
        elif name == "spamreport":
            events.append(_plain(EventKind.COMPLAINT, address, "abuse", message_id))
    return [e for e in events if e is not None and "@" in e.recipient]


def mailgun_events(body: Mapping[str, Any], rules: BounceRules) -> list[RelayEvent]:
    """Mailgun's webhook body: one ``event-data`` (``failed``, ``delivered``, ``complained``)."""
    data = body.get("event-data")
    if not isinstance(data, Mapping):
        return []
    name, address = _text(data.get("event")), _text(data.get("recipient"))
    message = data.get("message")
    headers = message.get("headers") if isinstance(message, Mapping) else None
    message_id = _text(headers.get("message-id")) or None if isinstance(headers, Mapping) else None
    event: RelayEvent | None = None
    if name == "failed":
        status = data.get("delivery-status")
        status = status if isinstance(status, Mapping) else {}
        diagnostic = " ".join(
            part for part in (_text(status.get("code")), _text(status.get("message"))) if part
        ) or _text(status.get("description"))
        event = _failure(
            rules,
            address,
            permanent=_text(data.get("severity")) == "permanent",
            diagnostic=diagnostic,
            status=_text(status.get("enhanced-code")) or None,
            message_id=message_id,
        )
    elif name == "delivered":
        event = _plain(EventKind.DELIVERY, address, "delivered", message_id)
    elif name == "complained":
        event = _plain(EventKind.COMPLAINT, address, "abuse", message_id)
    return [event] if event is not None and "@" in event.recipient else []


# Postmark bounce types that are final for the address; the rest are soft or not bounces.
_POSTMARK_HARD = frozenset(
    {"HardBounce", "BadEmailAddress", "ManuallyDeactivated", "Unsubscribe", "Blocked"}
)
_POSTMARK_SOFT = frozenset({"SoftBounce", "Transient", "DnsError", "Unknown", "SpamNotification"})


def postmark_events(record: Mapping[str, Any], rules: BounceRules) -> list[RelayEvent]:
    """A Postmark webhook record (``RecordType`` Bounce, SpamComplaint or Delivery)."""
    kind = _text(record.get("RecordType"))
    message_id = _text(record.get("MessageID")) or None
    event: RelayEvent | None = None
    if kind == "Bounce":
        bounce_type = _text(record.get("Type"))
        if bounce_type in _POSTMARK_HARD | _POSTMARK_SOFT:
            event = _failure(
                rules,
                _text(record.get("Email")),
                permanent=bounce_type in _POSTMARK_HARD,
                diagnostic=_text(record.get("Details")) or _text(record.get("Description")),
                status=None,
                message_id=message_id,
            )
    elif kind == "SpamComplaint":
        event = _plain(EventKind.COMPLAINT, _text(record.get("Email")), "abuse", message_id)
    elif kind == "Delivery":
        event = _plain(EventKind.DELIVERY, _text(record.get("Recipient")), "delivered", message_id)
    return [event] if event is not None and "@" in event.recipient else []
