"""POST /api/v1/messages with attachments, on SQLite and PostgreSQL."""

from __future__ import annotations

import base64

from dashboard_seeding import DOMAIN
from mailfleet.core.dashboard.access import Role
from mailfleet.core.sending.attachments import MAX_ATTACHMENT_BYTES
from mailfleet.core.sending.model import Attachment, MessageState
from web_support import WebEnv


def _message(attachments: list[dict[str, str]]) -> dict[str, object]:
    return {
        "sender": f"box01@{DOMAIN}",
        "recipient": "r@mail.example",
        "subject": "Hi",
        "text": "x",
        "attachments": attachments,
    }


def test_attachments_are_queued_with_the_message(env: WebEnv) -> None:
    """Base64 content is decoded and stored; the claim gives the file back."""
    client = env.client()
    content = bytes(range(256))
    body = {
        "messages": [
            _message(
                [
                    {
                        "filename": "data.bin",
                        "content_type": "application/octet-stream",
                        "content": base64.b64encode(content).decode(),
                    }
                ]
            )
        ]
    }
    response = client.post("/api/v1/messages", json=body, headers=env.bearer(Role.OPERATOR))
    assert response.status_code == 202, response.text
    claim = env.app.message_queue().claim("t", 10, env.app.clock.now(), 60)
    assert [m.draft.attachments for m in claim.messages] == [
        (Attachment("data.bin", "application/octet-stream", content),)
    ]


def test_bad_attachments_refuse_the_batch(env: WebEnv) -> None:
    """Content that is not base64 is a 422; a bad type or too many bytes a 409; nothing queued."""
    client = env.client()
    headers = env.bearer(Role.OPERATOR)
    not_base64 = {"messages": [_message([{"filename": "a", "content": "%%%"}])]}
    assert client.post("/api/v1/messages", json=not_base64, headers=headers).status_code == 422
    bad_type = {
        "messages": [_message([{"filename": "a", "content_type": "pdf", "content": "AAAA"}])]
    }
    refused = client.post("/api/v1/messages", json=bad_type, headers=headers)
    assert refused.status_code == 409
    assert "content type 'pdf'" in refused.json()["detail"]
    half = base64.b64encode(b"\0" * (MAX_ATTACHMENT_BYTES // 2 + 1)).decode()
    too_big = {
        "messages": [
            _message([{"filename": "a", "content": half}, {"filename": "b", "content": half}])
        ]
    }
    refused = client.post("/api/v1/messages", json=too_big, headers=headers)
    assert refused.status_code == 409
    assert "the limit is" in refused.json()["detail"]
    assert env.app.message_queue().counts()[MessageState.QUEUED] == 0
