"""MTA-STS (RFC 8461) and SMTP TLS reporting (RFC 8460) records and policy text."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence


def mta_sts_policy(mx_hosts: Sequence[str], *, mode: str = "testing", max_age: int = 604800) -> str:
    """The policy file served at ``https://mta-sts.<domain>/.well-known/mta-sts.txt``.

    RFC 8461 3.2: CRLF-separated ``key: value`` lines; ``mx`` patterns without trailing dots.
    ``testing`` first: receivers report failures (TLS-RPT) but still deliver.
    """
    if mode not in ("enforce", "testing", "none"):
        raise ValueError(f"MTA-STS mode {mode!r} is not enforce, testing or none")
    lines = ["version: STSv1", f"mode: {mode}"]
    lines += [f"mx: {host.rstrip('.')}" for host in sorted(mx_hosts)]
    lines.append(f"max_age: {max_age}")
    return "\r\n".join(lines) + "\r\n"


def mta_sts_txt(policy: str) -> str:
    """``_mta-sts`` TXT (RFC 8461 3.1); the id changes exactly when the policy text does."""
    digest = hashlib.sha256(policy.encode("utf-8")).hexdigest()[:20]
    return f"v=STSv1; id={digest}"


def tls_rpt_txt(rua: Sequence[str]) -> str:
    """``_smtp._tls`` TXT (RFC 8460 3): where receivers send TLS failure reports."""
    return "v=TLSRPTv1; rua=" + ",".join(rua)
