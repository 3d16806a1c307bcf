"""The report intake's settings: bounce domains, FBL addresses and the size limit."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailfleet.core.errors import ConfigError
from mailfleet.core.feedback.intake import DEFAULT_MAX_BYTES
from mailfleet.settings import load_settings


def test_defaults_accept_nothing_and_keep_the_intake_limit() -> None:
    """No addresses by default; the size limit is the intake's own default."""
    settings = load_settings(env={})
    assert settings.feedback_bounce_domains == ()
    assert settings.feedback_fbl_addresses == ()
    assert settings.feedback_max_bytes == DEFAULT_MAX_BYTES


def test_lists_come_from_toml_arrays_or_comma_separated_environment(tmp_path: Path) -> None:
    """A TOML array and a comma-separated variable give the same lower-cased tuple; the
    environment wins over the file."""
    config = tmp_path / "mailfleet.toml"
    config.write_text(
        'feedback_bounce_domains = ["Bounce.One.example", "bounce.two.example"]\n'
        'feedback_fbl_addresses = ["FBL@reports.example"]\n'
        "feedback_max_bytes = 10485760\n"
    )
    from_file = load_settings(config, env={})
    assert from_file.feedback_bounce_domains == ("bounce.one.example", "bounce.two.example")
    assert from_file.feedback_fbl_addresses == ("fbl@reports.example",)
    assert from_file.feedback_max_bytes == 10 * 1024 * 1024
    env = {"MAILFLEET_FEEDBACK_BOUNCE_DOMAINS": "bounce.three.example,  bounce.four.example"}
    from_env = load_settings(config, env=env)
    assert from_env.feedback_bounce_domains == ("bounce.three.example", "bounce.four.example")


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("MAILFLEET_FEEDBACK_BOUNCE_DOMAINS", "bounces@bounce.example", "not a domain name"),
        ("MAILFLEET_FEEDBACK_BOUNCE_DOMAINS", "localhost", "not a domain name"),
        ("MAILFLEET_FEEDBACK_FBL_ADDRESSES", "fbl.example", "not an email address"),
        ("MAILFLEET_FEEDBACK_MAX_BYTES", "100", "greater than or equal to 1024"),
    ],
)
def test_bad_values_are_refused_by_name(name: str, value: str, message: str) -> None:
    """A malformed domain, address or limit is a ConfigError naming the setting."""
    with pytest.raises(ConfigError, match=message) as caught:
        load_settings(env={name: value})
    assert name.removeprefix("MAILFLEET_").lower() in str(caught.value)
