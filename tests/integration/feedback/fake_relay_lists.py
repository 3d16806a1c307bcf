"""Local stand-ins for two relays' suppression-list APIs, following their documentation.

Amazon SES v2 (https://docs.aws.amazon.com/ses/latest/APIReference-V2/), REST-JSON:
``GET /v2/email/suppression/addresses`` (``PageSize``, ``NextToken``; answers
``SuppressedDestinationSummaries`` and ``NextToken``), ``PUT`` the same path with
``{"EmailAddress", "Reason"}``, ``DELETE .../addresses/{EmailAddress}`` (404
``NotFoundException`` when absent). Requests must carry a SigV4 ``Authorization`` header.

Mailgun (bounces, complaints, unsubscribes), basic auth ``api:<key>``:
``GET /v3/<domain>/<list>?limit=N`` with ``paging.next`` links (``page=next&address=<last>``),
``POST`` a JSON array, ``DELETE /v3/<domain>/<list>/<address>``.

Both serve small pages (``page_size``) so that clients must follow the paging.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

SES_PREFIX = "/v2/email/suppression/addresses"


@dataclass
class FakeLists:
    """The fakes' state."""

    mailgun_key: str = "mg-key"
    mailgun_domain: str = "mg.sender.example"
    page_size: int = 2
    ses: dict[str, dict[str, Any]] = field(default_factory=dict)  # address -> summary
    mailgun: dict[str, dict[str, dict[str, Any]]] = field(
        default_factory=lambda: {"bounces": {}, "complaints": {}, "unsubscribes": {}}
    )
    requests: list[tuple[str, str]] = field(default_factory=list)
    port: int = 0


def _handler(state: FakeLists) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            """Quiet."""

        def _reply(self, status: int, body: object, headers: dict[str, str] | None = None) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def _body(self) -> Any:
            length = int(self.headers.get("Content-Length", "0") or 0)
            return json.loads(self.rfile.read(length) or b"null")

        def _route(self, method: str) -> None:
            state.requests.append((method, self.path))
            path = urlsplit(self.path).path
            if path.startswith(SES_PREFIX):
                self._ses(method)
            elif path.startswith("/v3/"):
                self._mailgun(method)
            else:
                self._reply(404, {"message": "not found"})

        def do_GET(self) -> None:
            """Route a GET."""
            self._route("GET")

        def do_PUT(self) -> None:
            """Route a PUT."""
            self._route("PUT")

        def do_POST(self) -> None:
            """Route a POST."""
            self._route("POST")

        def do_DELETE(self) -> None:
            """Route a DELETE."""
            self._route("DELETE")

        # --- SES v2 ---------------------------------------------------------------
        def _ses_error(self, status: int, kind: str, message: str) -> None:
            self._reply(status, {"message": message}, {"x-amzn-ErrorType": kind})

        def _ses(self, method: str) -> None:
            if not self.headers.get("Authorization", "").startswith("AWS4-HMAC-SHA256 "):
                self._ses_error(403, "AccessDeniedException", "missing signature")
                return
            parts = urlsplit(self.path)
            rest = unquote(parts.path[len(SES_PREFIX) :].lstrip("/"))
            if method == "GET" and not rest:
                query = parse_qs(parts.query)
                size = min(int(query.get("PageSize", ["1000"])[0]), state.page_size)
                start = int(query.get("NextToken", ["0"])[0])
                items = sorted(state.ses.values(), key=lambda i: i["EmailAddress"])
                page = items[start : start + size]
                body: dict[str, Any] = {"SuppressedDestinationSummaries": page}
                if start + size < len(items):
                    body["NextToken"] = str(start + size)
                self._reply(200, body)
            elif method == "PUT" and not rest:
                request = self._body()
                if request.get("Reason") not in ("BOUNCE", "COMPLAINT"):
                    self._ses_error(400, "BadRequestException", "Reason must be BOUNCE|COMPLAINT")
                    return
                state.ses[request["EmailAddress"].lower()] = {
                    "EmailAddress": request["EmailAddress"],
                    "Reason": request["Reason"],
                    "LastUpdateTime": datetime.now(UTC).timestamp(),
                }
                self._reply(200, {})
            elif method == "DELETE" and rest:
                if state.ses.pop(rest.lower(), None) is None:
                    self._ses_error(404, "NotFoundException", "not suppressed")
                    return
                self._reply(200, {})
            else:
                self._ses_error(400, "BadRequestException", "unsupported")

        # --- Mailgun ----------------------------------------------------------------
        def _mailgun(self, method: str) -> None:
            expected = base64.b64encode(f"api:{state.mailgun_key}".encode()).decode()
            if self.headers.get("Authorization", "") != f"Basic {expected}":
                self._reply(401, {"message": "Invalid private key"})
                return
            parts = urlsplit(self.path)
            segments = [unquote(s) for s in parts.path.split("/")[2:]]
            if len(segments) < 2 or segments[0] != state.mailgun_domain:
                self._reply(404, {"message": "Domain not found"})
                return
            name = segments[1]
            table = state.mailgun.get(name)
            if table is None:
                self._reply(404, {"message": "not found"})
                return
            if method == "GET" and len(segments) == 2:
                self._mailgun_page(name, table, parse_qs(parts.query))
            elif method == "POST" and len(segments) == 2:
                self._mailgun_add(name, table)
            elif method == "DELETE" and len(segments) == 3:
                if table.pop(segments[2].lower(), None) is None:
                    self._reply(404, {"message": "Address not found"})
                    return
                self._reply(200, {"message": "deleted", "address": segments[2]})
            else:
                self._reply(405, {"message": "unsupported"})

        def _mailgun_page(
            self, name: str, table: dict[str, dict[str, Any]], query: dict[str, list[str]]
        ) -> None:
            limit = min(int(query.get("limit", ["100"])[0]), state.page_size)
            after = query.get("address", [""])[0]
            items = [table[a] for a in sorted(table) if a > after][:limit]
            last = items[-1]["address"] if items else after
            base = f"http://127.0.0.1:{state.port}/v3/{state.mailgun_domain}/{name}"
            self._reply(
                200,
                {
                    "items": items,
                    "paging": {
                        "first": f"{base}?page=first&limit={limit}",
                        "next": f"{base}?page=next&address={last}&limit={limit}",
                        "previous": f"{base}?page=previous&address={after}&limit={limit}",
                        "last": f"{base}?page=last&limit={limit}",
                    },
                },
            )

        def _mailgun_add(self, name: str, table: dict[str, dict[str, Any]]) -> None:
            rows = self._body()
            if not isinstance(rows, list) or len(rows) > 1000:
                self._reply(400, {"message": "expected a JSON array of up to 1000"})
                return
            for row in rows:
                if "@" not in str(row.get("address", "")):
                    self._reply(400, {"message": "invalid address"})
                    return
                item = {
                    "address": row["address"],
                    "created_at": row.get("created_at")
                    or format_datetime(datetime.now(UTC), usegmt=True),
                }
                if name == "bounces":
                    item["code"] = str(row.get("code", "550"))
                    item["error"] = str(row.get("error", ""))
                if name == "unsubscribes":
                    item["tags"] = row.get("tags", ["*"])
                table[row["address"].lower()] = item
            self._reply(200, {"message": f"{len(rows)} addresses have been added"})

    return Handler


@contextmanager
def serve(state: FakeLists) -> Iterator[str]:
    """Run the fakes on a free loopback port; yields the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{state.port}"
    finally:
        server.shutdown()
        server.server_close()
