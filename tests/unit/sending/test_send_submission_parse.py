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


def test_attachments_are_refused() -> None:
    """A message with an attachment is refused with 554 5.6.1 instead of losing the file."""
    message = _message()
    message.set_content("see attached\n")
    message.add_attachment(b"%PDF-1.4", maintype="application", subtype="pdf", filename="a.pdf")
    refusal = drafts_from_submission(
        message.as_bytes(), ["a@x.org"], authenticated_as="zoe@example.com"
    )
    assert refusal == Refusal("554 5.6.1 only text/plain and text/html content can be queued")


def test_missing_from_is_refused() -> None:
    """No From address at all is a 550 5.6.0."""
    message = _message(From="undisclosed")
    message.set_content("x\n")
    refusal = drafts_from_submission(
        message.as_bytes(), ["a@x.org"], authenticated_as="zoe@example.com"
    )
    assert isinstance(refusal, Refusal)
    assert refusal.reply.startswith("550 5.6.0")
