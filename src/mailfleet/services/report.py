"""The results report: gather what each capability stored, build the table, render it.

``build_results`` reads the stores through their ports and hands plain figures to
``core.results.results_table``; the renderers turn the table into Markdown (a GitHub table),
a self-contained HTML page, or JSON. Definitions are in ``docs/report.md``.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from mailfleet.core.dns.checks import DomainCheck
from mailfleet.core.dns.ports import DnsCheckStore
from mailfleet.core.fleet import Fleet
from mailfleet.core.mailboxes.ports import MailboxLedger
from mailfleet.core.ports import FleetStore
from mailfleet.core.results import (
    AuthFigures,
    DomainFigures,
    ResultsInput,
    ResultsReport,
    Status,
    caps_by_day,
    days_at_target,
    first_sending_day,
    reached_target,
    results_table,
)
from mailfleet.core.results_ports import ResultsHistory, UserCount
from mailfleet.core.state import DomainState, EntityKind
from mailfleet.core.status import UNSYNCED, fleet_status
from mailfleet.core.warmup.ports import WarmupStore

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # "since the first record" for ``days=None``
_END = datetime(9999, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class ResultsPorts:
    """Every store the report reads; all of them are read-only here."""

    fleet_store: FleetStore
    warmup: WarmupStore
    dns_checks: DnsCheckStore
    ledger: MailboxLedger
    users: UserCount
    history: ResultsHistory


def _auth(check: DomainCheck) -> AuthFigures:
    """Pass per mechanism when it was checked and every check of it passed (as the
    dashboard's DNS column reads it)."""

    def passed(prefix: str) -> bool:
        mine = [c for c in check.checks if c.name.startswith(prefix)]
        return bool(mine) and all(c.ok for c in mine)

    return AuthFigures(passed("spf:"), passed("dkim:"), passed("dmarc:"), check.checked_at)


def _mismatches(check: DomainCheck) -> tuple[str, ...]:
    """The ``record:NAME TYPE`` checks that failed: records unlike the template."""
    return tuple(
        c.name.removeprefix("record:")
        for c in check.checks
        if c.name.startswith("record:") and not c.ok
    )


def build_results(
    fleet: Fleet, ports: ResultsPorts, now: datetime, days: int | None = None
) -> ResultsReport:
    """The case study's table for ``fleet`` from what the stores hold.

    ``days`` limits the period-bound rows (listings, rates, isolations) to the last ``days``
    days, today included; ``None`` takes everything stored. Warmup time, authentication,
    provisioning, visibility and variance are about the fleet as a whole, whatever the period.
    """
    if days is not None and days < 1:
        raise ValueError("days must be at least 1")
    start_day = now.date() - timedelta(days=days - 1) if days is not None else None
    since = datetime.combine(start_day, time.min, UTC) if start_day else _EPOCH
    # Without a period, everything stored counts, even events stamped after this clock's now
    # (a demo or test that wrote its history under a faster clock).
    until = now + timedelta(seconds=1) if days is not None else _END
    names = [d.name for d in fleet.domains]

    snapshot = ports.fleet_store.snapshot()
    status = {d.name: d for d in fleet_status(fleet, snapshot, None).domains}
    stored_domains = snapshot.of(EntityKind.DOMAIN)
    stored_boxes = snapshot.of(EntityKind.MAILBOX)
    spec_boxes = {f"{m.username}@{d.name}" for d in fleet.domains for m in d.mailboxes}

    states = ports.warmup.states()
    caps = ports.history.cap_history(names)
    isolated = set(ports.history.isolated_between(since, until)) | {
        name
        for name, record in stored_domains.items()
        if record.state == DomainState.ISOLATED.value
    }
    counts = ports.history.domain_days(since, until)
    checks = ports.dns_checks.latest()

    figures = []
    for domain in fleet.domains:
        target = fleet.segments[domain.segment].daily_target
        by_day = caps_by_day(caps.get(domain.name, ()))
        full = days_at_target(by_day, target)
        mine = [c for c in counts if c.domain == domain.name]
        at_full = [c for c in mine if c.day in full]
        state = states.get(domain.name)
        check = checks.get(domain.name)
        row = status[domain.name]
        figures.append(
            DomainFigures(
                name=domain.name,
                target=target,
                warmup_start=state.start_day if state else None,
                reached_target=reached_target(by_day, target),
                sending_since=first_sending_day(by_day),
                attempts_at_target=sum(c.attempts for c in at_full),
                bounces_at_target=sum(c.bounces for c in at_full),
                delivered=sum(c.deliveries for c in mine),
                complaints=sum(c.complaints for c in mine),
                isolated=domain.name in isolated,
                auth=_auth(check) if check else None,
                synced=row.state != UNSYNCED,
                drift=row.drift,
                record_mismatches=_mismatches(check) if check else (),
            )
        )

    domains = {d.name for d in fleet.domains}
    subjects = domains | {str(ip) for d in fleet.domains for ip in d.sending_ips}
    dnsbl = ports.history.dnsbl_history(since, until, subjects)
    provisioned = tuple(
        entry.provisioned_at
        for address, entry in ports.ledger.entries().items()
        if entry.provisioned_at is not None and address.rpartition("@")[2] in domains
    )
    return results_table(
        ResultsInput(
            fleet=fleet.name,
            generated_at=now,
            period_start=start_day,
            period_end=now.date(),
            domains=tuple(figures),
            dnsbl_runs=dnsbl.runs,
            listings=dnsbl.listings,
            provisioned=provisioned,
            mailboxes_in_spec=len(spec_boxes),
            mailboxes_stored=len(spec_boxes & set(stored_boxes)),
            dashboard_users=ports.users.count_users(),
        )
    )


# renderers

_MARK = {Status.MET: "✅ met", Status.NOT_MET: "❌ not met", Status.NOT_MEASURED: "— not measured"}


def _md_cell(text: str) -> str:
    """A Markdown table cell: pipes escaped, no line breaks."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def render_markdown(report: ResultsReport) -> str:
    """A GitHub-flavoured Markdown table with a heading line."""
    lines = [
        f"## Results: fleet {_md_cell(report.fleet)}",
        "",
        f"Measured from live data, {report.period}; generated "
        f"{report.generated_at.isoformat(timespec='seconds')}.",
        "",
        "| Dimension | Outcome | Target | Status |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {_md_cell(r.dimension)} | {_md_cell(r.outcome)} | {_md_cell(r.target)} "
        f"| {_MARK[r.status]} |"
        for r in report.rows
    ]
    return "\n".join(lines) + "\n"


def render_json(report: ResultsReport) -> str:
    """The report as one JSON document (``ok`` is false when a measured target is missed)."""
    return json.dumps({"ok": not report.unmet, **report.as_dict()}, indent=2) + "\n"


_CSS = """
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;
max-width:1100px;padding:0 1rem;color:#1f2328}
h1{font-size:1.4rem;margin-bottom:.2rem}p.meta{color:#57606a;margin-top:0}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #d0d7de;padding:.5rem .7rem;
text-align:left;vertical-align:top}th{background:#f6f8fa}
td.status{white-space:nowrap;font-weight:600}.met{color:#1a7f37}.not-met{color:#cf222e}
.not-measured{color:#6e7781}details{margin-top:.3rem;font-size:.85rem}
pre{white-space:pre-wrap;background:#f6f8fa;padding:.4rem;margin:.3rem 0 0}
""".strip()


def _evidence_html(evidence: Mapping[str, object]) -> str:
    text = json.dumps(dict(evidence), indent=2, sort_keys=True)
    return f"<details><summary>evidence</summary><pre>{html.escape(text)}</pre></details>"


def render_html(report: ResultsReport) -> str:
    """A self-contained page: inline style, no scripts or external assets, all text escaped."""
    rows = "\n".join(
        "<tr>"
        f"<td>{html.escape(r.dimension)}</td>"
        f"<td>{html.escape(r.outcome)}{_evidence_html(r.evidence)}</td>"
        f"<td>{html.escape(r.target)}</td>"
        f'<td class="status {str(r.status).replace(" ", "-")}">{html.escape(_MARK[r.status])}</td>'
        "</tr>"
        for r in report.rows
    )
    title = html.escape(f"Results: fleet {report.fleet}")
    meta = html.escape(
        f"Measured from live data, {report.period}; generated "
        f"{report.generated_at.isoformat(timespec='seconds')}."
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title><style>{_CSS}</style></head>\n"
        f'<body><h1>{title}</h1><p class="meta">{meta}</p>\n'
        "<table><thead><tr><th>Dimension</th><th>Outcome</th><th>Target</th>"
        f"<th>Status</th></tr></thead>\n<tbody>\n{rows}\n</tbody></table>\n"
        "</body></html>\n"
    )
