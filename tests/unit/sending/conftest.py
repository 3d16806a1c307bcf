"""Keys for the sending tests: generated once per session (RSA generation is slow)."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from mailfleet.core.sending.dkim import DkimAlgorithm, DkimKey


def _pem(private: rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey) -> bytes:
    return private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


@pytest.fixture(scope="session")
def rsa_key() -> DkimKey:
    """An RSA-2048 DKIM key for example.com, selector s1."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return DkimKey("example.com", "s1", DkimAlgorithm.RSA_SHA256, _pem(private))


@pytest.fixture(scope="session")
def ed25519_key() -> DkimKey:
    """An Ed25519 DKIM key for example.com, selector e1."""
    private = ed25519.Ed25519PrivateKey.generate()
    return DkimKey("example.com", "e1", DkimAlgorithm.ED25519_SHA256, _pem(private))
