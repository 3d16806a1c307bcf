"""Reputation settings and the channels the composition root builds from them."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailfleet.adapters.clock import FakeClock
from mailfleet.adapters.notify.email import SmtpEmailNotifier
from mailfleet.adapters.notify.log import LogNotifier
from mailfleet.adapters.notify.webhook import SignedWebhookNotifier, SlackWebhookNotifier
from mailfleet.adapters.reputation.config import load_reputation_config
from mailfleet.bootstrap import build
from mailfleet.core.errors import ConfigError
from mailfleet.core.fleet import Fleet
from mailfleet.settings import Settings

FULL = """
[resolver]
nameserver = "10.0.0.53"
port = 5353
[[alerts.channels]]
kind = "slack"
url = "env:SLACK_URL"
[[alerts.channels]]
kind = "webhook"
url = "env:HOOK_URL"
key = "env:HOOK_KEY"
[[alerts.channels]]
kind = "email"
host = "127.0.0.1"
to = ["oncall@acme.example"]
[[alerts.channels]]
kind = "log"
"""


def _env(tmp_path: Path, text: str) -> dict[str, str]:
    path = tmp_path / "reputation.toml"
    path.write_text(text, encoding="utf-8")
    return {
        "MAILFLEET_REPUTATION_CONFIG": str(path),
        "SLACK_URL": "https://hooks.slack.test/T/B/x",
        "HOOK_URL": "https://hooks.test/alerts",
        "HOOK_KEY": "k",
    }


def test_defaults_without_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No settings file: a local resolver on port 53 and the log channel only."""
    monkeypatch.chdir(tmp_path)
    config = load_reputation_config({})
    assert (config.resolver.nameserver, config.resolver.port) == ("127.0.0.1", 53)
    assert [c.kind for c in config.alerts.channels] == ["log"]


def test_every_channel_is_built(tmp_path: Path, acme_fleet: Fleet) -> None:
    """Each configured channel becomes its notifier; email comes from the monitoring segment."""
    env = _env(tmp_path, FULL)
    app = build(Settings(data_dir=tmp_path / "data"), clock=FakeClock(), env=env)
    ports = app.monitoring_ports(acme_fleet)
    kinds = [type(n) for n in ports.notifiers]
    assert kinds == [SlackWebhookNotifier, SignedWebhookNotifier, SmtpEmailNotifier, LogNotifier]
    email = ports.notifiers[2]
    assert isinstance(email, SmtpEmailNotifier)
    assert email.message_sender() == "alerts@acme-ops.example"
    app.close()


def test_secrets_must_be_references(tmp_path: Path) -> None:
    """A webhook URL written in clear is refused: it usually carries a token."""
    env = _env(
        tmp_path, '[[alerts.channels]]\nkind = "slack"\nurl = "https://hooks.slack.test/x"\n'
    )
    with pytest.raises(ConfigError, match="never the secret itself"):
        load_reputation_config(env)


def test_unknown_keys_are_refused(tmp_path: Path) -> None:
    """A typo in the settings file is reported with the file name."""
    env = _env(tmp_path, "[resolver]\nnameservers = ['x']\n")
    with pytest.raises(ConfigError, match=r"reputation.toml.*nameservers"):
        load_reputation_config(env)


def test_email_without_a_sender_is_explained(tmp_path: Path, acme_fleet: Fleet) -> None:
    """Email alerts need a mailbox in the monitoring segment, or an explicit sender."""
    text = FULL.replace('kind = "email"', 'kind = "email"\nname = "mail"').replace(
        '[[alerts.channels]]\nkind = "slack"',
        '[alerts]\nmonitoring_segment = "none"\n[[alerts.channels]]\nkind = "slack"',
        1,
    )
    env = _env(tmp_path, text)
    app = build(Settings(data_dir=tmp_path / "data"), clock=FakeClock(), env=env)
    with pytest.raises(ConfigError, match="needs a sender"):
        app.monitoring_ports(acme_fleet)
    app.close()
