"""A value wrapper that keeps secrets out of logs, reprs and tracebacks."""

from __future__ import annotations

from typing import Final

_MASK: Final = "********"


class Secret:
    """Holds a secret string; ``str()`` and ``repr()`` show a mask, ``reveal()`` the value."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The secret itself. Call only where the value is about to be used or exported."""
        return self._value

    def __repr__(self) -> str:
        return f"Secret({_MASK!r})"

    def __str__(self) -> str:
        return _MASK

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def __bool__(self) -> bool:
        return bool(self._value)


class SecretRefScheme:
    """The schemes a secret reference may use in the spec or settings."""

    ENV = "env"
    FILE = "file"
    ALL = (ENV, FILE)


def parse_secret_ref(text: str) -> tuple[str, str]:
    """Split ``env:NAME`` or ``file:PATH`` into (scheme, target); raise ``ValueError`` otherwise."""
    scheme, sep, target = text.partition(":")
    if not sep or scheme not in SecretRefScheme.ALL or not target.strip():
        raise ValueError(
            "a secret must be a reference, 'env:VARIABLE' or 'file:/path/to/file', "
            "never the secret itself"
        )
    return scheme, target.strip()
