"""Windows: local days and hours that roll over by themselves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from mailfleet.core.warmup.limits import Scope, daily_window, hourly_window, send_checks


def test_daily_window_rolls_at_local_midnight() -> None:
    """A New York day starts at 05:00 UTC in winter: the index changes there and only there."""
    window = daily_window("America/New_York", datetime(2026, 1, 5, 12, tzinfo=UTC))
    before = datetime(2026, 1, 6, 4, 59, tzinfo=UTC).timestamp()
    after = datetime(2026, 1, 6, 5, 0, tzinfo=UTC).timestamp()
    assert window.index(after) == window.index(before) + 1
    assert window.remaining(before) == 60


def test_hourly_window_follows_half_hour_zones() -> None:
    """In India (UTC+05:30) a local hour starts at half past the UTC hour."""
    window = hourly_window("Asia/Kolkata", datetime(2026, 1, 5, tzinfo=UTC))
    start = datetime(2026, 1, 5, 10, 30, tzinfo=UTC)
    assert window.index(start.timestamp()) == window.index(
        (start + timedelta(minutes=59)).timestamp()
    )
    assert (
        window.index((start - timedelta(seconds=1)).timestamp())
        == window.index(start.timestamp()) - 1
    )


def test_send_checks_cover_every_scope() -> None:
    """A send is checked against domain day and hour, mailbox, IP and receiving provider."""
    checks = send_checks(
        domain="acme.example",
        timezone="UTC",
        at=datetime(2026, 1, 5, 9, tzinfo=UTC),
        domain_daily=50,
        domain_hourly=5,
        mailbox=("hello@acme.example", 17),
        ip=("192.0.2.10", 50),
        provider=("gmail", 20),
    )
    assert [c.scope for c in checks] == [
        Scope.DOMAIN,
        Scope.DOMAIN,
        Scope.MAILBOX,
        Scope.IP,
        Scope.PROVIDER,
    ]
    assert len({c.key for c in checks}) == 5
    assert checks[0].key == "domain:acme.example:day"
