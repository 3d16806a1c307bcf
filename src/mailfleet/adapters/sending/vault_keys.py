"""DKIM private keys read from the vault.

Secrets are named ``dkim/<domain>/<selector>``; their value is the PEM of the private key
(PKCS#8). The key type is read from the PEM. RSA keys come first, so a verifier that knows only
RSA meets the signature it understands first.
"""

from __future__ import annotations

from collections.abc import Sequence

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from mailfleet.core.errors import VaultError
from mailfleet.core.ports import SecretVault
from mailfleet.core.sending.dkim import DkimAlgorithm, DkimKey

PREFIX = "dkim/"


def secret_name(domain: str, selector: str) -> str:
    """The vault name of a domain's key under ``selector``."""
    return f"{PREFIX}{domain.lower()}/{selector}"


class VaultDkimKeys:
    """``DkimKeys`` over the vault, cached per domain for the life of the process."""

    def __init__(self, vault: SecretVault) -> None:
        self._vault = vault
        self._cache: dict[str, list[DkimKey]] = {}

    def keys_for(self, domain: str) -> Sequence[DkimKey]:
        """Every key stored for ``domain``, RSA first."""
        domain = domain.lower()
        if domain not in self._cache:
            keys = [self._load(domain, name) for name in self._vault.names(f"{PREFIX}{domain}/")]
            keys.sort(key=lambda k: (k.algorithm is not DkimAlgorithm.RSA_SHA256, k.selector))
            self._cache[domain] = keys
        return self._cache[domain]

    def _load(self, domain: str, name: str) -> DkimKey:
        pem = self._vault.get(name).reveal().encode("ascii")
        try:
            private = serialization.load_pem_private_key(pem, password=None)
        except ValueError:
            raise VaultError(f"{name} does not hold a PEM private key") from None
        if isinstance(private, rsa.RSAPrivateKey):
            algorithm = DkimAlgorithm.RSA_SHA256
        elif isinstance(private, ed25519.Ed25519PrivateKey):
            algorithm = DkimAlgorithm.ED25519_SHA256
        else:
            raise VaultError(f"{name}: only RSA and Ed25519 keys sign DKIM")
        return DkimKey(domain, name.rpartition("/")[2], algorithm, pem)
