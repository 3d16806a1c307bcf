"""The DNSBL zone list: validated from ``dnsbl_zones.yaml`` into ``DnsblZone`` values."""

from __future__ import annotations

import re
from ipaddress import IPv4Address
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from mailfleet.core.errors import ConfigError
from mailfleet.core.reputation.verdict import LOOPBACK_NET
from mailfleet.core.reputation.zones import DnsblZone, TargetKind
from mailfleet.policy._yaml import describe_errors, read_policy

ZONES_FILE = "dnsbl_zones.yaml"
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_RETIRED = {"sorbs.net"}  # closed in 2024: a listing there means nothing any more


class ZoneModel(BaseModel):
    """One entry of ``zones`` in the policy file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    zone: str
    kinds: list[TargetKind] = Field(min_length=1)
    description: str = ""
    delist_url: str = Field(pattern=r"^https?://")
    listed: dict[IPv4Address, str] = Field(default_factory=dict)
    listed_bits: dict[int, str] = Field(default_factory=dict)
    unknown: dict[IPv4Address, str] = Field(default_factory=dict)

    @field_validator("zone")
    @classmethod
    def _dns_name(cls, value: str) -> str:
        name = value.strip().rstrip(".").lower()
        labels = name.split(".")
        if len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
            raise ValueError(f"{value!r} is not a DNS zone name")
        if any(name == r or name.endswith("." + r) for r in _RETIRED):
            raise ValueError(f"{name} belongs to a closed list; remove it")
        return name

    @field_validator("listed", "unknown")
    @classmethod
    def _loopback_codes(cls, value: dict[IPv4Address, str]) -> dict[IPv4Address, str]:
        outside = [str(code) for code in value if code not in LOOPBACK_NET]
        if outside:
            raise ValueError(f"answer codes must be in 127.0.0.0/8 (RFC 5782): {outside}")
        return value

    @field_validator("listed_bits")
    @classmethod
    def _single_bits(cls, value: dict[int, str]) -> dict[int, str]:
        wrong = [bit for bit in value if bit not in {1 << n for n in range(8)}]
        if wrong:
            raise ValueError(f"bitmask keys must be single bits of one octet: {wrong}")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> ZoneModel:
        if not self.listed and not self.listed_bits:
            raise ValueError("a zone needs 'listed' codes or 'listed_bits'")
        both = sorted(str(c) for c in set(self.listed) & set(self.unknown))
        if both:
            raise ValueError(f"codes both listed and unknown: {both}")
        return self

    def to_zone(self) -> DnsblZone:
        """The core value."""
        return DnsblZone(
            key=self.key,
            zone=self.zone,
            kinds=frozenset(self.kinds),
            description=self.description,
            delist_url=self.delist_url,
            listed=dict(self.listed),
            listed_bits=dict(self.listed_bits),
            unknown=dict(self.unknown),
        )


class ZoneListModel(BaseModel):
    """The whole policy file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    zones: list[ZoneModel] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> ZoneListModel:
        for attribute in ("key", "zone"):
            values = [getattr(z, attribute) for z in self.zones]
            twice = sorted({v for v in values if values.count(v) > 1})
            if twice:
                raise ValueError(f"each {attribute} may appear once: {twice}")
        return self


def load_zones(path: Path | None = None) -> tuple[DnsblZone, ...]:
    """The shipped zone list, or the one at ``path``; raise ``ConfigError`` with every reason."""
    data, source = read_policy(ZONES_FILE, path)
    try:
        model = ZoneListModel.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(describe_errors(source, list(exc.errors()))) from None
    return tuple(z.to_zone() for z in model.zones)
