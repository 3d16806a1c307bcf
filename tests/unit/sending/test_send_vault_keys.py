"""DKIM keys are read from the vault under dkim/<domain>/<selector>."""

from __future__ import annotations

import pytest

from mailfleet.adapters.sending.vault_keys import VaultDkimKeys, secret_name
from mailfleet.adapters.vault import InMemoryVault
from mailfleet.core.errors import VaultError
from mailfleet.core.secrets import Secret
from mailfleet.core.sending.dkim import DkimAlgorithm, DkimKey


def test_keys_are_found_rsa_first(rsa_key: DkimKey, ed25519_key: DkimKey) -> None:
    """Both keys of a domain come back with their algorithm, RSA before Ed25519."""
    vault = InMemoryVault()
    vault.put(secret_name("Example.com", "a-ed"), Secret(ed25519_key.private_pem.decode()))
    vault.put(secret_name("example.com", "z-rsa"), Secret(rsa_key.private_pem.decode()))
    keys = VaultDkimKeys(vault).keys_for("EXAMPLE.com")
    assert [(k.selector, k.algorithm) for k in keys] == [
        ("z-rsa", DkimAlgorithm.RSA_SHA256),
        ("a-ed", DkimAlgorithm.ED25519_SHA256),
    ]
    assert VaultDkimKeys(vault).keys_for("other.com") == []


def test_garbage_in_the_vault_is_a_vault_error() -> None:
    """A secret that is not a PEM key raises VaultError naming the secret."""
    vault = InMemoryVault()
    vault.put(secret_name("example.com", "s1"), Secret("not a key"))
    with pytest.raises(VaultError, match=r"dkim/example\.com/s1"):
        VaultDkimKeys(vault).keys_for("example.com")
