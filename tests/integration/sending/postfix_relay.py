"""A real Postfix relay in its own config dir on loopback ports (recipe: real-parts.md §4).

Postfix listens on a free port, relays everything to ``relayhost`` (a recording sink), and
routes mail for the VERP return-path domain to a second sink, where its DSNs land.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

MAIN_CF = """\
compatibility_level = 3.6
queue_directory = {root}/spool
data_directory = {root}/data
maillog_file = {root}/maillog
maillog_file_prefixes = {root}
myhostname = relay.test
mydomain = relay.test
myorigin = $myhostname
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject
smtp_dns_support_level = disabled
smtp_tls_security_level = none
smtpd_tls_security_level = none
relayhost = [127.0.0.1]:{relay_port}
transport_maps = texthash:{root}/etc/transport
biff = no
"""

MASTER_CF = """\
127.0.0.1:{port} inet n - n - - smtpd
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


class PostfixRelay:
    """Start, wait for and stop one Postfix instance."""

    def __init__(self, root: Path, port: int, relay_port: int, dsn_domain: str, dsn_port: int):
        self.root, self.port = root, port
        root.chmod(0o755)  # the postfix user must reach queue_directory
        (root / "etc").mkdir(parents=True)
        (root / "spool").mkdir()
        (root / "etc/main.cf").write_text(MAIN_CF.format(root=root, relay_port=relay_port))
        (root / "etc/master.cf").write_text(MASTER_CF.format(port=port))
        (root / "etc/transport").write_text(f"{dsn_domain} smtp:[127.0.0.1]:{dsn_port}\n")
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Check the config (creates the queue), start in the foreground, wait for 220."""
        subprocess.run(["postfix", "-c", str(self.root / "etc"), "check"], check=True)
        self._process = subprocess.Popen(
            ["postfix", "-c", str(self.root / "etc"), "start-fg"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), 1) as probe:
                    if probe.recv(4) == b"220 ":
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("postfix did not start; see " + str(self.root / "maillog"))

    def stop(self) -> None:
        """Stop Postfix and wait for its master."""
        subprocess.run(["postfix", "-c", str(self.root / "etc"), "stop"], check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        if self._process is not None:
            self._process.wait(timeout=20)

    @staticmethod
    def available() -> bool:
        """True when the postfix command is installed."""
        return shutil.which("postfix") is not None
