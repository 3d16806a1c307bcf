"""Attachments: what the intake accepts, and the MIME parts they become.

Each attachment is one part of a ``multipart/mixed`` message (RFC 2046 §5.1.3), after the text
(or text-and-HTML) body, encoded in base64 (RFC 2045 §6.8) with ``Content-Disposition:
attachment`` (RFC 2183) and its file name in RFC 2231 form when it is not plain ASCII. The
parts are built with the standard library's ``email`` package.
"""

from __future__ import annotations

import email.policy
import re
from collections.abc import Sequence
from email.message import MIMEPart

from mailfleet.core.errors import MailfleetError
from mailfleet.core.sending.model import Attachment

# Most receivers refuse messages over 25 MB; base64 adds a third, so 10 MiB of files is a
# message of about 14 MB, within every large provider's limit with room for the body.
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 20
# RFC 6838 §4.2 restricted names, for the type and the subtype.
_CONTENT_TYPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$")


class AttachmentError(MailfleetError):
    """Attachments the intake refuses; ``problems`` lists every reason."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = list(problems)


def attachment_problems(
    attachments: Sequence[Attachment], max_bytes: int = MAX_ATTACHMENT_BYTES
) -> list[str]:
    """Every reason to refuse ``attachments`` (empty when they are fine)."""
    problems = []
    if len(attachments) > MAX_ATTACHMENTS:
        problems.append(f"at most {MAX_ATTACHMENTS} attachments, not {len(attachments)}")
    total = sum(len(a.data) for a in attachments)
    if total > max_bytes:
        problems.append(f"attachments total {total:,} bytes; the limit is {max_bytes:,}")
    for index, attachment in enumerate(attachments):
        name = attachment.filename
        if not name or len(name) > 255 or any(c in name for c in "\r\n\0/\\"):
            problems.append(f"attachment {index}: file name {name!r} is not usable")
        if not _CONTENT_TYPE.match(attachment.content_type.lower()):
            problems.append(
                f"attachment {index}: content type {attachment.content_type!r} is not type/subtype"
            )
    return problems


def check_attachments(
    attachments: Sequence[Attachment], max_bytes: int = MAX_ATTACHMENT_BYTES
) -> None:
    """Raise ``AttachmentError`` listing every problem, if there is any."""
    problems = attachment_problems(attachments, max_bytes)
    if problems:
        raise AttachmentError(problems)


def attachment_part(attachment: Attachment) -> bytes:
    """The MIME part of one attachment, headers and base64 body, CRLF line ends."""
    part = MIMEPart(policy=email.policy.SMTP)
    maintype, _, subtype = attachment.content_type.lower().partition("/")
    part.set_content(
        attachment.data,
        maintype=maintype,
        subtype=subtype,
        disposition="attachment",
        filename=attachment.filename,
    )
    return part.as_bytes(policy=email.policy.SMTP)


def mixed_body(
    boundary: str, content_headers: list[str], body: bytes, attachments: Sequence[Attachment]
) -> tuple[list[str], bytes]:
    """Wrap a body (its content headers and bytes) and the attachments in multipart/mixed."""
    first = f"--{boundary}\r\n".encode() + "\r\n".join(content_headers).encode() + b"\r\n\r\n"
    # The CRLF before a boundary belongs to the boundary (RFC 2046 §5.1.1): one more keeps the
    # body's own last line end.
    chunks = [first + body + b"\r\n"]
    chunks += [f"--{boundary}\r\n".encode() + attachment_part(a) for a in attachments]
    closing = f"--{boundary}--\r\n".encode()
    return [f'Content-Type: multipart/mixed; boundary="{boundary}"'], b"".join(chunks) + closing
