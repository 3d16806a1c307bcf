"""Attachments: the limits the intake enforces, and the multipart/mixed message they make."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime
from email.message import EmailMessage

import dkim
import pytest

from mailfleet.core.sending.attachments import (
    MAX_ATTACHMENT_BYTES,
    AttachmentError,
    attachment_problems,
    check_attachments,
)
from mailfleet.core.sending.dkim import DkimKey, DkimSigner, public_key_record
from mailfleet.core.sending.message import BuildContext, build_message
from mailfleet.core.sending.model import Attachment, MessageDraft, QueuedMessage

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
PDF = Attachment("report.pdf", "application/pdf", bytes(range(256)) * 40)
CSV = Attachment("données été.csv", "text/csv", "a;b\n1;é\n".encode())


def _message(html: str = "", attachments: tuple[Attachment, ...] = (PDF, CSV)) -> QueuedMessage:
    draft = MessageDraft(
        "news@example.com", "bob@example.org", "Files", "See attached.\n", html=html,
        attachments=attachments,
    )  # fmt: skip
    return QueuedMessage(7, "<7@example.com>", draft, 0, NOW)


def _parse(data: bytes) -> EmailMessage:
    parsed = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


@pytest.mark.parametrize("html", ["", "<p>See attached.</p>"])
def test_attachments_make_a_mixed_message(html: str) -> None:
    """The body comes first (text, or text and HTML as alternatives), then each file in
    base64 with its name (RFC 2231 when not ASCII) and its exact bytes."""
    parsed = _parse(build_message(_message(html), BuildContext(NOW)))
    assert parsed.get_content_type() == "multipart/mixed"
    parts = list(parsed.iter_parts())
    assert len(parts) == 3
    body = parts[0]
    assert isinstance(body, EmailMessage)
    if html:
        assert body.get_content_type() == "multipart/alternative"
        kinds = [p.get_content_type() for p in body.iter_parts()]
        assert kinds == ["text/plain", "text/html"]
    else:
        assert body.get_content_type() == "text/plain"
        assert body.get_content().replace("\r\n", "\n") == "See attached.\n"
    files = [
        (p.get_filename(), p.get_content_type(), p.get_payload(decode=True)) for p in parts[1:]
    ]
    assert files == [
        ("report.pdf", "application/pdf", PDF.data),
        ("données été.csv", "text/csv", CSV.data),
    ]
    assert all(p["Content-Transfer-Encoding"] == "base64" for p in parts[1:])
    assert all(p.get_content_disposition() == "attachment" for p in parts[1:])


def test_without_attachments_the_message_is_unchanged() -> None:
    """No attachments: a single text part, as before."""
    parsed = _parse(build_message(_message(attachments=()), BuildContext(NOW)))
    assert parsed.get_content_type() == "text/plain"


def test_message_with_attachments_is_signed_and_verifies(rsa_key: DkimKey) -> None:
    """The signature covers the whole mixed body; dkimpy verifies it."""
    signed = DkimSigner([rsa_key]).sign(build_message(_message(), BuildContext(NOW)))
    record = public_key_record(rsa_key).encode()

    def dnsfunc(name: bytes, timeout: int = 5) -> bytes:
        return record

    assert dkim.verify(signed, dnsfunc=dnsfunc)
    assert max(len(line) for line in signed.split(b"\r\n")) <= 998


def test_limits_list_every_problem() -> None:
    """Too many files, too many bytes, unusable names and types are all reported at once."""
    big = Attachment("big.bin", "application/octet-stream", b"\0" * (MAX_ATTACHMENT_BYTES + 1))
    assert attachment_problems([PDF, CSV]) == []
    problems = attachment_problems(
        [big, Attachment("a\r\nBcc: x@y.z", "text/plain", b""), Attachment("x", "pdf", b"")]
    )
    assert problems == [
        f"attachments total {MAX_ATTACHMENT_BYTES + 1:,} bytes; the limit is "
        f"{MAX_ATTACHMENT_BYTES:,}",
        "attachment 1: file name 'a\\r\\nBcc: x@y.z' is not usable",
        "attachment 2: content type 'pdf' is not type/subtype",
    ]
    assert attachment_problems([PDF] * 21) == ["at most 20 attachments, not 21"]
    with pytest.raises(AttachmentError) as raised:
        check_attachments([Attachment("", "text/plain", b"")])
    assert raised.value.problems == ["attachment 0: file name '' is not usable"]
