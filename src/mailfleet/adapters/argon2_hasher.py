"""Password hashing with argon2id (RFC 9106), through argon2-cffi."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError


class Argon2Hasher:
    """Implements the ``PasswordHasher`` port with argon2-cffi's RFC 9106 low-memory profile."""

    def __init__(self, *, time_cost: int = 3, memory_kib: int = 65_536) -> None:
        # argon2-cffi's defaults: RFC 9106's second recommended profile (3 passes, 64 MiB);
        # tests pass smaller costs to stay fast.
        self._hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib)

    def hash(self, password: str) -> str:
        """A salted argon2id hash in PHC string form."""
        return self._hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        """True on a match; a malformed hash is a mismatch, never an exception."""
        try:
            return self._hasher.verify(password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
