"""Resolve secret references (``env:NAME``, ``file:PATH``) into values, at the edge."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from mailfleet.core.errors import ConfigError
from mailfleet.core.secrets import Secret, SecretRefScheme, parse_secret_ref


def resolve_secret_ref(reference: str, env: Mapping[str, str] | None = None) -> Secret:
    """Read the secret a reference points to; raise ``ConfigError`` naming the reference."""
    try:
        scheme, target = parse_secret_ref(reference)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    if scheme == SecretRefScheme.ENV:
        environ = os.environ if env is None else env
        if target not in environ:
            raise ConfigError(f"{reference}: the environment variable {target} is not set")
        return Secret(environ[target])
    try:
        return Secret(Path(target).read_text(encoding="utf-8").strip())
    except OSError as exc:
        raise ConfigError(f"{reference}: cannot read the file: {exc.strerror}") from None
