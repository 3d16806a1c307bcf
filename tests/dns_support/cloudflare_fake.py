"""A small local stand-in for Cloudflare's v4 DNS API, following its documented shapes.

Endpoints: ``GET/POST /client/v4/zones``, ``GET/POST /zones/{id}/dns_records`` (paginated with
``result_info``), ``PUT/DELETE /zones/{id}/dns_records/{record_id}``. Every answer is the
envelope ``{"success", "errors", "messages", "result"}``; a bad token is 403 with code 9109
(as Cloudflare answers an invalid token); ``fail_names`` makes writes to a name answer 500.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse


@dataclass
class CloudflareState:
    """Zones and records held by the fake, plus switches for failures."""

    token: str
    zones: dict[str, dict[str, Any]] = field(default_factory=dict)
    records: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    fail_names: set[str] = field(default_factory=set)
    calls: int = 0


def _envelope(result: Any, info: dict[str, Any] | None = None) -> dict[str, Any]:
    body = {"success": True, "errors": [], "messages": [], "result": result}
    if info is not None:
        body["result_info"] = info
    return body


def _error(code: int, message: str) -> dict[str, Any]:
    return {
        "success": False,
        "errors": [{"code": code, "message": message}],
        "messages": [],
        "result": None,
    }


def _handler(state: CloudflareState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _send(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _body(self) -> dict[str, Any]:
            length = int(self.headers.get("Content-Length", 0))
            return json.loads(self.rfile.read(length)) if length else {}

        def _route(self, method: str) -> None:
            state.calls += 1
            if self.headers.get("Authorization") != f"Bearer {state.token}":
                self._send(403, _error(9109, "Invalid access token"))
                return
            url = urlparse(self.path)
            parts = url.path.removeprefix("/client/v4/").strip("/").split("/")
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            if parts == ["zones"]:
                self._zones(method, query)
            elif len(parts) >= 3 and parts[0] == "zones" and parts[2] == "dns_records":
                if parts[1] not in state.zones:
                    self._send(404, _error(7003, "Could not route to /zones: zone not found"))
                    return
                self._records(method, parts[1], parts[3] if len(parts) > 3 else None, query)
            else:
                self._send(404, _error(7000, "No route for that URI"))

        def _zones(self, method: str, query: dict[str, str]) -> None:
            if method == "GET":
                found = [
                    z for z in state.zones.values() if z["name"] == query.get("name", z["name"])
                ]
                self._send(
                    200,
                    _envelope(
                        found,
                        {
                            "page": 1,
                            "per_page": 20,
                            "total_pages": 1,
                            "count": len(found),
                            "total_count": len(found),
                        },
                    ),
                )
                return
            body = self._body()
            zone = {
                "id": uuid.uuid4().hex,
                "name": body["name"],
                "status": "pending",
                "type": body.get("type", "full"),
            }
            state.zones[zone["id"]] = zone
            state.records[zone["id"]] = {}
            self._send(200, _envelope(zone))

        def _records(
            self, method: str, zone_id: str, record_id: str | None, query: dict[str, str]
        ) -> None:
            records = state.records[zone_id]
            if method == "GET":
                page, per_page = int(query.get("page", 1)), int(query.get("per_page", 100))
                items = sorted(records.values(), key=lambda r: (r["name"], r["type"], r["content"]))
                chunk = items[(page - 1) * per_page : page * per_page]
                pages = max(1, -(-len(items) // per_page))
                info = {
                    "page": page,
                    "per_page": per_page,
                    "total_pages": pages,
                    "count": len(chunk),
                    "total_count": len(items),
                }
                self._send(200, _envelope(chunk, info))
                return
            if method == "DELETE":
                if record_id not in records:
                    self._send(404, _error(81044, "Record does not exist."))
                    return
                del records[record_id]
                self._send(200, _envelope({"id": record_id}))
                return
            body = self._body()
            if body.get("name") in state.fail_names:
                self._send(500, _error(10000, "Internal error"))
                return
            if method == "POST":
                duplicate = any(
                    (r["name"], r["type"], r["content"])
                    == (body["name"], body["type"], body["content"])
                    for r in records.values()
                )
                if duplicate:
                    self._send(400, _error(81058, "An identical record already exists."))
                    return
                record_id = uuid.uuid4().hex
            assert record_id is not None
            records[record_id] = {"id": record_id, **body}
            self._send(200, _envelope(records[record_id]))

        def do_GET(self) -> None:
            self._route("GET")

        def do_POST(self) -> None:
            self._route("POST")

        def do_PUT(self) -> None:
            self._route("PUT")

        def do_DELETE(self) -> None:
            self._route("DELETE")

    return Handler


@contextmanager
def running_cloudflare_fake(
    token: str = "cf-test-token",  # noqa: S107 (a fake server's token)
) -> Iterator[tuple[str, CloudflareState]]:
    """The fake on a free loopback port: yields its ``/client/v4`` URL and its state."""
    state = CloudflareState(token)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/client/v4", state
    finally:
        server.shutdown()
        server.server_close()
