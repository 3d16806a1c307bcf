"""Reading a policy file: packaged by default, or a path given by the operator."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from mailfleet.core.errors import ConfigError


def read_policy(name: str, path: Path | None) -> tuple[Any, str]:
    """Parse the YAML policy ``name`` (shipped) or ``path``; return (data, source name)."""
    if path is None:
        source = f"mailfleet/policy/{name}"
        text = resources.files("mailfleet.policy").joinpath(name).read_text("utf-8")
    else:
        source = str(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read the policy file: {exc.strerror}") from None
    try:
        return YAML(typ="safe", pure=True).load(text), source
    except YAMLError as exc:
        raise ConfigError(f"{source}: invalid YAML: {exc}") from None


def describe_errors(source: str, errors: list[Any]) -> str:
    """Every pydantic validation error of a policy file, on one line each."""
    reasons = [
        f"{'.'.join(str(p) for p in e['loc'])}: {str(e['msg']).removeprefix('Value error, ')}"
        for e in errors
    ]
    return f"{source}: invalid policy:\n  " + "\n  ".join(reasons)
