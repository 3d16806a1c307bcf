"""Errors a mailbox provider reports, translated by each adapter from its own answers::

    ProviderError                     (mailfleet.core.errors)
     └── MailboxProviderError         carries the provider's own reason
          ├── MailboxRejected         the name, a setting or the password breaks its rules
          ├── MailboxExists           the address is already taken at the provider
          ├── MailboxNotFound         no such mailbox at the provider
          ├── QuotaExhausted          no licence, seat or quota left
          ├── ProviderAuthError       the credentials do not work
          ├── RateLimited             429: slow down, ``retry_after`` seconds if it said so
          └── ProviderUnavailable     5xx or the network: worth retrying

Only ``RateLimited`` and ``ProviderUnavailable`` are retryable. Apart from the tree,
``UnsafePlan`` (a ``MailfleetError``) stops a plan that would suspend too much at once.
"""

from __future__ import annotations

from mailfleet.core.errors import MailfleetError, ProviderError


class UnsafePlan(MailfleetError):
    """A plan changes so much at once that it needs ``--force``."""


class MailboxProviderError(ProviderError):
    """A mailbox provider refused or failed; ``reason`` is its own words."""

    def __init__(self, reason: str, *, retryable: bool = False) -> None:
        super().__init__(reason, retryable=retryable)
        self.reason = reason


class MailboxRejected(MailboxProviderError):
    """The provider rejects the address, a setting or the password policy."""


class MailboxExists(MailboxProviderError):
    """The address already exists at the provider."""


class MailboxNotFound(MailboxProviderError):
    """The provider has no such mailbox."""


class QuotaExhausted(MailboxProviderError):
    """The provider has no licence, seat or quota left for another mailbox."""


class ProviderAuthError(MailboxProviderError):
    """The provider does not accept mailfleet's credentials."""


class RateLimited(MailboxProviderError):
    """The provider asks to slow down (HTTP 429); ``retry_after`` is its hint in seconds."""

    def __init__(self, reason: str, *, retry_after: float | None = None) -> None:
        super().__init__(reason, retryable=True)
        self.retry_after = retry_after


class ProviderUnavailable(MailboxProviderError):
    """The provider failed on its side or could not be reached; trying again may work."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason, retryable=True)
