"""The IMAP poller against a real Dovecot, storing into SQLite and PostgreSQL."""

from __future__ import annotations

import imaplib
import json
from pathlib import Path

import pytest
from feedback_dovecot import BounceImapServer
from typer.testing import CliRunner

from mailfleet.adapters.clock import FakeClock
from mailfleet.adapters.db.database import Database
from mailfleet.adapters.db.feedback_store import SqlFeedbackStore
from mailfleet.adapters.feedback.imap_mailbox import ImapBounceMailbox, ImapError
from mailfleet.adapters.feedback.memory import InMemoryFeedbackStore
from mailfleet.cli.app import app
from mailfleet.core.secrets import Secret
from mailfleet.policy.rules import suppression_policy
from mailfleet.services.feedback_imap import poll_mailbox

CORPUS = Path(__file__).parents[2] / "corpus" / "feedback" / "messages"
FILES = ("mta/gmail_no_such_user.eml", "complaint/yahoo_arf.eml", "other/outlook_ooo.eml")
# The CLI always verifies VERP tokens with the fleet's key, so its test uses a complaint that
# carries none (the Yahoo sample's token was not signed by this key and reads as forged).
CLI_FILES = ("mta/gmail_no_such_user.eml", "complaint/microsoft_jmrp.eml", "other/outlook_ooo.eml")


def _client(server: BounceImapServer) -> imaplib.IMAP4:
    client = imaplib.IMAP4("127.0.0.1", server.port)
    client.login(server.user, server.password)
    return client


def _deliver(server: BounceImapServer, names: tuple[str, ...] = FILES) -> None:
    client = _client(server)
    for name in names:
        raw = (CORPUS / name).read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        client.append("INBOX", None, None, raw)
    client.logout()


def _count(server: BounceImapServer, folder: str, criterion: str) -> int:
    client = _client(server)
    client.select(folder)
    _, data = client.search(None, criterion)
    client.logout()
    return len((data[0] or b"").split())


def test_poll_ingests_unseen_reports_and_flags_them_seen(
    bounce_imap: BounceImapServer, database: Database, clock: FakeClock
) -> None:
    """Unseen bounces and complaints are stored and suppress; all are flagged seen, once."""
    _deliver(bounce_imap)
    store = SqlFeedbackStore(database, suppression_policy().hard_reasons)
    mailbox = ImapBounceMailbox(
        "127.0.0.1", bounce_imap.port, bounce_imap.user, Secret(bounce_imap.password)
    )
    try:
        result = poll_mailbox(mailbox, store=store, clock=clock, batch=2)
        again = poll_mailbox(mailbox, store=store, clock=clock)
    finally:
        mailbox.close()
    assert (result.fetched, result.bounces, result.complaints, result.ignored) == (3, 1, 1, 1)
    assert sorted(result.suppressed) == ["beth@yahoo.com", "kim.lee@gmail.com"]
    assert again.fetched == 0
    assert _count(bounce_imap, "INBOX", "UNSEEN") == 0
    assert _count(bounce_imap, "INBOX", "ALL") == 3


def test_poll_moves_processed_messages(bounce_imap: BounceImapServer, clock: FakeClock) -> None:
    """With a processed folder, handled messages leave the inbox for it."""
    _deliver(bounce_imap, FILES[:2])
    client = _client(bounce_imap)
    client.create("Processed")
    client.logout()
    store = InMemoryFeedbackStore()
    mailbox = ImapBounceMailbox(
        "127.0.0.1",
        bounce_imap.port,
        bounce_imap.user,
        Secret(bounce_imap.password),
        move_to="Processed",
    )
    try:
        result = poll_mailbox(mailbox, store=store, clock=clock)
    finally:
        mailbox.close()
    assert result.fetched == 2
    assert len(store.events) == 2
    assert _count(bounce_imap, "INBOX", "ALL") == 0
    assert _count(bounce_imap, "Processed", "ALL") == 2


def test_wrong_password_is_a_provider_error_without_the_password(
    bounce_imap: BounceImapServer,
) -> None:
    """A refused login raises ImapError naming the server, never the password tried."""
    with pytest.raises(ImapError) as caught:
        ImapBounceMailbox("127.0.0.1", bounce_imap.port, bounce_imap.user, Secret("guess-pw"))
    assert "guess-pw" not in str(caught.value)
    assert "AUTHENTICATIONFAILED" in str(caught.value) or "failed" in str(caught.value)


def test_cli_poll_imap_once(bounce_imap: BounceImapServer, tmp_path: Path) -> None:
    """`feedback poll-imap --once --json` reads the password from env and reports the poll."""
    _deliver(bounce_imap, CLI_FILES)
    args = [
        "--data-dir",
        str(tmp_path),
        "feedback",
        "poll-imap",
        "--host",
        "127.0.0.1",
        "--port",
        str(bounce_imap.port),
        "--user",
        bounce_imap.user,
        "--password-ref",
        "env:BOUNCE_PW",
        "--no-ssl",
        "--once",
        "--json",
    ]
    result = CliRunner().invoke(app, args, env={"BOUNCE_PW": bounce_imap.password})
    assert result.exit_code == 0, result.stdout
    report = json.loads(result.stdout)
    assert (report["fetched"], report["bounces"], report["complaints"]) == (3, 1, 1)
    listed = CliRunner().invoke(app, ["--data-dir", str(tmp_path), "suppression", "list", "--json"])
    assert {row["address"] for row in json.loads(listed.stdout)} == {
        "dana@hotmail.com",
        "kim.lee@gmail.com",
    }
