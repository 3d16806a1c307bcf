"""Helpers for the feedback integration tests: free loopback ports, SMTP banners, Postfix."""

from __future__ import annotations

import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

MASTER_CF = """\
{listen} inet n - n - - smtpd
pickup unix n - n 60 1 pickup
cleanup unix n - n - 0 cleanup
qmgr unix n - n 300 1 qmgr
rewrite unix - - n - - trivial-rewrite
bounce unix - - n - 0 bounce
defer unix - - n - 0 bounce
trace unix - - n - 0 bounce
verify unix - - n - 1 verify
flush unix n - n 1000? 0 flush
proxymap unix - - n - - proxymap
proxywrite unix - - n - 1 proxymap
smtp unix - - n - - smtp
relay unix - - n - - smtp
showq unix n - n - - showq
error unix - - n - - error
retry unix - - n - - error
discard unix - - n - - discard
anvil unix - - n - 1 anvil
scache unix - - n - 1 scache
postlog unix-dgram n - n - 1 postlogd
"""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_banner(port: int, timeout: float = 10.0) -> None:
    """Wait until an SMTP server greets on ``port``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), 1) as sock:
                if sock.recv(4) == b"220 ":
                    return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"no SMTP banner on port {port}")


@dataclass(frozen=True)
class PostfixRelay:
    """A running Postfix: where it listens, where it relays, and how reports are routed."""

    port: int
    relay_port: int
    report_port: int
    report_domain: str
    config_dir: Path

    def flush(self) -> None:
        """Ask Postfix to retry its deferred mail now."""
        subprocess.run(["postqueue", "-c", str(self.config_dir), "-f"], check=False)
