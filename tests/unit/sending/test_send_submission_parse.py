"""Submitted MIME to drafts: what is accepted, what is refused and why."""

from __future__ import annotations

from email.message import EmailMessage

from mailfleet.core.sending.model import MessageDraft
from mailfleet.core.sending.submission import Refusal, drafts_from_submission


def _message(**headers: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = headers.pop("From", "Zoë <zoe@example.com>")
    message["To"] = "x@example.org"
    message["Subject"] = "Grüße"
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    return message


def test_alternative_keeps_text_html_and_reply_headers() -> None:
    """multipart/alternative gives text and HTML; Reply-To is kept; List-Unsubscribe means bulk."""
    message = _message(Reply_To="help@example.com", List_Unsubscribe="<mailto:u@example.com>")
    message.set_content("plain ✓\n")
    message.add_alternative("<p>html ✓</p>\n", subtype="html")
    drafts = drafts_from_submission(
        message.as_bytes(), ["a@x.org", "b@x.org"], authenticated_as="ZOE@example.com"
    )
    assert isinstance(drafts, list)
    first: MessageDraft = drafts[0]
    assert (first.sender_name, first.subject, first.text, first.html) == (
        "Zoë", "Grüße", "plain ✓\n", "<p>html ✓</p>\n"
    )  # fmt: skip
    assert first.headers == {"Reply-To": "help@example.com"}
    assert first.bulk
    assert [d.recipient for d in drafts] == ["a@x.org", "b@x.org"]


def test_attachments_are_kept() -> None:
    """Files after the text of a multipart/mixed message are queued with it, bytes intact."""
    message = _message()
    message.set_content("see attached\n")
    message.add_alternative("<p>see attached</p>\n", subtype="html")
    message.add_attachment(b"%PDF-1.4", maintype="application", subtype="pdf", filename="a.pdf")
    message.add_attachment("ü;1\n", subtype="csv", filename="données.csv")
    drafts = drafts_from_submission(
        message.as_bytes(), ["a@x.org"], authenticated_as="zoe@example.com"
    )
    assert isinstance(drafts, list)
    draft = drafts[0]
    assert (draft.text, draft.html) == ("see attached\n", "<p>see attached</p>\n")
    assert [(a.filename, a.content_type) for a in draft.attachments] == [
        ("a.pdf", "application/pdf"),
        ("données.csv", "text/csv"),
    ]
    assert draft.attachments[0].data == b"%PDF-1.4"
    assert draft.attachments[1].data.decode("utf-8").replace("\r\n", "\n") == "ü;1\n"


def test_attachments_over_the_limit_are_refused() -> None:
    """Too many bytes of files is 552 5.3.4, naming the limit."""
    from mailfleet.core.sending.attachments import MAX_ATTACHMENT_BYTES

    message = _message()
    message.set_content("see attached\n")
    big = b"\0" * (MAX_ATTACHMENT_BYTES + 1)
    message.add_attachment(big, maintype="application", subtype="octet-stream", filename="b")
    refusal = drafts_from_submission(
        message.as_bytes(), ["a@x.org"], authenticated_as="zoe@example.com"
    )
    assert isinstance(refusal, Refusal)
    assert refusal.reply.startswith("552 5.3.4 attachments total")


def test_nested_parts_after_the_text_are_refused() -> None:
    """A multipart part where a file should be is refused (554 5.6.1), not flattened."""
    inner = EmailMessage()
    inner.set_content("a\n")
    inner.add_alternative("<p>a</p>", subtype="html")
    message = _message()
    message.set_content("see attached\n")
    message.make_mixed()
    message.attach(inner)
    refusal = drafts_from_submission(
        message.as_bytes(), ["a@x.org"], authenticated_as="zoe@example.com"
    )
    assert isinstance(refusal, Refusal)
    assert refusal.reply.startswith("554 5.6.1 only files")


def test_missing_from_is_refused() -> None:
    """No From address at all is a 550 5.6.0."""
    message = _message(From="undisclosed")
    message.set_content("x\n")
    refusal = drafts_from_submission(
        message.as_bytes(), ["a@x.org"], authenticated_as="zoe@example.com"
    )
    assert isinstance(refusal, Refusal)
    assert refusal.reply.startswith("550 5.6.0")
