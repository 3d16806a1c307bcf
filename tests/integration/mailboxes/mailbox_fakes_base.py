"""Local fakes of the cloud mailbox APIs, following each vendor's documented requests,
answers, errors and rate limits. Each runs a threaded HTTP server on a free loopback port.

They are deliberately strict about what they check (auth headers, required fields, password
rules) and they count every create per address, so tests can prove "no duplicates".
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

Reply = tuple[int, Any, dict[str, str]]
Route = Callable[["Request"], Reply]


class Request:
    """What a route sees: method, path, query, headers and the parsed body."""

    def __init__(
        self, method: str, path: str, query: dict[str, list[str]], headers: Any, raw: bytes
    ):
        self.method, self.path, self.query, self.headers, self.raw = (
            method,
            path,
            query,
            headers,
            raw,
        )

    def json(self) -> Any:
        return json.loads(self.raw or b"null")

    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.raw.decode()).items()}


class RateLimit:
    """At most ``per_second`` requests in each one-second window; beyond that, 429."""

    def __init__(self, per_second: int | None, retry_after: str = "1") -> None:
        self.per_second, self.retry_after = per_second, retry_after
        self._lock = threading.Lock()
        self._window, self._count = 0, 0
        self.refused = 0

    def allow(self) -> bool:
        if self.per_second is None:
            return True
        with self._lock:
            now = int(time.monotonic())
            if now != self._window:
                self._window, self._count = now, 0
            self._count += 1
            if self._count > self.per_second:
                self.refused += 1
                return False
            return True


class FakeApi:
    """Base of the fakes: routing, latency, rate limiting, counters, start and stop."""

    def __init__(self, *, latency: float = 0.0, per_second: int | None = None) -> None:
        self.latency = latency
        self.limit = RateLimit(per_second)
        self.creates: Counter[str] = Counter()
        self.changing_calls = 0
        self.lock = threading.Lock()
        self.fail_next: dict[str, Reply] = {}  # address -> one canned error answer
        self._server: ThreadingHTTPServer | None = None

    def routes(self) -> list[tuple[str, str, Route]]:
        raise NotImplementedError

    def rate_limited(self) -> Reply:
        return 429, {"error": "Too Many Requests"}, {"Retry-After": self.limit.retry_after}

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> FakeApi:
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # headers and body go out as two writes: without this, Nagle's algorithm and the
            # client's delayed ACK add ~40 ms to every answer
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: Any) -> None:
                return

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                request = Request(
                    self.command, parts.path, parse_qs(parts.query), self.headers, raw
                )
                status, body, headers = api.dispatch(request)
                data = b"" if body is None else json.dumps(body).encode()
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def dispatch(self, request: Request) -> Reply:
        if self.latency:
            time.sleep(self.latency)
        if not self.limit.allow():
            return self.rate_limited()
        for method, prefix, route in self.routes():
            if request.method == method and request.path.startswith(prefix):
                return route(request)
        return 404, {"error": "not found"}, {}
