"""Loading the shipped sending policy (``mailfleet/policy/shaping.yaml``) or a local override."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from mailfleet.core.errors import ConfigError
from mailfleet.core.sending.shaping import ShapingPolicy, ShapingPolicyError, parse_shaping


def load_shaping(path: Path | None = None) -> ShapingPolicy:
    """The shaping policy from ``path``, or the one shipped with mailfleet."""
    if path is None:
        text = resources.files("mailfleet").joinpath("policy/shaping.yaml").read_text("utf-8")
        where = "mailfleet/policy/shaping.yaml"
    else:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read the shaping policy: {exc.strerror}") from None
        where = str(path)
    try:
        data = YAML(typ="safe").load(text)
        return parse_shaping(data or {})
    except (YAMLError, ShapingPolicyError) as exc:
        raise ConfigError(f"{where}: {exc}") from None
