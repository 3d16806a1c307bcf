"""DMARC policy records per RFC 9989 (DMARCbis).

RFC 9989 removed ``pct``, ``rf`` and ``ri`` and added ``np`` (policy for non-existent
subdomains), ``psd`` and ``t`` (testing mode). The builder never writes the removed tags; the
parser reports them so that verification flags a record written by an older tool.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

REMOVED_TAGS = frozenset({"pct", "rf", "ri"})
KNOWN_TAGS = frozenset({"v", "p", "sp", "np", "adkim", "aspf", "rua", "ruf", "fo", "psd", "t"})


class DmarcPolicy(StrEnum):
    """The requested handling of failing mail (RFC 9989 4.7)."""

    NONE = "none"
    QUARANTINE = "quarantine"
    REJECT = "reject"


class Alignment(StrEnum):
    """Identifier alignment mode: relaxed or strict (RFC 9989 4.7)."""

    RELAXED = "r"
    STRICT = "s"


@dataclass(frozen=True, slots=True)
class DmarcRecord:
    """The tags mailfleet publishes, in the order it writes them."""

    policy: DmarcPolicy
    rua: tuple[str, ...] = ()
    adkim: Alignment = Alignment.RELAXED
    aspf: Alignment = Alignment.RELAXED
    subdomain_policy: DmarcPolicy | None = None
    nonexistent_policy: DmarcPolicy | None = None

    def render(self) -> str:
        """``v=DMARC1; p=none; ...``; ``sp``/``np`` only where they differ from ``p``."""
        tags = [f"v=DMARC1; p={self.policy}"]
        if self.subdomain_policy is not None and self.subdomain_policy != self.policy:
            tags.append(f"sp={self.subdomain_policy}")
        nonexistent = self.nonexistent_policy
        if nonexistent is not None and nonexistent != (self.subdomain_policy or self.policy):
            tags.append(f"np={nonexistent}")
        if self.rua:
            tags.append("rua=" + ",".join(self.rua))
        tags.append(f"adkim={self.adkim}")
        tags.append(f"aspf={self.aspf}")
        return "; ".join(tags)


@dataclass(frozen=True, slots=True)
class DmarcParse:
    """A parsed record: its tags, and every problem found (empty when valid)."""

    tags: Mapping[str, str]
    problems: tuple[str, ...]

    @property
    def valid(self) -> bool:
        """True when the record is a valid RFC 9989 policy record."""
        return not self.problems


def parse_dmarc(text: str) -> DmarcParse:
    """Parse a DMARC record (RFC 9989 4.7); collect every problem rather than stop at one."""
    tags: dict[str, str] = {}
    problems: list[str] = []
    parts = [p.strip() for p in text.split(";") if p.strip()]
    for index, part in enumerate(parts):
        name, sep, value = part.partition("=")
        name = name.strip().lower()
        if not sep:
            problems.append(f"tag {part!r} has no '='")
            continue
        if index == 0 and (name != "v" or value.strip() != "DMARC1"):
            problems.append("a DMARC record starts with 'v=DMARC1'")
        if name in REMOVED_TAGS:
            problems.append(f"{name}= was removed by RFC 9989")
        elif name not in KNOWN_TAGS:
            problems.append(f"unknown tag {name}=")
        tags[name] = value.strip()
    if not parts:
        problems.append("empty record")
    for key in ("p", "sp", "np"):
        if key in tags and tags[key].lower() not in {p.value for p in DmarcPolicy}:
            problems.append(f"{key}={tags[key]} is not none, quarantine or reject")
    for key in ("adkim", "aspf"):
        if key in tags and tags[key].lower() not in ("r", "s"):
            problems.append(f"{key}={tags[key]} is not r or s")
    for uri in filter(None, tags.get("rua", "").split(",")):
        if not uri.strip().lower().startswith("mailto:"):
            problems.append(f"rua URI {uri.strip()!r} is not a mailto: URI")
    return DmarcParse(tags, tuple(problems))
