"""DKIM key pairs: generated with ``cryptography`` (OpenSSL), private halves only in the vault.

A key is stored in the vault *before* its public half is ever planned, so a key can never be
published without a record of its private half; an unpublished stored key is harmless.
"""

from __future__ import annotations

import base64

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from mailfleet.core.dns.dkim import KeyAlgorithm, vault_name
from mailfleet.core.dns.templates import DkimPublicKey
from mailfleet.core.errors import SecretNotFound
from mailfleet.core.ports import SecretVault
from mailfleet.core.secrets import Secret


def generate_private_pem(algorithm: KeyAlgorithm, rsa_bits: int = 2048) -> str:
    """A new private key in PKCS#8 PEM."""
    key: rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey
    if algorithm is KeyAlgorithm.RSA:
        key = rsa.generate_private_key(public_exponent=65537, key_size=rsa_bits)
    else:
        key = ed25519.Ed25519PrivateKey.generate()
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")


def public_key_b64(private_pem: str) -> tuple[KeyAlgorithm, str, int]:
    """The algorithm, the ``p=`` value and the key size in bits of a private key.

    RSA: base64 of the DER SubjectPublicKeyInfo (RFC 6376 3.6.1). Ed25519: base64 of the raw
    32-byte public key (RFC 8463 4.2).
    """
    key = serialization.load_pem_private_key(private_pem.encode("ascii"), password=None)
    if isinstance(key, rsa.RSAPrivateKey):
        der = key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return KeyAlgorithm.RSA, base64.b64encode(der).decode("ascii"), key.key_size
    if isinstance(key, ed25519.Ed25519PrivateKey):
        raw = key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        return KeyAlgorithm.ED25519, base64.b64encode(raw).decode("ascii"), 256
    raise ValueError(f"unsupported DKIM key type {type(key).__name__}")


def ensure_keys(
    vault: SecretVault,
    domain: str,
    selectors: tuple[str, ...],
    algorithm: KeyAlgorithm,
    rsa_bits: int,
    *,
    create: bool = True,
) -> tuple[DkimPublicKey, ...]:
    """The public keys of ``domain``'s selectors, generating and storing missing ones first.

    With ``create=False`` a missing key is left out (verification must not make keys).
    """
    keys = []
    for selector in selectors:
        name = vault_name(domain, selector)
        try:
            pem = vault.get(name).reveal()
        except SecretNotFound:
            if not create:
                continue
            pem = generate_private_pem(algorithm, rsa_bits)
            vault.put(name, Secret(pem))
        key_algorithm, public, _ = public_key_b64(pem)
        keys.append(DkimPublicKey(selector, key_algorithm, public))
    return tuple(keys)
