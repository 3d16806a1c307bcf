"""The vault: secrets encrypted at rest with AES-256-GCM under a master key.

Each ciphertext is bound to its secret's name (associated data), so rows cannot be swapped,
and records the id of the key that sealed it, so a rotation interrupted at any point can be
finished: the keyring holds the current key and, during a rotation, the next one.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import secrets as pysecrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import delete, select

from mailfleet.adapters.db.database import Database
from mailfleet.adapters.db.tables import SecretRow
from mailfleet.adapters.secret_refs import resolve_secret_ref
from mailfleet.core.errors import ConfigError, SecretNotFound, VaultError, VaultKeyError
from mailfleet.core.ports import Clock
from mailfleet.core.secrets import Secret, SecretRefScheme, parse_secret_ref

KEY_BYTES = 32
PENDING_SUFFIX = ".next"


def new_key() -> bytes:
    """A fresh random 256-bit key."""
    return pysecrets.token_bytes(KEY_BYTES)


def encode_key(key: bytes) -> str:
    """The text form of a key, as kept in a key file or an environment variable."""
    return base64.urlsafe_b64encode(key).decode("ascii")


def decode_key(text: str, source: str) -> bytes:
    """Parse a base64 key; raise ``VaultKeyError`` naming where it came from."""
    try:
        key = base64.urlsafe_b64decode(text.strip().encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raise VaultKeyError(f"{source}: the master key is not valid base64") from None
    if len(key) != KEY_BYTES:
        raise VaultKeyError(f"{source}: the master key must be {KEY_BYTES} bytes, not {len(key)}")
    return key


def key_id(key: bytes) -> str:
    """A short fingerprint that names a key without revealing it."""
    return hashlib.sha256(b"mailfleet-vault-key" + key).hexdigest()[:16]


@dataclass(frozen=True)
class Keyring:
    """The key that seals new secrets, and every key that may open stored ones."""

    current: bytes
    others: tuple[bytes, ...] = ()

    def by_id(self) -> Mapping[str, bytes]:
        """Keys by their id."""
        return {key_id(k): k for k in (self.current, *self.others)}


def write_key_file(path: Path, key: bytes) -> None:
    """Write ``key`` to ``path`` with mode 0600, durably, without ever widening permissions."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(encode_key(key) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def _read_key_file(path: Path) -> bytes:
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        raise VaultKeyError(
            f"{path}: the master key file is readable by others (mode {mode:o}); "
            f"run 'chmod 600 {path}'"
        )
    return decode_key(path.read_text(encoding="ascii"), str(path))


def load_keyring(reference: str, *, create: bool, env: Mapping[str, str] | None = None) -> Keyring:
    """Load the master key named by ``reference``; create a key file on first use if allowed."""
    try:
        scheme, target = parse_secret_ref(reference)
    except ValueError as exc:
        raise ConfigError(f"master_key: {exc}") from None
    if scheme == SecretRefScheme.ENV:
        try:
            text = resolve_secret_ref(reference, env).reveal()
        except ConfigError as exc:
            raise VaultKeyError(str(exc)) from None
        return Keyring(decode_key(text, reference))
    path = Path(target)
    pending = path.with_name(path.name + PENDING_SUFFIX)
    if not path.exists():
        if not create:
            raise VaultKeyError(f"{path}: no master key file; it is created on first use")
        write_key_file(path, new_key())
    others = (_read_key_file(pending),) if pending.exists() else ()
    return Keyring(_read_key_file(path), others)


class SqlVault:
    """Implements the ``SecretVault`` port on a ``Database``."""

    def __init__(self, database: Database, keyring: Keyring, clock: Clock) -> None:
        self._db = database
        self._keyring = keyring
        self._clock = clock

    def put(self, name: str, value: Secret) -> None:
        """Encrypt and store ``value`` under ``name``, replacing any earlier value."""
        if not name or len(name) > 255:
            raise VaultError("a secret's name must be 1 to 255 characters")
        nonce, sealed = _seal(self._keyring.current, name, value)
        now = self._clock.now()
        with self._db.session() as s:
            row = s.get(SecretRow, name)
            if row is None:
                s.add(
                    SecretRow(
                        name=name,
                        key_id=key_id(self._keyring.current),
                        nonce=nonce,
                        ciphertext=sealed,
                        created_at=now,
                        updated_at=now,
                    )
                )
            else:
                row.key_id, row.nonce, row.ciphertext = key_id(self._keyring.current), nonce, sealed
                row.updated_at = now

    def get(self, name: str) -> Secret:
        """Decrypt the secret called ``name``."""
        with self._db.session() as s:
            row = s.get(SecretRow, name)
            if row is None:
                raise SecretNotFound(f"no secret named {name!r} in the vault")
            return _open(self._keyring.by_id(), row)

    def delete(self, name: str) -> bool:
        """Remove a secret; ``False`` when there was none."""
        with self._db.session() as s:
            result = s.execute(delete(SecretRow).where(SecretRow.name == name))
            return bool(getattr(result, "rowcount", 0))

    def names(self, prefix: str = "") -> Iterable[str]:
        """Stored names starting with ``prefix``, sorted."""
        with self._db.session() as s:
            query = select(SecretRow.name).order_by(SecretRow.name)
            if prefix:
                query = query.where(SecretRow.name.startswith(prefix, autoescape=True))
            return list(s.scalars(query))

    def entries(self) -> list[tuple[str, str, datetime]]:
        """(name, key id, updated) for every secret: what ``vault list`` shows, never values."""
        with self._db.session() as s:
            rows = s.execute(
                select(SecretRow.name, SecretRow.key_id, SecretRow.updated_at).order_by(
                    SecretRow.name
                )
            )
            return list(rows)

    def reseal_all(self, new: bytes) -> int:
        """Re-encrypt every secret under ``new`` in one transaction; return how many."""
        keys = {**self._keyring.by_id(), key_id(new): new}
        now = self._clock.now()
        with self._db.session() as s:
            rows = list(s.scalars(select(SecretRow)))
            for row in rows:
                secret = _open(keys, row)
                row.nonce, row.ciphertext = _seal(new, row.name, secret)
                row.key_id = key_id(new)
                row.updated_at = now
        self._keyring = Keyring(new)
        return len(rows)

    def current_key_id(self) -> str:
        """The id of the key new secrets are sealed with."""
        return key_id(self._keyring.current)

    def key_ids_in_use(self) -> set[str]:
        """Ids of the keys that sealed the stored secrets."""
        with self._db.session() as s:
            return set(s.scalars(select(SecretRow.key_id).distinct()))


def _seal(key: bytes, name: str, value: Secret) -> tuple[bytes, bytes]:
    nonce = pysecrets.token_bytes(12)
    return nonce, AESGCM(key).encrypt(nonce, value.reveal().encode("utf-8"), name.encode("utf-8"))


def _open(keys: Mapping[str, bytes], row: SecretRow) -> Secret:
    key = keys.get(row.key_id)
    if key is None:
        raise VaultKeyError(
            f"secret {row.name!r} was sealed with key {row.key_id}, which is not loaded; "
            "check the master_key setting"
        )
    try:
        plain = AESGCM(key).decrypt(row.nonce, row.ciphertext, row.name.encode("utf-8"))
    except InvalidTag:
        raise VaultKeyError(
            f"secret {row.name!r} does not open: wrong key or tampered data"
        ) from None
    return Secret(plain.decode("utf-8"))


class InMemoryVault:
    """The ``SecretVault`` twin for tests and the demo: a dict, nothing written anywhere."""

    def __init__(self) -> None:
        self._secrets: dict[str, Secret] = {}

    def put(self, name: str, value: Secret) -> None:
        """Store ``value``."""
        self._secrets[name] = value

    def get(self, name: str) -> Secret:
        """The stored value; raises ``SecretNotFound``."""
        try:
            return self._secrets[name]
        except KeyError:
            raise SecretNotFound(f"no secret named {name!r} in the vault") from None

    def delete(self, name: str) -> bool:
        """Remove a secret."""
        return self._secrets.pop(name, None) is not None

    def names(self, prefix: str = "") -> Iterable[str]:
        """Sorted names with ``prefix``."""
        return sorted(n for n in self._secrets if n.startswith(prefix))


@dataclass(frozen=True)
class Rotation:
    """What a key rotation did."""

    resealed: int
    old_key_id: str
    new_key_id: str
    note: str


def rotate_master_key(
    vault: SqlVault,
    reference: str,
    *,
    new_key_reference: str | None = None,
    env: Mapping[str, str] | None = None,
) -> Rotation:
    """Re-encrypt every secret under a new master key.

    With a key file, the new key is written beside it (``<file>.next``) before any secret is
    resealed, and replaces the old file only after the transaction commits, so a crash at any
    step leaves every secret readable. With an environment key, the new key comes from
    ``new_key_reference`` and the operator switches the setting afterwards.
    """
    scheme, target = parse_secret_ref(reference)
    old_id = vault.current_key_id()
    if scheme == SecretRefScheme.ENV:
        if new_key_reference is None:
            raise VaultKeyError(
                "the master key comes from the environment: give the new key with "
                "--new-key env:NAME (make one with 'mailfleet vault generate-key')"
            )
        new = decode_key(resolve_secret_ref(new_key_reference, env).reveal(), new_key_reference)
        count = vault.reseal_all(new)
        return Rotation(
            count,
            old_id,
            key_id(new),
            f"now point master_key at {new_key_reference} and retire the old key",
        )
    path = Path(target)
    pending = path.with_name(path.name + PENDING_SUFFIX)
    if new_key_reference is not None:
        new = decode_key(resolve_secret_ref(new_key_reference, env).reveal(), new_key_reference)
        write_key_file(pending, new)
    elif pending.exists():  # an earlier rotation stopped half-way: finish it with its key
        new = _read_key_file(pending)
    else:
        new = new_key()
        write_key_file(pending, new)
    count = vault.reseal_all(new)
    os.replace(pending, path)
    return Rotation(count, old_id, key_id(new), f"{path} now holds the new key")
