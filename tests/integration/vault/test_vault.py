"""The vault on SQLite and PostgreSQL: encryption at rest, binding, key files and rotation."""

from __future__ import annotations

import base64
import stat
from pathlib import Path

import pytest
from sqlalchemy import select, update

from mailfleet.adapters.clock import FakeClock
from mailfleet.adapters.db.database import Database
from mailfleet.adapters.db.tables import SecretRow
from mailfleet.adapters.vault import (
    PENDING_SUFFIX,
    InMemoryVault,
    SqlVault,
    encode_key,
    key_id,
    load_keyring,
    new_key,
    rotate_master_key,
    write_key_file,
)
from mailfleet.core.errors import SecretNotFound, VaultKeyError
from mailfleet.core.secrets import Secret


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    return tmp_path / "keys" / "master.key"


@pytest.fixture
def vault(database: Database, key_file: Path, clock: FakeClock) -> SqlVault:
    return SqlVault(database, load_keyring(f"file:{key_file}", create=True), clock)


def test_round_trip_and_nothing_readable_at_rest(vault: SqlVault, database: Database) -> None:
    """A stored secret comes back intact, and its plaintext appears nowhere in the row."""
    vault.put("provider/relay/password", Secret("hunter2-but-longer"))
    assert vault.get("provider/relay/password").reveal() == "hunter2-but-longer"
    with database.session() as s:
        row = s.scalars(select(SecretRow)).one()
        stored = row.nonce + row.ciphertext + row.name.encode()
    assert b"hunter2" not in stored


def test_replace_delete_and_list(vault: SqlVault) -> None:
    """Put replaces, delete removes, names lists by prefix and sorted."""
    vault.put("mailbox/b@x.example/password", Secret("one"))
    vault.put("mailbox/a@x.example/password", Secret("two"))
    vault.put("dkim/x.example/s1", Secret("key"))
    vault.put("mailbox/a@x.example/password", Secret("three"))
    assert vault.get("mailbox/a@x.example/password").reveal() == "three"
    assert list(vault.names("mailbox/")) == [
        "mailbox/a@x.example/password",
        "mailbox/b@x.example/password",
    ]
    assert vault.delete("dkim/x.example/s1")
    assert not vault.delete("dkim/x.example/s1")
    with pytest.raises(SecretNotFound):
        vault.get("dkim/x.example/s1")


def test_ciphertext_is_bound_to_its_name(vault: SqlVault, database: Database) -> None:
    """Copying one secret's ciphertext onto another name does not decrypt."""
    vault.put("a", Secret("alpha"))
    vault.put("b", Secret("bravo"))
    with database.session() as s:
        a = s.get(SecretRow, "a")
        assert a is not None
        s.execute(
            update(SecretRow)
            .where(SecretRow.name == "b")
            .values(nonce=a.nonce, ciphertext=a.ciphertext)
        )
    with pytest.raises(VaultKeyError, match="does not open"):
        vault.get("b")


def test_key_file_is_created_private(key_file: Path) -> None:
    """The first use creates a 0600 key file; a widened mode is refused with the fix."""
    keyring = load_keyring(f"file:{key_file}", create=True)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(keyring.current) == 32
    assert load_keyring(f"file:{key_file}", create=False).current == keyring.current
    key_file.chmod(0o644)
    with pytest.raises(VaultKeyError, match="chmod 600"):
        load_keyring(f"file:{key_file}", create=False)


def test_key_from_environment(tmp_path: Path) -> None:
    """An env: reference reads a base64 key; a malformed one is a clear error."""
    key = new_key()
    assert load_keyring("env:K", create=False, env={"K": encode_key(key)}).current == key
    with pytest.raises(VaultKeyError, match="32 bytes"):
        load_keyring("env:K", create=False, env={"K": base64.urlsafe_b64encode(b"short").decode()})
    with pytest.raises(VaultKeyError, match="not set"):
        load_keyring("env:K", create=False, env={})


def test_wrong_key_does_not_open(database: Database, key_file: Path, clock: FakeClock) -> None:
    """Secrets sealed under one key cannot be read with another."""
    SqlVault(database, load_keyring(f"file:{key_file}", create=True), clock).put("x", Secret("v"))
    other = SqlVault(
        database, load_keyring("env:K", create=False, env={"K": encode_key(new_key())}), clock
    )
    with pytest.raises(VaultKeyError, match="not loaded"):
        other.get("x")


def test_rotation_reseals_everything(
    vault: SqlVault, key_file: Path, clock: FakeClock, database: Database
) -> None:
    """After rotation every secret opens with the new key file and the old key is gone."""
    for i in range(5):
        vault.put(f"s{i}", Secret(f"value-{i}"))
    old = load_keyring(f"file:{key_file}", create=False).current
    result = rotate_master_key(vault, f"file:{key_file}")
    assert result.resealed == 5
    assert result.old_key_id == key_id(old)
    fresh = SqlVault(database, load_keyring(f"file:{key_file}", create=False), clock)
    assert fresh.current_key_id() == result.new_key_id
    assert [fresh.get(f"s{i}").reveal() for i in range(5)] == [f"value-{i}" for i in range(5)]
    assert fresh.key_ids_in_use() == {result.new_key_id}
    assert not key_file.with_name(key_file.name + PENDING_SUFFIX).exists()


def test_rotation_interrupted_before_the_swap_is_finished_later(
    vault: SqlVault, key_file: Path, clock: FakeClock, database: Database
) -> None:
    """A crash after resealing but before the key file swap leaves every secret readable."""
    vault.put("s", Secret("survives"))
    pending = key_file.with_name(key_file.name + PENDING_SUFFIX)
    new = new_key()
    write_key_file(pending, new)
    vault.reseal_all(new)  # the transaction committed; the process "dies" before os.replace
    reopened = SqlVault(database, load_keyring(f"file:{key_file}", create=False), clock)
    assert reopened.get("s").reveal() == "survives"
    result = rotate_master_key(reopened, f"file:{key_file}")  # finishes with the pending key
    assert result.new_key_id == key_id(new)
    final = SqlVault(database, load_keyring(f"file:{key_file}", create=False), clock)
    assert final.get("s").reveal() == "survives"


def test_env_key_rotation_needs_the_new_key(database: Database, clock: FakeClock) -> None:
    """With an environment key, rotation takes the new key from a reference."""
    old, new = new_key(), new_key()
    env = {"OLD": encode_key(old), "NEW": encode_key(new)}
    vault = SqlVault(database, load_keyring("env:OLD", create=False, env=env), clock)
    vault.put("s", Secret("v"))
    with pytest.raises(VaultKeyError, match="--new-key"):
        rotate_master_key(vault, "env:OLD", env=env)
    rotate_master_key(vault, "env:OLD", new_key_reference="env:NEW", env=env)
    after = SqlVault(database, load_keyring("env:NEW", create=False, env=env), clock)
    assert after.get("s").reveal() == "v"


def test_secret_never_shows_in_repr() -> None:
    """A Secret prints as a mask in str, repr and f-strings."""
    secret = Secret("topsecret")
    assert "topsecret" not in f"{secret} {secret!r} {[secret]}"
    assert secret.reveal() == "topsecret"


def test_in_memory_twin_behaves_like_the_port() -> None:
    """The in-memory vault stores, lists, deletes and raises like the SQL one."""
    vault = InMemoryVault()
    vault.put("b", Secret("2"))
    vault.put("a", Secret("1"))
    assert list(vault.names()) == ["a", "b"]
    assert vault.delete("a")
    with pytest.raises(SecretNotFound):
        vault.get("a")
