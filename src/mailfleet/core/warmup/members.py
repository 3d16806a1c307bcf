"""A domain's members: its mailboxes and sending IPs, each gated on its own evidence.

Members are named as subjects (``mailbox:ADDRESS``, ``ip:ADDRESS``) wherever the warmup keys
state, metrics, listings and decisions, so one store and one metrics port serve all three.
A paused member's share of the domain's cap is handed to the members still clear.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from mailfleet.core.fleet import Domain, Fleet
from mailfleet.core.warmup.schedule import split_fairly


def mailbox_subject(address: str) -> str:
    """The subject key of a mailbox."""
    return f"mailbox:{address}"


def ip_subject(ip: str) -> str:
    """The subject key of a sending IP."""
    return f"ip:{ip}"


def member_subjects(domain: Domain) -> tuple[str, ...]:
    """The domain's sending IPs and mailboxes, as subjects, in spec order."""
    return tuple(ip_subject(str(ip)) for ip in domain.sending_ips) + tuple(
        mailbox_subject(m.address) for m in domain.mailboxes
    )


def share_among(total: int, members: list[str], paused: Collection[str]) -> dict[str, int]:
    """Split ``total`` fairly over the members not paused; paused members get nothing."""
    active = [m for m in members if m not in paused]
    shares = dict(zip(active, split_fairly(total, [1.0] * len(active)), strict=True))
    return {m: shares.get(m, 0) for m in members}


def mailbox_shares(domain: Domain, cap: int, paused: Collection[str]) -> dict[str, int]:
    """Each mailbox's cap: a fair share among the clear ones, never over its daily limit."""
    subjects = [mailbox_subject(m.address) for m in domain.mailboxes]
    shares = share_among(cap, subjects, paused)
    return {
        m.address: min(shares[mailbox_subject(m.address)], m.daily_limit) for m in domain.mailboxes
    }


def ip_shares(fleet: Fleet, caps: Mapping[str, int], paused: Collection[str]) -> dict[str, int]:
    """Each sending IP's cap: the sum over the domains using it of their fair shares among
    their clear IPs. An IP shared by two domains is capped once, for both."""
    totals: dict[str, int] = {}
    for domain in fleet.domains:
        subjects = [ip_subject(str(ip)) for ip in domain.sending_ips]
        shares = share_among(caps.get(domain.name, 0), subjects, paused)
        for ip in domain.sending_ips:
            key = str(ip)
            totals[key] = totals.get(key, 0) + shares[ip_subject(key)]
    return totals
