"""A local stand-in for Mailgun's messages.mime endpoint, following its documented API.

``POST /v3/<domain>/messages.mime`` with basic auth ``api:<key>`` and a multipart form
(``to`` repeated, ``message`` the MIME file). Answers 200 ``{"id", "message"}``, 401
``{"message": "Forbidden"}``, or, for a recipient starting with ``slow``, 429 with Retry-After.
"""

from __future__ import annotations

import base64
import email
import email.policy
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class FakeMailgun:
    """The fake's state: the API key it accepts and what it received."""

    api_key: str
    received: list[dict[str, Any]] = field(default_factory=list)


def _form(content_type: str, body: bytes) -> dict[str, list[bytes]]:
    parsed = email.message_from_bytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body, policy=email.policy.HTTP
    )
    fields: dict[str, list[bytes]] = {}
    for part in parsed.iter_parts():  # type: ignore[attr-defined]
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        if payload is None:  # message/rfc822 parts come back as a message object
            payload = part.get_payload()[0].as_bytes()
        fields.setdefault(str(name), []).append(payload)
    return fields


def serve(fake: FakeMailgun) -> tuple[ThreadingHTTPServer, int]:
    """Start the fake on a free loopback port in a thread."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            """Quiet."""

        def _reply(
            self, status: int, body: dict[str, str], headers: dict[str, str] | None = None
        ) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            # Read the whole request first: answering early and closing would reset the
            # client's upload, as no real HTTP server does.
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            expected = "Basic " + base64.b64encode(f"api:{fake.api_key}".encode()).decode()
            if self.headers.get("Authorization") != expected:
                self._reply(401, {"message": "Forbidden"})
                return
            parts = self.path.strip("/").split("/")
            if len(parts) != 3 or parts[0] != "v3" or parts[2] != "messages.mime":
                self._reply(404, {"message": "not found"})
                return
            fields = _form(self.headers["Content-Type"], body)
            to = [t.decode() for t in fields.get("to", [])]
            if any(t.startswith("slow") for t in to):
                self._reply(429, {"message": "Too many requests"}, {"Retry-After": "30"})
                return
            message_id = f"<{len(fake.received) + 1}@{parts[1]}>"
            fake.received.append(
                {"domain": parts[1], "to": to, "message": fields["message"][0],
                 "verp": fields.get("v:verp", [b""])[0].decode(), "id": message_id}
            )  # fmt: skip
            self._reply(200, {"id": message_id, "message": "Queued. Thank you."})

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.server_address[1]
