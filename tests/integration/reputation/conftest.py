"""Fixtures for reputation integration tests: rbldnsd, a webhook receiver, an SMTP sink."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope
from local_dnsbl import TEST_ZONE_FILES
from rbldnsd_server import RbldnsdServer

from mailfleet.core.fleet import Fleet
from mailfleet.spec.loader import load_fleet_text


@pytest.fixture(scope="session")
def rbldnsd() -> Iterator[RbldnsdServer]:
    """A real rbldnsd on a free loopback UDP port, serving the test zones."""
    server = RbldnsdServer(list(TEST_ZONE_FILES)).start()
    yield server
    server.cleanup()


@pytest.fixture
def acme_fleet() -> Fleet:
    """The example fleet of ``mailfleet init``: primary, two pools, transactional, monitoring."""
    text = resources.files("mailfleet.spec").joinpath("template.yaml").read_text("utf-8")
    return load_fleet_text(text, Path("fleet.yaml"))


@dataclass
class ReceivedRequest:
    """One POST the webhook receiver got."""

    path: str
    headers: dict[str, str]
    body: bytes


class WebhookReceiver:
    """A local HTTP server on a free port that records every POST and answers ``status``."""

    def __init__(self) -> None:
        self.requests: list[ReceivedRequest] = []
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                receiver.requests.append(ReceivedRequest(self.path, dict(self.headers), body))
                self.send_response(receiver.status)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, format: str, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        """The URL of ``path`` on this server."""
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}{path}"


@pytest.fixture
def webhook_receiver() -> Iterator[WebhookReceiver]:
    """A webhook receiver on a free loopback port, shut down after the test."""
    receiver = WebhookReceiver()
    receiver.thread.start()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()
    receiver.thread.join()


class SinkHandler:
    """An aiosmtpd handler that keeps every message."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server: object, session: object, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        self.messages.append((str(envelope.mail_from), list(envelope.rcpt_tos), content))
        return "250 2.0.0 Ok: queued"


def _free_tcp_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def smtp_sink() -> Iterator[tuple[SinkHandler, int]]:
    """An aiosmtpd sink on a free loopback port: (handler with received messages, port)."""
    handler = SinkHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_tcp_port())
    controller.start()
    yield handler, controller.port
    controller.stop()
