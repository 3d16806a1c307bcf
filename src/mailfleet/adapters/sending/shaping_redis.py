"""The Redis ``ShapingStore``: a deferral one dispatcher sees holds every dispatcher back.

All backoffs live in one hash (field ``provider|scope``, value ``until|action|factor|reason``),
so a worker reads every backoff in force with one ``HGETALL`` per batch. Writing is one Lua
script that keeps the longer of the stored and the new backoff (Redis runs a script without
interleaving other commands, so two workers recording at once cannot shorten a backoff) and
drops fields that have run out. Times are seconds since the epoch from the workers' clocks,
which is what the backoffs' ``until`` already is.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import redis

from mailfleet.core.sending.shaping import Backoff, BackoffAction

log = logging.getLogger(__name__)

# Redis out of reach: sending goes on. Other errors (a broken script) are bugs and raise.
_UNREACHABLE = (redis.ConnectionError, redis.TimeoutError)

# KEYS[1]: the hash.  ARGV: field, value, until, now.  Returns the value in force afterwards.
_PUT = """
local now = tonumber(ARGV[4])
local current = redis.call('HGET', KEYS[1], ARGV[1])
if current then
  local sep = string.find(current, '|', 1, true)
  local ends = tonumber(string.sub(current, 1, sep - 1))
  if ends > now and ends >= tonumber(ARGV[3]) then return current end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  local sep = string.find(all[i + 1], '|', 1, true)
  if tonumber(string.sub(all[i + 1], 1, sep - 1)) <= now then
    redis.call('HDEL', KEYS[1], all[i])
  end
end
return ARGV[2]
"""


class RedisShapingStore:
    """Implements ``ShapingStore`` on Redis.

    Redis being out of reach does not stop sending: reads then see no backoff and writes keep
    only the local one (the dispatcher's own state), and a warning is logged. Backoffs are a
    courtesy to receivers; the caps that must hold are the limiter's, which fails closed.
    """

    def __init__(self, client: redis.Redis, *, key: str = "mailfleet:shaping") -> None:
        self._client = client
        self._key = key
        self._put = client.register_script(_PUT)

    @classmethod
    def from_url(cls, url: str, *, key: str = "mailfleet:shaping") -> RedisShapingStore:
        """Connect to ``url`` (``redis://host:port/db``)."""
        return cls(redis.Redis.from_url(url), key=key)

    def current(self, now: datetime) -> dict[tuple[str, str], Backoff]:
        """Every backoff still in force, from one ``HGETALL``."""
        try:
            raw: dict[bytes, bytes] = self._client.hgetall(self._key)  # type: ignore[assignment]
        except _UNREACHABLE as exc:
            log.warning("shaping backoffs unavailable from Redis: %s", exc)
            return {}
        found: dict[tuple[str, str], Backoff] = {}
        for field, value in raw.items():
            backoff = _decode(value.decode("utf-8"))
            if backoff is not None and backoff.until > now:
                provider, _, scope = field.decode("utf-8").partition("|")
                found[(provider, scope)] = backoff
        return found

    def put(self, provider: str, scope: str, backoff: Backoff, now: datetime) -> Backoff:
        """Keep the longer of ``backoff`` and the one stored; the one in force afterwards."""
        args: list[Any] = [
            f"{provider}|{scope}",
            _encode(backoff),
            repr(backoff.until.timestamp()),
            repr(now.timestamp()),
        ]
        try:
            value = self._put(keys=[self._key], args=args)
        except _UNREACHABLE as exc:
            log.warning("shaping backoff not shared through Redis: %s", exc)
            return backoff
        stored = _decode(value.decode("utf-8") if isinstance(value, bytes) else str(value))
        return stored or backoff


def _encode(backoff: Backoff) -> str:
    return "|".join(
        (
            repr(backoff.until.timestamp()),
            backoff.action.value,
            repr(backoff.factor),
            backoff.reason,
        )
    )


def _decode(value: str) -> Backoff | None:
    parts = value.split("|", 3)
    if len(parts) != 4:
        return None
    try:
        until = datetime.fromtimestamp(float(parts[0]), UTC)
        return Backoff(BackoffAction(parts[1]), until, float(parts[2]), parts[3])
    except ValueError:
        return None
