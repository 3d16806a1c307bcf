"""A real Dovecot IMAP server reading a PostfixAdmin SQLite database, on a free loopback port.

Recipe: /work/shared/guide/real-parts.md section 3 (standalone config, private base_dir,
no auth penalty). The database file is created empty by the fixture; tests provision into it.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from dovecot_server import DovecotServer

from mailfleet.adapters.clock import SystemClock
from mailfleet.adapters.mailboxes.postfixadmin import PostfixAdminProvider

DOVECOT_CONF = """\
protocols = imap
listen = 127.0.0.1
base_dir = {t}/run
state_dir = {t}/state
instance_name = dovecot-mailfleet-test
log_path = {t}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
default_internal_user = dovecot
default_login_user = dovenull
mail_location = maildir:~/Maildir
passdb {{
  driver = sql
  args = {t}/dovecot-sql.conf.ext
}}
userdb {{
  driver = static
  args = uid=nobody gid=nogroup home={t}/mail/%d/%n
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

# PostfixAdmin's own Dovecot query: only active mailboxes may log in.
SQL_CONF = """\
driver = sqlite
connect = {db}
default_pass_scheme = BLF-CRYPT
password_query = SELECT username AS user, password FROM mailbox \
WHERE username = '%u' AND active = 1
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


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


@pytest.fixture(scope="session")
def dovecot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DovecotServer]:
    """Dovecot on a free port with an SQL passdb over a fresh PostfixAdmin schema."""
    if shutil.which("dovecot") is None:
        pytest.skip("dovecot is not installed")
    t = tmp_path_factory.mktemp("dovecot")
    t.chmod(0o755)
    (t / "mail").mkdir()
    shutil.chown(t / "mail", "nobody", "nogroup")
    db = t / "postfixadmin.sqlite"
    url = f"sqlite:///{db}"
    provider = PostfixAdminProvider(url, clock=SystemClock())
    provider.create_schema()
    provider.close()
    port = _free_port()
    (t / "dovecot-sql.conf.ext").write_text(SQL_CONF.format(db=db))
    conf = t / "dovecot.conf"
    conf.write_text(DOVECOT_CONF.format(t=t, port=port))
    log = t / "dovecot.log"
    process = subprocess.Popen(
        ["dovecot", "-F", "-c", str(conf)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_ready(port, process, log)
        yield DovecotServer(port, url, log)
    finally:
        process.terminate()
        process.wait(timeout=10)
