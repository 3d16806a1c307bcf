"""Settings: defaults, file, environment and overrides, in that order."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailfleet.core.errors import ConfigError
from mailfleet.settings import load_settings


def test_defaults_are_the_embedded_setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With nothing configured, mailfleet uses SQLite and a key file in ./.mailfleet."""
    monkeypatch.chdir(tmp_path)
    settings = load_settings(env={})
    assert settings.is_embedded
    assert settings.effective_database_url == f"sqlite:///{tmp_path / '.mailfleet/mailfleet.db'}"
    assert settings.effective_master_key == f"file:{tmp_path / '.mailfleet/master.key'}"
    assert settings.redis_url is None


def test_environment_beats_file_and_overrides_beat_both(tmp_path: Path) -> None:
    """MAILFLEET_* variables override the TOML file; explicit overrides win over both."""
    config = tmp_path / "mailfleet.toml"
    config.write_text('log_level = "DEBUG"\nweb_bind = "0.0.0.0:9000"\n', encoding="utf-8")
    env = {
        "MAILFLEET_WEB_BIND": "127.0.0.1:9100",
        "MAILFLEET_DATABASE_URL": "postgresql+psycopg://u@h/db",
    }
    settings = load_settings(config, env=env, overrides={"log_level": "ERROR"})
    assert settings.web_bind == "127.0.0.1:9100"
    assert settings.log_level == "ERROR"
    assert not settings.is_embedded


def test_literal_master_key_is_refused(tmp_path: Path) -> None:
    """The master key setting must be a reference, never the key itself."""
    with pytest.raises(ConfigError, match="master_key"):
        load_settings(env={"MAILFLEET_MASTER_KEY": "c2VjcmV0"})


def test_bad_file_and_unknown_keys_are_clear_errors(tmp_path: Path) -> None:
    """Invalid TOML and unknown settings name the file and the key."""
    bad = tmp_path / "bad.toml"
    bad.write_text("log_level = \n", encoding="utf-8")
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_settings(bad, env={})
    bad.write_text('colour = "blue"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="colour"):
        load_settings(bad, env={})
    with pytest.raises(ConfigError, match="sqlite"):
        load_settings(env={"MAILFLEET_DATABASE_URL": "mysql://x"})
