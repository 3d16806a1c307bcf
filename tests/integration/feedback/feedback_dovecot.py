"""A private Dovecot IMAP server holding one bounce mailbox, on a free loopback port."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from feedback_servers import free_port

USER, PASSWORD = "bounces@mailfleet.test", "imap-test-pw"

CONF = """\
protocols = imap
listen = 127.0.0.1
base_dir = {t}/run
state_dir = {t}/state
instance_name = dovecot-feedback-test
log_path = {t}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
default_internal_user = dovecot
default_login_user = dovenull
mail_location = maildir:~/Maildir
passdb {{
  driver = passwd-file
  args = scheme=SHA512-CRYPT {t}/users
}}
userdb {{
  driver = static
  args = uid=nobody gid=nogroup home={t}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
"""


@dataclass(frozen=True)
class BounceImapServer:
    """The running server: where it listens and the mailbox's login."""

    port: int
    user: str
    password: str


def _wait_ready(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"dovecot exited: {log.read_text() if log.exists() else ''}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                if s.recv(5) == b"* OK ":
                    return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("dovecot did not answer on its port")


@contextmanager
def run_dovecot() -> Iterator[BounceImapServer]:
    """Start Dovecot in its own temp dir (traversable by nobody), stop it and clean up after."""
    t = Path(tempfile.mkdtemp(prefix="mailfleet-feedback-imap-"))
    t.chmod(0o755)
    (t / "mail").mkdir()
    shutil.chown(t / "mail", "nobody", "nogroup")
    hashed = subprocess.run(
        ["doveadm", "pw", "-s", "SHA512-CRYPT", "-p", PASSWORD],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    users = t / "users"
    users.write_text(f"{USER}:{hashed}\n")
    shutil.chown(users, group="dovecot")
    users.chmod(0o640)
    port = free_port()
    conf = t / "dovecot.conf"
    conf.write_text(CONF.format(t=t, port=port))
    log = t / "dovecot.log"
    process = subprocess.Popen(
        ["dovecot", "-F", "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        _wait_ready(port, process, log)
        yield BounceImapServer(port, USER, PASSWORD)
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(t, ignore_errors=True)
