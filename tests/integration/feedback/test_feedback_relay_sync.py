"""Suppression-list sync with SES v2 and Mailgun, against local fakes of their APIs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import boto3
import pytest
from fake_relay_lists import FakeLists, serve
from typer.testing import CliRunner

from mailfleet.adapters.clock import FakeClock
from mailfleet.adapters.db.database import Database
from mailfleet.adapters.db.feedback_store import SqlFeedbackStore
from mailfleet.adapters.feedback.mailgun_suppression import MailgunSuppressionList
from mailfleet.adapters.feedback.ses_suppression import SesSuppressionList
from mailfleet.cli.app import app
from mailfleet.core.errors import ProviderError
from mailfleet.core.feedback.events import GLOBAL_SCOPE, Suppression
from mailfleet.core.feedback.relay_suppression import Direction, RemoteKind, RemoteSuppression
from mailfleet.core.secrets import Secret
from mailfleet.services.feedback_relay_sync import sync_suppressions


@pytest.fixture
def fake() -> Iterator[tuple[FakeLists, str]]:
    """Both fakes on one loopback port, serving pages of two."""
    state = FakeLists()
    with serve(state) as url:
        yield state, url


@pytest.fixture
def ses(fake: tuple[FakeLists, str], monkeypatch: pytest.MonkeyPatch) -> SesSuppressionList:
    """A real boto3 sesv2 client, signing its requests, pointed at the fake."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    client = boto3.client("sesv2", region_name="eu-west-1", endpoint_url=fake[1])
    return SesSuppressionList(client)


def test_ses_list_put_and_delete_follow_the_api(
    fake: tuple[FakeLists, str], ses: SesSuppressionList
) -> None:
    """Put five (two reasons), read them back over three pages, delete one twice."""
    state, _ = fake
    entries = [
        RemoteSuppression(f"user{n}@client.example", RemoteKind.BOUNCE) for n in range(4)
    ] + [RemoteSuppression("angry@client.example", RemoteKind.COMPLAINT)]
    assert ses.add(entries) == 5
    found = ses.entries()
    assert sorted((e.address, e.kind) for e in found) == sorted(
        (e.address, e.kind) for e in entries
    )
    assert all(e.created_at is not None for e in found)
    pages = [p for m, p in state.requests if m == "GET"]
    assert len(pages) == 3  # 5 addresses, 2 a page
    assert ses.remove("user0@client.example") is True
    assert ses.remove("user0@client.example") is False  # NotFoundException
    assert len(ses.entries()) == 4
    unsubscribe = RemoteSuppression("u@client.example", RemoteKind.UNSUBSCRIBE)
    assert ses.add([unsubscribe]) == 0  # SES keeps no unsubscribe list


def test_ses_errors_become_provider_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    """Unsigned requests (no credentials) are refused by the API: a ProviderError, no secret."""
    state = FakeLists()
    with serve(state) as url:
        client = boto3.client(
            "sesv2",
            region_name="eu-west-1",
            endpoint_url=url,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        client.meta.events.register(
            "before-send.sesv2.*",
            lambda request, **_: request.headers.pop("Authorization", None) and None,
        )
        with pytest.raises(ProviderError, match="AccessDeniedException"):
            SesSuppressionList(client).entries()


def _mailgun(fake: tuple[FakeLists, str], key: str = "mg-key") -> MailgunSuppressionList:
    state, url = fake
    return MailgunSuppressionList(state.mailgun_domain, Secret(key), base_url=url)


def test_mailgun_lists_are_read_across_pages_and_written_in_batches(
    fake: tuple[FakeLists, str],
) -> None:
    """Bounces, complaints and unsubscribes: written as JSON arrays, read back page by page;
    an unsubscribe from some tags only is not a suppression."""
    state, _ = fake
    relay = _mailgun(fake)
    entries = [
        RemoteSuppression(f"b{n}@client.example", RemoteKind.BOUNCE, detail="5.1.1 unknown")
        for n in range(5)
    ] + [
        RemoteSuppression("c@client.example", RemoteKind.COMPLAINT),
        RemoteSuppression("u@client.example", RemoteKind.UNSUBSCRIBE),
    ]
    assert relay.add(entries) == 7
    assert [m for m, _ in state.requests] == ["POST", "POST", "POST"]
    assert state.mailgun["bounces"]["b0@client.example"]["error"] == "5.1.1 unknown"
    state.mailgun["unsubscribes"]["tagged@client.example"] = {
        "address": "tagged@client.example",
        "tags": ["newsletter"],
        "created_at": "Fri, 21 Oct 2011 11:02:55 GMT",
    }
    found = relay.entries()
    assert sorted((e.address, e.kind) for e in found) == sorted(
        (e.address, e.kind) for e in entries
    )
    bounce_pages = [p for m, p in state.requests if m == "GET" and "/bounces" in p]
    assert len(bounce_pages) == 4  # 2 + 2 + 1, then an empty page ends the list
    assert relay.remove("c@client.example") is True
    assert relay.remove("c@client.example") is False
    relay.close()


def test_mailgun_wrong_key_is_a_provider_error_without_the_key(
    fake: tuple[FakeLists, str],
) -> None:
    """A 401 becomes a ProviderError whose message does not carry the key."""
    relay = _mailgun(fake, key="wrong-key-value")
    with pytest.raises(ProviderError) as caught:
        relay.entries()
    assert "401" in str(caught.value)
    assert "wrong-key-value" not in str(caught.value)


def _seed(store: SqlFeedbackStore, clock: FakeClock) -> None:
    now = clock.now()
    for entry in (
        Suppression("hard@client.example", GLOBAL_SCOPE, "mailbox_unknown", "smtp", now),
        Suppression("spam@client.example", GLOBAL_SCOPE, "complaint", "smtp", now),
        Suppression(
            "soft@client.example",
            GLOBAL_SCOPE,
            "soft_bounces:mailbox_full",
            "smtp",
            now,
            now + timedelta(days=7),
        ),
        Suppression("domain@client.example", "news.sender.example", "manual", "manual", now),
    ):
        store.suppress(entry)


def test_ses_sync_both_ways_is_idempotent(
    database: Database, clock: FakeClock, fake: tuple[FakeLists, str], ses: SesSuppressionList
) -> None:
    """A dry run changes nothing; the sync pulls SES's entries and pushes our permanent
    global ones; a second sync finds both sides in step."""
    state, _ = fake
    store = SqlFeedbackStore(database)
    _seed(store, clock)
    ses.add(
        [
            RemoteSuppression("ses-bounce@client.example", RemoteKind.BOUNCE),
            RemoteSuppression("ses-complaint@client.example", RemoteKind.COMPLAINT),
            RemoteSuppression("hard@client.example", RemoteKind.BOUNCE),
        ]
    )
    dry = sync_suppressions(store, ses, clock, dry_run=True)
    assert {e.address for e in dry.pulled} == {
        "ses-bounce@client.example",
        "ses-complaint@client.example",
    }
    assert [(e.address, e.kind) for e in dry.pushed] == [
        ("spam@client.example", RemoteKind.COMPLAINT)
    ]
    assert len(store.suppressions()) == 4
    assert len(state.ses) == 3
    done = sync_suppressions(store, ses, clock)
    assert done.as_dict()["pulled"] == dry.as_dict()["pulled"]
    assert state.ses["spam@client.example"]["Reason"] == "COMPLAINT"
    assert "soft@client.example" not in state.ses  # expires here: not the relay's to keep
    assert "domain@client.example" not in state.ses  # one sending domain's, not the account's
    reasons = {e.address: (e.scope, e.reason, e.source) for e in store.suppressions()}
    assert reasons["ses-bounce@client.example"] == (GLOBAL_SCOPE, "ses:bounce", "relay:ses")
    assert reasons["ses-complaint@client.example"] == (GLOBAL_SCOPE, "complaint", "relay:ses")
    again = sync_suppressions(store, ses, clock)
    assert (again.pulled, again.pushed, again.in_step) == ((), (), 4)


@pytest.mark.parametrize("direction", [Direction.PULL, Direction.PUSH])
def test_one_direction_leaves_the_other_side_alone(
    database: Database,
    clock: FakeClock,
    fake: tuple[FakeLists, str],
    direction: Direction,
) -> None:
    """pull only adds here; push only adds on the relay (Mailgun's unsubscribes are scoped
    to its domain when pulled)."""
    state, _ = fake
    store = SqlFeedbackStore(database)
    _seed(store, clock)
    relay = _mailgun(fake)
    relay.add([RemoteSuppression("u@client.example", RemoteKind.UNSUBSCRIBE)])
    result = sync_suppressions(store, relay, clock, direction=direction)
    if direction is Direction.PULL:
        assert [(e.address, e.scope) for e in result.pulled] == [
            ("u@client.example", "mg.sender.example")
        ]
        assert result.pushed == ()
        assert set(state.mailgun["bounces"]) == set()
    else:
        assert result.pulled == ()
        assert set(state.mailgun["bounces"]) == {"hard@client.example"}
        assert set(state.mailgun["complaints"]) == {"spam@client.example"}
        assert len(store.suppressions()) == 4
    relay.close()


def test_cli_sync_with_mailgun(tmp_path: Path, fake: tuple[FakeLists, str]) -> None:
    """`mailfleet suppression sync --relay mailgun --json` with the key from the vault;
    a second run adds nothing."""
    state, url = fake
    state.mailgun["bounces"]["gone@client.example"] = {
        "address": "gone@client.example",
        "code": "550",
        "error": "No such mailbox",
        "created_at": "Fri, 21 Oct 2011 11:02:55 GMT",
    }
    runner = CliRunner()
    base = ["--data-dir", str(tmp_path)]
    put = runner.invoke(app, [*base, "vault", "set", "mailgun/api-key"], input="mg-key\n")
    assert put.exit_code == 0, put.stdout
    added = runner.invoke(app, [*base, "suppression", "add", "kim@client.example"])
    assert added.exit_code == 0, added.stdout
    args = [
        *base,
        "suppression",
        "sync",
        "--relay",
        "mailgun",
        "--mailgun-domain",
        state.mailgun_domain,
        "--mailgun-base-url",
        url,
        "--json",
    ]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.stdout
    result = json.loads(first.stdout)
    assert [e["address"] for e in result["pulled"]] == ["gone@client.example"]
    assert [(e["address"], e["kind"]) for e in result["pushed"]] == [
        ("kim@client.example", "bounce")
    ]
    assert set(state.mailgun["bounces"]) == {"gone@client.example", "kim@client.example"}
    second = json.loads(runner.invoke(app, args).stdout)
    assert (second["pulled"], second["pushed"], second["in_step"]) == ([], [], 2)
