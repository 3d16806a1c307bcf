"""Servers for the feedback integration tests: a private Postfix on free loopback ports."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from feedback_dovecot import BounceImapServer, run_dovecot
from feedback_servers import MASTER_CF, PostfixRelay, free_port, wait_for_banner


@pytest.fixture
def postfix_relay() -> Iterator[PostfixRelay]:
    """Postfix on a free port, relaying everything to ``relay_port`` and routing mail for
    ``report_domain`` (its DSNs to VERP senders) to ``report_port``."""
    if shutil.which("postfix") is None:
        pytest.skip("postfix is not installed")
    # Not under pytest's base temp dir: that one is 0700, and the postfix user must reach
    # its queue directory.
    root = Path(tempfile.mkdtemp(prefix="mailfleet-postfix-"))
    root.chmod(0o755)
    etc, spool = root / "etc", root / "spool"
    etc.mkdir()
    spool.mkdir()
    port, relay_port, report_port = free_port(), free_port(), free_port()
    domain = "bounce.mailfleet.test"
    (etc / "main.cf").write_text(
        "\n".join(
            [
                "compatibility_level = 3.6",
                f"queue_directory = {spool}",
                f"data_directory = {root / 'data'}",
                f"maillog_file = {root / 'maillog'}",
                f"maillog_file_prefixes = {root}",
                "myhostname = relay.test",
                "mydomain = relay.test",
                "myorigin = $myhostname",
                "mydestination =",
                "local_recipient_maps =",
                "alias_maps =",
                "alias_database =",
                "inet_interfaces = 127.0.0.1",
                "inet_protocols = ipv4",
                "mynetworks = 127.0.0.0/8",
                "smtpd_relay_restrictions = permit_mynetworks, reject",
                "smtp_dns_support_level = disabled",
                "smtp_tls_security_level = none",
                "smtpd_tls_security_level = none",
                f"relayhost = [127.0.0.1]:{relay_port}",
                f"transport_maps = texthash:{etc / 'transport'}",
                "biff = no",
                "",
            ]
        )
    )
    (etc / "transport").write_text(f"{domain} smtp:[127.0.0.1]:{report_port}\n")
    (etc / "master.cf").write_text(MASTER_CF.format(listen=f"127.0.0.1:{port}"))
    subprocess.run(["postfix", "-c", str(etc), "check"], check=True)
    process = subprocess.Popen(
        ["postfix", "-c", str(etc), "start-fg"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_banner(port)
        yield PostfixRelay(port, relay_port, report_port, domain, etc)
    finally:
        subprocess.run(["postfix", "-c", str(etc), "stop"], check=False, capture_output=True)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def bounce_imap() -> Iterator[BounceImapServer]:
    """A private Dovecot with one bounce mailbox on a free loopback port."""
    if shutil.which("dovecot") is None or shutil.which("doveadm") is None:
        pytest.skip("dovecot is not installed")
    with run_dovecot() as server:
        yield server
