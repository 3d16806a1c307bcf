"""Load the DNS template (``dns.toml``) into a ``DnsTemplate``, naming the file on errors."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from mailfleet.core.dns.dkim import KeyAlgorithm
from mailfleet.core.dns.dmarc import Alignment, DmarcPolicy
from mailfleet.core.dns.templates import DmarcTemplate, DnsTemplate, SafetyLimits
from mailfleet.core.errors import ConfigError


def load_dns_template(path: Path | None = None) -> DnsTemplate:
    """The shipped template, or the TOML file at ``path``; raise ``ConfigError`` if invalid."""
    source = str(path) if path else "mailfleet/policy/dns.toml"
    try:
        if path is None:
            text = resources.files("mailfleet.policy").joinpath("dns.toml").read_text("utf-8")
        else:
            text = path.read_text("utf-8")
        return _build(tomllib.loads(text))
    except (OSError, tomllib.TOMLDecodeError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"{source}: invalid DNS template: {exc}") from None


def _optional_policy(value: Any) -> DmarcPolicy | None:
    return DmarcPolicy(value) if value else None


def _build(data: dict[str, Any]) -> DnsTemplate:
    dmarc = data.get("dmarc", {})
    safety = data.get("safety", {})
    template = DnsTemplate(
        ttl=int(data.get("ttl", 3600)),
        selectors=tuple(data.get("selectors", ("mf1", "mf2"))),
        key_algorithm=KeyAlgorithm(data.get("key_algorithm", "rsa")),
        rsa_bits=int(data.get("rsa_bits", 2048)),
        return_path_label=str(data.get("return_path_label", "bounce")),
        intake_mx=str(data.get("intake_mx", "")),
        extra_owned=tuple(data.get("extra_owned", ())),
        dmarc=DmarcTemplate(
            policy=DmarcPolicy(dmarc.get("policy", "none")),
            rua=tuple(dmarc.get("rua", ())),
            adkim=Alignment(dmarc.get("adkim", "r")),
            aspf=Alignment(dmarc.get("aspf", "r")),
            subdomain_policy=_optional_policy(dmarc.get("subdomain_policy")),
            nonexistent_policy=_optional_policy(dmarc.get("nonexistent_policy")),
        ),
        mta_sts=bool(data.get("mta_sts", {}).get("enabled", False)),
        mta_sts_mode=str(data.get("mta_sts", {}).get("mode", "testing")),
        tls_rpt_rua=tuple(data.get("tls_rpt", {}).get("rua", ())),
        mx_defaults={k: tuple(v) for k, v in data.get("mx_defaults", {}).items()},
        safety=SafetyLimits(
            max_change_fraction=float(safety.get("max_change_fraction", 0.3)),
            min_existing=int(safety.get("min_existing", 10)),
            max_deletes=int(safety.get("max_deletes", 10)),
        ),
    )
    if len(template.selectors) < 2:
        raise ValueError("selectors: two are needed, so that one can rotate while one signs")
    if template.key_algorithm is KeyAlgorithm.RSA and template.rsa_bits < 2048:
        raise ValueError("rsa_bits: at least 2048 (RFC 8301)")
    return template
