"""Map a validation error's location (a path of keys and indexes) to a line in the YAML file."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def plain(node: Any) -> Any:
    """Copy a ruamel round-trip tree into plain dicts, lists and scalars for validation."""
    if isinstance(node, dict):
        return {str(k) if not isinstance(k, str) else k: plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [plain(v) for v in node]
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, str):
        return str(node)
    return node


def locate(root: Any, loc: Sequence[str | int]) -> tuple[int | None, str]:
    """Return the 1-based line of the deepest node on ``loc`` and a readable path to it.

    Parts of ``loc`` that are not in the data (pydantic's union tags, validator names) are
    skipped; a final key that is missing (a required field) is kept in the path so the message
    can name it, and the line is then its parent's.
    """
    node = root
    line: int | None = None
    path = ""
    for index, part in enumerate(loc):
        if isinstance(node, dict) and isinstance(part, str) and part in node:
            line = _key_line(node, part, line)
            path = f"{path}.{part}" if path else part
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            line = _item_line(node, part, line)
            path = f"{path}[{part}]"
            node = node[part]
        elif index == len(loc) - 1 and isinstance(part, str) and isinstance(node, dict):
            path = f"{path}.{part}" if path else part
        # anything else is a union tag or a validator name: not in the data, skip it
    return line, path


def _key_line(node: Any, key: str, fallback: int | None) -> int | None:
    lc = getattr(node, "lc", None)
    if lc is None:
        return fallback
    try:
        return int(lc.key(key)[0]) + 1
    except (KeyError, TypeError, AttributeError):
        return fallback


def _item_line(node: Any, index: int, fallback: int | None) -> int | None:
    lc = getattr(node, "lc", None)
    if lc is None:
        return fallback
    try:
        return int(lc.item(index)[0]) + 1
    except (KeyError, TypeError, AttributeError, IndexError):
        return fallback
