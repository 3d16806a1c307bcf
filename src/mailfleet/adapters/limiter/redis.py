"""The Redis limiter: exact caps shared by any number of worker processes and machines.

One Lua script checks every cap of a send and increments them all, or none, atomically (Redis
runs a script without interleaving other commands). Each cap is a small hash holding its
window index and count; a send in a newer window starts the count afresh, so windows reset by
themselves, and each hash expires when its window ends. The time base is Redis's own ``TIME``,
shared by every worker whatever their clocks say; tests and simulations may pass a clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import redis

from mailfleet.core.ports import Clock
from mailfleet.core.warmup.errors import LimiterUnavailable
from mailfleet.core.warmup.limits import CapCheck, Grant

# KEYS: one hash per cap.  ARGV: count, now ("" = use Redis TIME), then per cap:
# limit, window seconds, window offset.  Returns {1} or {0, index of the full cap, its count}.
_ACQUIRE = """
local count = tonumber(ARGV[1])
local now
if ARGV[2] == '' then
  local t = redis.call('TIME')
  now = tonumber(t[1]) + tonumber(t[2]) / 1000000
else
  now = tonumber(ARGV[2])
end
local windows = {}
local counts = {}
local ttls = {}
local fresh = {}
for i = 1, #KEYS do
  local base = 2 + (i - 1) * 3
  local limit = tonumber(ARGV[base + 1])
  local seconds = tonumber(ARGV[base + 2])
  local offset = tonumber(ARGV[base + 3])
  local window = math.floor((now + offset) / seconds)
  local stored = redis.call('HMGET', KEYS[i], 'w', 'n')
  local used = 0
  if stored[1] and tonumber(stored[1]) == window then
    used = tonumber(stored[2])
  else
    fresh[i] = true
  end
  if used + count > limit then return {0, i, used} end
  windows[i] = window
  counts[i] = used + count
  ttls[i] = math.ceil(seconds - ((now + offset) % seconds)) + 60
end
for i = 1, #KEYS do
  redis.call('HSET', KEYS[i], 'w', windows[i], 'n', counts[i])
  -- a counter entering a new window gets its expiry once; later sends leave it alone
  if fresh[i] then redis.call('EXPIRE', KEYS[i], ttls[i]) end
end
return {1}
"""

_USED = """
local now
if ARGV[1] == '' then
  local t = redis.call('TIME')
  now = tonumber(t[1]) + tonumber(t[2]) / 1000000
else
  now = tonumber(ARGV[1])
end
local window = math.floor((now + tonumber(ARGV[3])) / tonumber(ARGV[2]))
local stored = redis.call('HMGET', KEYS[1], 'w', 'n')
if stored[1] and tonumber(stored[1]) == window then return tonumber(stored[2]) end
return 0
"""


class RedisLimiter:
    """Implements ``Limiter`` on Redis with one atomic script per acquire.

    ``prefix`` namespaces every key (one fleet, one test run); ``clock`` replaces Redis's
    ``TIME`` as the time base when given (tests, simulations).
    """

    def __init__(
        self, client: redis.Redis, *, prefix: str = "mailfleet:cap:", clock: Clock | None = None
    ) -> None:
        self._client = client
        self._prefix = prefix
        self._clock = clock
        self._acquire = client.register_script(_ACQUIRE)
        self._used = client.register_script(_USED)

    @classmethod
    def from_url(
        cls, url: str, *, prefix: str = "mailfleet:cap:", clock: Clock | None = None
    ) -> RedisLimiter:
        """Connect to ``url`` (``redis://host:port/db``)."""
        return cls(redis.Redis.from_url(url), prefix=prefix, clock=clock)

    def _now(self) -> str:
        return "" if self._clock is None else repr(self._clock.now().timestamp())

    def acquire(self, checks: Sequence[CapCheck], count: int = 1) -> Grant:
        """Take ``count`` from every cap, or from none when any lacks room."""
        if not checks:
            return Grant(True, count)
        keys = [self._prefix + c.key for c in checks]
        args: list[Any] = [count, self._now()]
        for check in checks:
            args.extend((check.limit, check.window.seconds, check.window.offset))
        result = self._call(self._acquire, keys, args)
        assert isinstance(result, list)
        if int(result[0]) == 1:
            return Grant(True, count)
        return Grant(False, count, checks[int(result[1]) - 1].key, int(result[2]))

    def used(self, check: CapCheck) -> int:
        """The cap's count in its current window."""
        args = [self._now(), check.window.seconds, check.window.offset]
        return int(self._call(self._used, [self._prefix + check.key], args))

    def ping(self) -> None:
        """Raise ``LimiterUnavailable`` unless Redis answers."""
        self._call(lambda keys, args: self._client.ping(), [], [])

    def _call(self, script: Any, keys: list[str], args: list[Any]) -> Any:
        try:
            return script(keys=keys, args=args)
        except redis.RedisError as exc:
            raise LimiterUnavailable(f"the Redis limiter failed: {exc}") from exc
