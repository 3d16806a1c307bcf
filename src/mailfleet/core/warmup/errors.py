"""Errors of the warmup capability, in mailfleet's tree (``mailfleet.core.errors``)."""

from __future__ import annotations

from mailfleet.core.errors import MailfleetError, ProviderError


class LimiterUnavailable(ProviderError):
    """The shared limiter store cannot be reached; senders must not send without it."""

    def __init__(self, message: str) -> None:
        super().__init__(message, retryable=True)


class UnknownDomain(MailfleetError):
    """The fleet spec has no domain of that name."""

    def __init__(self, name: str) -> None:
        super().__init__(f"no domain {name!r} in the fleet spec; `mailfleet status` lists them")
