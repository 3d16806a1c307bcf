"""``dkim rotate``: drive each domain's stored rotation state machine as far as it may go now.

Run it repeatedly (by hand or on a schedule): each run does what is due and stops at a wait
(the TTL after publication, the grace period after the switch). The order of effects keeps
signing safe if the process dies between any two lines: keys are written to the vault before
the state that refers to them, and ``active`` moves only after the new key was seen resolving.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from mailfleet.core.dns.dkim import parse_dkim_txt, selector_name, vault_name
from mailfleet.core.dns.ports import AnswerStatus, DnsResolver, RotationStore
from mailfleet.core.dns.records import RecordType
from mailfleet.core.dns.rotation import (
    RotationState,
    RotationStep,
    begin,
    next_step,
    published,
    retired,
    standby,
    switched,
)
from mailfleet.core.dns.templates import DnsTemplate, uses_managed_dkim
from mailfleet.core.fleet import Fleet
from mailfleet.core.ports import Clock, SecretVault
from mailfleet.core.secrets import Secret
from mailfleet.services.dkim_keys import generate_private_pem, public_key_b64
from mailfleet.services.dns import ProviderFactory, ZoneOutcome, apply_dns

DEFAULT_GRACE = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class RotationOutcome:
    """Where a domain's rotation stands after this run, and what it is waiting for."""

    domain: str
    state: RotationState
    steps: tuple[RotationStep, ...]
    waiting: RotationStep
    detail: str = ""

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready form."""
        return {
            "domain": self.domain,
            "active_selector": self.state.active,
            "phase": str(self.state.phase),
            "target": self.state.target,
            "steps": [str(s) for s in self.steps],
            "waiting": str(self.waiting),
            "detail": self.detail,
        }


def signing_selector(store: RotationStore, domain: str, template: DnsTemplate) -> str:
    """The selector mail from ``domain`` is signed with: only ever a published, resolved key."""
    state = store.get(domain)
    return state.active if state is not None else template.selectors[0]


def signing_key(
    vault: SecretVault, store: RotationStore, domain: str, template: DnsTemplate
) -> tuple[str, Secret]:
    """The selector and private key (PEM) to sign ``domain``'s mail with."""
    selector = signing_selector(store, domain, template)
    return selector, vault.get(vault_name(domain, selector))


@dataclass(frozen=True, slots=True)
class _World:
    fleet: Fleet
    template: DnsTemplate
    vault: SecretVault
    providers: ProviderFactory
    resolver: DnsResolver
    store: RotationStore
    clock: Clock


def _new_key(world: _World, domain: str, selector: str) -> None:
    pem = generate_private_pem(world.template.key_algorithm, world.template.rsa_bits)
    world.vault.put(vault_name(domain, selector), Secret(pem))


def _publish(world: _World, domain: str) -> str:
    """Apply the domain's records; '' on success, else the reason."""
    report = apply_dns(world.fleet, world.template, world.vault, world.providers, only=[domain])
    failed = [r for r in report.results if r.outcome in (ZoneOutcome.FAILED, ZoneOutcome.SKIPPED)]
    if report.refused:
        return "; ".join(report.plan.safety.reasons)
    return "; ".join(r.error for r in failed)


def _resolves(world: _World, domain: str, selector: str) -> bool:
    answer = world.resolver.query(selector_name(selector, domain), RecordType.TXT)
    if answer.status is not AnswerStatus.OK or not answer.values:
        return False
    _, expected, _ = public_key_b64(world.vault.get(vault_name(domain, selector)).reveal())
    try:
        return parse_dkim_txt(answer.values[0]).public_key_b64 == expected
    except ValueError:
        return False


def _advance(world: _World, domain: str, start: bool, grace: timedelta) -> RotationOutcome:
    selectors = world.template.selectors
    state = world.store.get(domain) or RotationState(domain, selectors[0])
    ttl = timedelta(seconds=world.template.ttl)
    steps: list[RotationStep] = []
    while True:
        step = next_step(state, world.clock.now(), ttl=ttl, grace=grace, started=start)
        if step in (RotationStep.DONE, RotationStep.WAIT_TTL, RotationStep.WAIT_GRACE):
            return RotationOutcome(domain, state, tuple(steps), step)
        steps.append(step)
        if step is RotationStep.START:
            start = False  # one rotation per run
            _new_key(world, domain, standby(selectors, state.active))  # vault first
            state = begin(state, selectors)
        elif step is RotationStep.PUBLISH:
            problem = _publish(world, domain)
            if problem or not _resolves(world, domain, state.target):
                detail = problem or "the new key does not resolve yet"
                return RotationOutcome(domain, state, tuple(steps), step, detail)
            state = published(state, world.clock.now())
        elif step is RotationStep.SWITCH:
            state = switched(state, world.clock.now())
        elif step is RotationStep.RETIRE:
            _new_key(world, domain, standby(selectors, state.active))  # the old key is gone
            problem = _publish(world, domain)
            if problem:
                return RotationOutcome(domain, state, tuple(steps), step, problem)
            state = retired(state)
        world.store.save(state)


def rotate_dkim(
    fleet: Fleet,
    template: DnsTemplate,
    vault: SecretVault,
    providers: ProviderFactory,
    resolver: DnsResolver,
    store: RotationStore,
    clock: Clock,
    domains: Sequence[str],
    *,
    start: bool = True,
    grace: timedelta = DEFAULT_GRACE,
) -> tuple[RotationOutcome, ...]:
    """Advance the rotation of each of ``domains`` (``start`` begins one where none runs)."""
    world = _World(fleet, template, vault, providers, resolver, store, clock)
    outcomes = []
    for name in domains:
        domain = fleet.domain(name)
        if uses_managed_dkim(fleet, domain):
            state = store.get(name) or RotationState(name, template.selectors[0])
            outcomes.append(
                RotationOutcome(name, state, (), RotationStep.DONE, "the relay manages DKIM keys")
            )
            continue
        outcomes.append(_advance(world, name, start, grace))
    return tuple(outcomes)
