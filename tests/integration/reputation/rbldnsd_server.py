"""Start and stop a real rbldnsd on a free loopback UDP port, serving zones from a temp dir.

rbldnsd refuses to run as root and drops to the ``rbldns`` user before it reads its zone files,
so the directory is made world-readable. It serves UDP only.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import dns.message
import dns.query
import dns.rcode

RBLDNSD = shutil.which("rbldnsd") or "/usr/sbin/rbldnsd"


@dataclass(frozen=True)
class ZoneFile:
    """One zone to serve: its name, rbldnsd dataset type (ip4set, ip6trie, dnset) and body."""

    name: str
    dataset: str
    body: str


def _free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _answers_soa(port: int, zone: str) -> bool:
    query = dns.message.make_query(zone, "SOA")
    try:
        reply = dns.query.udp(query, "127.0.0.1", port=port, timeout=0.2)
    except (OSError, dns.exception.Timeout):
        return False
    return reply.rcode() == dns.rcode.NOERROR and bool(reply.answer)


@dataclass
class RbldnsdServer:
    """A running rbldnsd; ``port`` is where it answers."""

    zones: list[ZoneFile]
    port: int = 0
    directory: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="rbldnsd-")))
    _process: subprocess.Popen[bytes] | None = None

    def _write_zones(self) -> list[str]:
        os.chmod(self.directory, 0o755)  # noqa: S103 rbldnsd reads as user rbldns
        arguments = []
        for index, zone in enumerate(self.zones):
            path = self.directory / f"zone{index}.txt"
            header = (
                f"$SOA 60 ns.{zone.name}. hostmaster.{zone.name}. 0 600 300 86400 60\n"
                f"$NS 60 ns.{zone.name}.\n"
            )
            path.write_text(header + zone.body, encoding="utf-8")
            os.chmod(path, 0o644)
            arguments.append(f"{zone.name}:{zone.dataset}:{path.name}")
        return arguments

    def start(self) -> RbldnsdServer:
        """Start on a free port and wait until the first zone answers its SOA."""
        arguments = self._write_zones()
        for _ in range(5):  # another process may grab the port between probe and bind
            self.port = _free_udp_port()
            self._process = subprocess.Popen(
                [
                    RBLDNSD,
                    "-n",
                    "-b",
                    f"127.0.0.1/{self.port}",
                    "-t",
                    "60",
                    "-c",
                    "0",
                    "-w",
                    str(self.directory),
                    *arguments,
                ],
                stdout=subprocess.DEVNULL,
                stderr=(self.directory / "rbldnsd.log").open("wb"),
            )
            for _ in range(100):
                if self._process.poll() is not None:
                    break
                if _answers_soa(self.port, self.zones[0].name):
                    return self
                time.sleep(0.05)
            self.stop()
        log = (self.directory / "rbldnsd.log").read_text(errors="replace")
        raise RuntimeError(f"rbldnsd did not start: {log}")

    def stop(self) -> None:
        """Stop the server and wait for it."""
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None

    def cleanup(self) -> None:
        """Stop, then remove the zone files."""
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)
