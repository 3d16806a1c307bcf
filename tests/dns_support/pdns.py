"""Start a PowerDNS Authoritative server (gsqlite3, HTTP API, RFC 2136) on free loopback ports.

Follows the project's recipe: its own temp dir, the Debian schema, ``daemon=no``, caches off
so that every answer is fresh, stopped by PID. Used by the integration fixtures and the bench.
"""

from __future__ import annotations

import secrets
import shutil
import socket
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

SCHEMA = Path("/usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql")
PDNS_SERVER = shutil.which("pdns_server") or "/usr/sbin/pdns_server"


def pdns_available() -> bool:
    """True when the pdns binary and the sqlite3 schema are installed."""
    return Path(PDNS_SERVER).exists() and SCHEMA.exists()


@dataclass(frozen=True)
class PowerDnsServer:
    """A running server: where its API and DNS listen, and its API key."""

    api_url: str
    api_key: str
    dns_port: int
    directory: Path

    def api(self) -> httpx.Client:
        """An API client scoped to ``/api/v1/servers/localhost``."""
        return httpx.Client(
            base_url=f"{self.api_url}/api/v1/servers/localhost",
            headers={"X-API-Key": self.api_key},
            timeout=10,
        )


def _free_port() -> int:
    """A port free for both TCP and UDP on 127.0.0.1 right now."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
            tcp.bind(("127.0.0.1", 0))
            port = int(tcp.getsockname()[1])
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
                try:
                    udp.bind(("127.0.0.1", port))
                except OSError:
                    continue
            return port
    raise RuntimeError("no free port")


@contextmanager
def running_powerdns() -> Iterator[PowerDnsServer]:
    """A fresh server for the duration of the block; killed and its directory removed after."""
    directory = Path(tempfile.mkdtemp(prefix="mailfleet-pdns-"))
    database = directory / "pdns.sqlite3"
    with sqlite3.connect(database) as conn:
        conn.executescript(SCHEMA.read_text())
    api_key = secrets.token_hex(16)
    dns_port, api_port = _free_port(), _free_port()
    (directory / "pdns.conf").write_text(
        "\n".join(
            [
                "launch=gsqlite3",
                f"gsqlite3-database={database}",
                "local-address=127.0.0.1",
                f"local-port={dns_port}",
                f"socket-dir={directory}",
                "daemon=no",
                "guardian=no",
                "write-pid=no",
                "disable-syslog=yes",
                "security-poll-suffix=",
                "api=yes",
                f"api-key={api_key}",
                "webserver=yes",
                "webserver-address=127.0.0.1",
                f"webserver-port={api_port}",
                "webserver-allow-from=127.0.0.0/8",
                "dnsupdate=yes",
                "allow-dnsupdate-from=127.0.0.0/8",
                "allow-axfr-ips=127.0.0.0/8",
                "cache-ttl=0",
                "query-cache-ttl=0",
                "negquery-cache-ttl=0",
                "default-soa-content=ns1.@ hostmaster.@ 0 10800 3600 604800 3600",
                "",
            ]
        )
    )
    log = (directory / "pdns.log").open("wb")
    process = subprocess.Popen(
        [PDNS_SERVER, f"--config-dir={directory}"], stdout=log, stderr=subprocess.STDOUT
    )
    server = PowerDnsServer(f"http://127.0.0.1:{api_port}", api_key, dns_port, directory)
    try:
        _wait_ready(server, process)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        shutil.rmtree(directory, ignore_errors=True)


def _wait_ready(server: PowerDnsServer, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 15
    with server.api() as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                log = (server.directory / "pdns.log").read_text(errors="replace")
                raise RuntimeError(f"pdns_server exited: {log[-2000:]}")
            try:
                if client.get("/zones").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)
    raise RuntimeError("pdns_server did not become ready in 15 s")
