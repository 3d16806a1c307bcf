"""Retry timing: exponential backoff with jitter that never undercuts the provider's Retry-After."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How many times to try a retryable call, and how long to wait between tries."""

    attempts: int = 6
    base: float = 0.5  # seconds before the second try
    cap: float = 30.0  # no single wait is longer than this, unless the provider asks for it
    jitter: float = 0.5  # fraction of each wait that is randomised, so workers spread out


def backoff_delay(
    attempt: int, policy: RetryPolicy, retry_after: float | None, rand: float
) -> float:
    """Seconds to wait after failed try number ``attempt`` (1-based).

    ``rand`` is a uniform draw in [0, 1). The exponential part is ``base * 2**(attempt-1)``,
    capped, with its top ``jitter`` fraction randomised. A provider's Retry-After (RFC 9110
    section 10.2.3) is a floor: waiting less would only earn another 429; a little jitter is
    added on top so that workers told the same instant do not all come back at once.
    """
    exponential = min(policy.cap, policy.base * float(2 ** (attempt - 1)))
    delay = exponential * (1 - policy.jitter * rand)
    if retry_after is not None:
        delay = max(delay, retry_after + policy.base * policy.jitter * rand)
    return delay
