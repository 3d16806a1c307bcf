"""A real Dovecot IMAP server reading a PostfixAdmin SQLite database, on a free loopback port.

Recipe: /work/shared/guide/real-parts.md section 3 (standalone config, private base_dir,
no auth penalty). The database file is created empty by the fixture; tests provision into it.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest
from mailbox_dovecot_server import DovecotServer

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
driver = {driver}
connect = {connect}
default_pass_scheme = BLF-CRYPT
password_query = SELECT username AS user, password FROM mailbox \
WHERE username = '%u' AND active = {true}
"""
PG_SERVER = os.environ.get("MAILFLEET_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432")


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


def _private_dir(prefix: str) -> Path:
    """A temp dir the mail user (nobody) can traverse: pytest's own base dir is 0700."""
    t = Path(tempfile.mkdtemp(prefix=prefix))
    t.chmod(0o755)
    return t


def _run_dovecot(t: Path, url: str, sql_conf: str) -> Iterator[DovecotServer]:
    """Create the PostfixAdmin schema at ``url``, start Dovecot on a free port, stop it after."""
    if shutil.which("dovecot") is None:
        pytest.skip("dovecot is not installed")
    (t / "mail").mkdir()
    shutil.chown(t / "mail", "nobody", "nogroup")
    provider = PostfixAdminProvider(url, clock=SystemClock())
    provider.create_schema()
    provider.close()
    port = _free_port()
    (t / "dovecot-sql.conf.ext").write_text(sql_conf)
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
        shutil.rmtree(t, ignore_errors=True)


@pytest.fixture(scope="session")
def dovecot_sqlite() -> Iterator[DovecotServer]:
    """Dovecot with a dovecot-sqlite passdb over a fresh PostfixAdmin SQLite file."""
    t = _private_dir("mailfleet-dovecot-sqlite-")
    db = t / "postfixadmin.sqlite"
    conf = SQL_CONF.format(driver="sqlite", connect=db, true="1")
    yield from _run_dovecot(t, f"sqlite:///{db}", conf)


@pytest.fixture(scope="session")
def dovecot_pgsql() -> Iterator[DovecotServer]:
    """Dovecot with a dovecot-pgsql passdb over a fresh PostfixAdmin PostgreSQL database."""
    name = f"mailfleet_pfa_{uuid.uuid4().hex[:10]}"
    server = urlsplit(PG_SERVER)
    try:
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL is not reachable: {exc}")
    t = _private_dir("mailfleet-dovecot-pgsql-")
    connect = f"host={server.hostname} port={server.port or 5432} dbname={name} " + (
        f"user={server.username}"
    )
    conf = SQL_CONF.format(driver="pgsql", connect=connect, true="true")
    url = f"{PG_SERVER.replace('postgresql://', 'postgresql+psycopg://')}/{name}"
    try:
        yield from _run_dovecot(t, url, conf)
    finally:
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("pgsql", marks=pytest.mark.postgres)])
def dovecot(request: pytest.FixtureRequest) -> DovecotServer:
    """A Dovecot reading PostfixAdmin tables from SQLite, then from PostgreSQL."""
    server: DovecotServer = request.getfixturevalue(f"dovecot_{request.param}")
    return server
