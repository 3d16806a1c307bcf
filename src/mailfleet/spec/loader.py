"""Load ``fleet.yaml``: parse, validate every section, check references, expand mailboxes.

All problems are collected before anything is reported, so one run lists every mistake with its
file and line. Nothing here writes anywhere.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter
from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from mailfleet.core.errors import SpecError, SpecProblem
from mailfleet.core.fleet import Fleet, ProviderRole
from mailfleet.spec import defaults
from mailfleet.spec.locate import plain
from mailfleet.spec.mailbox_forms import MailboxRow, expand
from mailfleet.spec.models import (
    DefaultsSpec,
    DnsProviderSpec,
    DomainSpec,
    FleetHeader,
    MailboxEntry,
    MailboxProviderSpec,
    PoliciesSpec,
    ProviderSpec,
    RelayProviderSpec,
    SegmentSpec,
    ThresholdsSpec,
)
from mailfleet.spec.problems import ProblemCollector, suggest
from mailfleet.spec.resolve import ValidSpec, resolve

_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
_PROVIDER_MODELS: dict[ProviderRole, type[ProviderSpec]] = {
    ProviderRole.DNS: DnsProviderSpec,
    ProviderRole.MAILBOX: MailboxProviderSpec,
    ProviderRole.RELAY: RelayProviderSpec,
}
_MAILBOX_ENTRY: TypeAdapter[MailboxEntry] = TypeAdapter(MailboxEntry)


def load_fleet(path: Path) -> Fleet:
    """Read and validate the spec at ``path``; raise ``SpecError`` listing every problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        reason = exc.strerror or str(exc)
        hint = "create one with 'mailfleet init'" if isinstance(exc, FileNotFoundError) else ""
        problem = SpecProblem(path, None, "", f"cannot read the spec: {reason}", hint)
        raise SpecError([problem]) from None
    return load_fleet_text(text, path)


def load_fleet_text(text: str, path: Path) -> Fleet:
    """Validate spec ``text`` as if read from ``path`` (relative CSV paths resolve beside it)."""
    root = _parse_yaml(text, path)
    collector = ProblemCollector(path, root)
    valid = _validate(plain(root), collector, path.parent)
    if collector.problems or valid is None:
        raise SpecError(collector.problems)
    return resolve(valid)


def _parse_yaml(text: str, path: Path) -> Any:
    yaml = YAML(typ="rt")
    try:
        root = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        message = " ".join(filter(None, [exc.context, exc.problem])) or "invalid YAML"
        raise SpecError(
            [SpecProblem(path, line, "", f"YAML syntax error: {message}", "fix the YAML syntax")]
        ) from None
    except YAMLError as exc:
        raise SpecError([SpecProblem(path, None, "", f"YAML error: {exc}")]) from None
    if not isinstance(root, dict):
        raise SpecError(
            [
                SpecProblem(
                    path, 1, "", "the spec must be a mapping of sections", "see 'mailfleet init'"
                )
            ]
        )
    return root


def _validate(data: dict[str, Any], c: ProblemCollector, base_dir: Path) -> ValidSpec | None:
    header = c.validate(FleetHeader, data, [])
    spec_defaults = c.validate(DefaultsSpec, data.get("defaults") or {}, ["defaults"])
    policies = _policies(data.get("policies") or {}, c)
    providers = _providers(data.get("providers") or {}, c)
    segments = _segments(data.get("segments"), c, policies)
    domains = _domains(
        data.get("domains"), c, segments, providers, policies, spec_defaults, base_dir
    )
    if header is None or spec_defaults is None or policies is None or c.problems:
        return None
    return ValidSpec(header.name, spec_defaults, policies, providers, segments, domains)


def _policies(raw: Any, c: ProblemCollector) -> PoliciesSpec | None:
    policies = c.validate(PoliciesSpec, raw, ["policies"])
    if policies is None:
        return None
    schedules = {defaults.DEFAULT_SCHEDULE_NAME: defaults.SIX_WEEKS, **policies.warmup_schedules}
    hours = {defaults.DEFAULT_HOURS_NAME: defaults.DEFAULT_HOURS, **policies.business_hours}
    return PoliciesSpec.model_validate(
        {
            "thresholds": policies.thresholds,
            "warmup_schedules": schedules,
            "business_hours": hours,
        }
    )


def _providers(raw: Any, c: ProblemCollector) -> dict[ProviderRole, dict[str, ProviderSpec]]:
    found: dict[ProviderRole, dict[str, ProviderSpec]] = {role: {} for role in ProviderRole}
    if not isinstance(raw, dict):
        c.add(["providers"], "must map roles (dns, mailbox, relay) to named providers")
        return found
    for role_name, entries in raw.items():
        try:
            role = ProviderRole(role_name)
        except ValueError:
            c.add(
                ["providers", role_name],
                f"unknown provider role {role_name!r}",
                suggest(role_name, [r.value for r in ProviderRole]),
            )
            continue
        if not isinstance(entries, dict):
            c.add(["providers", role_name], "must map provider names to their settings")
            continue
        for name, settings in entries.items():
            loc: list[str | int] = ["providers", role_name, name]
            _check_name(name, loc, c)
            provider = c.validate(_PROVIDER_MODELS[role], settings, loc)
            if provider is not None:
                found[role][name] = provider
    return found


def _segments(
    raw: Any, c: ProblemCollector, policies: PoliciesSpec | None
) -> dict[str, SegmentSpec]:
    found: dict[str, SegmentSpec] = {}
    if not isinstance(raw, dict) or not raw:
        c.add(["segments"], "declare at least one segment", "see 'mailfleet init' for the five")
        return found
    for name, body in raw.items():
        loc: list[str | int] = ["segments", name]
        _check_name(name, loc, c)
        segment = c.validate(SegmentSpec, body, loc)
        if segment is None:
            continue
        found[name] = segment
        if policies is not None:
            _check_thresholds(policies, segment, loc, c)
        if policies is not None and segment.warmup.schedule not in policies.warmup_schedules:
            c.add(
                [*loc, "warmup", "schedule"],
                f"unknown warmup schedule {segment.warmup.schedule!r}",
                suggest(segment.warmup.schedule, policies.warmup_schedules),
            )
    return found


def _check_thresholds(
    policies: PoliciesSpec, segment: SegmentSpec, loc: list[str | int], c: ProblemCollector
) -> None:
    """A segment's overrides, merged over the fleet's, must still alert before they gate."""
    overrides = {k: v for k, v in segment.thresholds.model_dump().items() if v is not None}
    if not overrides:
        return
    merged = {**policies.thresholds.model_dump(), **overrides}
    c.validate(ThresholdsSpec, merged, [*loc, "thresholds"])


def _domains(
    raw: Any,
    c: ProblemCollector,
    segments: dict[str, SegmentSpec],
    providers: dict[ProviderRole, dict[str, ProviderSpec]],
    policies: PoliciesSpec | None,
    spec_defaults: DefaultsSpec | None,
    base_dir: Path,
) -> list[tuple[DomainSpec, list[MailboxRow]]]:
    if not isinstance(raw, list) or not raw:
        c.add(["domains"], "declare at least one domain as a list item", "see 'mailfleet init'")
        return []
    found: list[tuple[DomainSpec, list[MailboxRow]]] = []
    seen_domains: dict[str, int] = {}
    seen_addresses: dict[str, MailboxRow] = {}
    for i, item in enumerate(raw):
        loc: list[str | int] = ["domains", i]
        if not isinstance(item, dict):
            c.add(loc, "a domain must be a mapping with at least 'name' and 'segment'")
            continue
        fields = {k: v for k, v in item.items() if k != "mailboxes"}
        domain = c.validate(DomainSpec, fields, loc)
        _check_domain_refs(item, loc, c, segments, providers, policies, spec_defaults)
        rows = _mailbox_rows(item.get("mailboxes") or [], loc, c, base_dir)
        if domain is None:
            continue
        if domain.name in seen_domains:
            c.add(
                [*loc, "name"],
                f"domain {domain.name!r} is declared twice",
                f"it is also item {seen_domains[domain.name]} of domains; keep one",
            )
            continue
        seen_domains[domain.name] = i
        for row in rows:
            address = f"{row.spec.username}@{domain.name}"
            first = seen_addresses.get(address)
            if first is not None:
                where_first = f"{first.file.name}:{first.line}" if first.line else first.file.name
                c.add_at(
                    row.file,
                    row.line,
                    f"domains[{i}].mailboxes",
                    f"duplicate mailbox {address!r}",
                    f"first defined at {where_first}; remove one",
                )
                continue
            seen_addresses[address] = row
        found.append((domain, rows))
    return found


def _mailbox_rows(
    raw: Any, loc: list[str | int], c: ProblemCollector, base_dir: Path
) -> list[MailboxRow]:
    if not isinstance(raw, list):
        c.add([*loc, "mailboxes"], "must be a list of mailboxes, generate blocks or csv files")
        return []
    rows: list[MailboxRow] = []
    for j, entry_raw in enumerate(raw):
        entry_loc: list[str | int] = [*loc, "mailboxes", j]
        entry = c.validate(_MAILBOX_ENTRY, entry_raw, entry_loc)
        if entry is not None:
            rows.extend(expand(entry, entry_loc, c, base_dir))
    return rows


def _check_domain_refs(
    item: dict[str, Any],
    loc: list[str | int],
    c: ProblemCollector,
    segments: dict[str, SegmentSpec],
    providers: dict[ProviderRole, dict[str, ProviderSpec]],
    policies: PoliciesSpec | None,
    spec_defaults: DefaultsSpec | None,
) -> None:
    """Check names a domain refers to, from the raw item, so a bad field elsewhere hides none."""
    segment = item.get("segment")
    if isinstance(segment, str) and segments and segment not in segments:
        c.add([*loc, "segment"], f"unknown segment {segment!r}", suggest(segment, segments))
    for role, key in (
        (ProviderRole.DNS, "dns"),
        (ProviderRole.MAILBOX, "mailbox"),
        (ProviderRole.RELAY, "relay"),
    ):
        name = item.get(key)
        if name is None and spec_defaults is not None:
            name = getattr(spec_defaults, key)
            if name is None:
                c.add(
                    [*loc],
                    f"no {key} provider: set '{key}' here or in 'defaults'",
                    suggest("", providers[role]),
                )
                continue
        if isinstance(name, str) and name not in providers[role]:
            where = [*loc, key] if key in item else ["defaults", key]
            c.add(
                where,
                f"unknown {role.value} provider {name!r}",
                f"declare it under providers.{role.value}; " + suggest(name, providers[role]),
            )
    hours = item.get("business_hours")
    if hours is None and spec_defaults is not None:
        hours = spec_defaults.business_hours
    if isinstance(hours, str) and policies is not None and hours not in policies.business_hours:
        c.add(
            [*loc, "business_hours"],
            f"unknown business hours {hours!r}",
            "declare it under policies.business_hours; " + suggest(hours, policies.business_hours),
        )


def _check_name(name: Any, loc: list[str | int], c: ProblemCollector) -> None:
    if not isinstance(name, str) or not _NAME.match(name):
        c.add(
            loc,
            f"{name!r} is not a valid name",
            "use lowercase letters, digits, '-' and '_', starting with a letter or digit",
        )
