"""DMARC aggregate reports: RFC 9990 (``urn:ietf:params:xml:ns:dmarc-2.0``) and the older
RFC 7489 appendix C format, as XML, gzip, zip, or attached to a report email.

Only what the staged policy needs is read: the reporter, the report's period, the domain and
its published policy, and per record the source IP, the message count and the DMARC-aligned
results (``policy_evaluated``: DKIM and SPF after alignment). XML is parsed with defusedxml
(entity expansion and external references refused: reports come from strangers). Nothing here
looks anything up in DNS or a geo database.
"""

from __future__ import annotations

import gzip
import io
import zipfile
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email import message_from_bytes
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeXml
from defusedxml import DefusedXmlException

_MAX_XML = 50 * 1024 * 1024  # a large provider's daily report is a few MB uncompressed


class ReportError(ValueError):
    """The input is not a readable DMARC aggregate report (a value, raised to the caller)."""


@dataclass(frozen=True, slots=True)
class ReportRow:
    """One ``record``: messages from one source IP with one set of aligned results."""

    source_ip: str
    count: int
    dkim_aligned: bool
    spf_aligned: bool
    disposition: str
    header_from: str

    @property
    def passed(self) -> bool:
        """DMARC passes when either identifier passes aligned (RFC 9989 4.4)."""
        return self.dkim_aligned or self.spf_aligned


@dataclass(frozen=True, slots=True)
class AggregateReport:
    """One reporter's report on one domain for one period."""

    org_name: str
    report_id: str
    domain: str
    begin: datetime
    end: datetime
    policy: str
    rows: tuple[ReportRow, ...]

    @property
    def messages(self) -> int:
        """Messages covered by the report."""
        return sum(r.count for r in self.rows)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(node: Element | None, *path: str) -> Element | None:
    for name in path:
        if node is None:
            return None
        node = next((c for c in node if _local(c.tag) == name), None)
    return node


def _text(node: Element | None, *path: str) -> str:
    found = _child(node, *path)
    return (found.text or "").strip() if found is not None else ""


def _when(value: str) -> datetime:
    try:
        return datetime.fromtimestamp(int(value), UTC)
    except (ValueError, OverflowError, OSError):
        raise ReportError(f"bad timestamp {value!r}") from None


def parse_report_xml(xml: bytes) -> AggregateReport:
    """Parse one report's XML; ``ReportError`` when it is not an aggregate report."""
    try:
        root = SafeXml.fromstring(xml)
    except (SafeXml.ParseError, DefusedXmlException, ValueError) as exc:
        raise ReportError(f"unreadable XML: {exc}") from None
    if _local(root.tag) != "feedback":
        raise ReportError(f"root element is {_local(root.tag)!r}, not 'feedback'")
    meta = _child(root, "report_metadata")
    published = _child(root, "policy_published")
    domain = _text(published, "domain").lower().rstrip(".")
    if not domain:
        raise ReportError("no policy_published/domain")
    rows = []
    for record in root:
        if _local(record.tag) != "record":
            continue
        evaluated = _child(record, "row", "policy_evaluated")
        try:
            count = int(_text(record, "row", "count") or "0")
        except ValueError:
            raise ReportError("bad record count") from None
        if count < 0:
            raise ReportError("negative record count")
        rows.append(
            ReportRow(
                source_ip=_text(record, "row", "source_ip"),
                count=count,
                dkim_aligned=_text(evaluated, "dkim").lower() == "pass",
                spf_aligned=_text(evaluated, "spf").lower() == "pass",
                disposition=_text(evaluated, "disposition").lower() or "none",
                header_from=_text(record, "identifiers", "header_from").lower(),
            )
        )
    return AggregateReport(
        org_name=_text(meta, "org_name"),
        report_id=_text(meta, "report_id"),
        domain=domain,
        begin=_when(_text(meta, "date_range", "begin")),
        end=_when(_text(meta, "date_range", "end")),
        policy=_text(published, "p").lower() or "none",
        rows=tuple(rows),
    )


def _xml_documents(data: bytes) -> list[bytes]:
    """The XML documents inside ``data``: itself, gunzipped, unzipped, or a mail's attachments."""
    if data[:2] == b"\x1f\x8b":
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(data)) as handle:
                return _xml_documents(handle.read(_MAX_XML + 1)[:_MAX_XML])
        except (OSError, EOFError) as exc:
            raise ReportError(f"bad gzip: {exc}") from None
    if data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                documents = []
                for info in archive.infolist():
                    if info.file_size <= _MAX_XML and not info.is_dir():
                        documents += _xml_documents(archive.read(info))
                return documents
        except (zipfile.BadZipFile, OSError) as exc:
            raise ReportError(f"bad zip: {exc}") from None
    if data.lstrip()[:1] == b"<":
        return [data]
    return _attachments(data)


def _attachments(data: bytes) -> list[bytes]:
    """Report files attached to an email (RFC 9990 section 5: gzip, zip or XML)."""
    message = message_from_bytes(data)
    documents = []
    for part in message.walk():
        if part.is_multipart():
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes) or not payload:
            continue
        if payload[:2] == b"\x1f\x8b" or payload[:4] == b"PK\x03\x04":
            documents += _xml_documents(payload)
        elif payload.lstrip()[:5] in (b"<?xml", b"<feed"):
            documents.append(payload)
    return documents


def read_reports(data: bytes) -> list[AggregateReport]:
    """Every aggregate report in a file (XML, .xml.gz, .zip or a report email)."""
    documents = _xml_documents(data)
    if not documents:
        raise ReportError("no DMARC aggregate report found")
    return [parse_report_xml(document) for document in documents]


@dataclass(frozen=True, slots=True)
class SourceDay:
    """One domain's messages from one source IP on one day, with their aligned results."""

    domain: str
    source_ip: str
    day: date
    messages: int
    passed: int
    dkim_pass: int
    spf_pass: int

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "domain": self.domain,
            "source_ip": self.source_ip,
            "day": self.day.isoformat(),
            "messages": self.messages,
            "aligned_pass": self.passed,
            "aligned_fail": self.messages - self.passed,
            "dkim_pass": self.dkim_pass,
            "spf_pass": self.spf_pass,
            "pass_ratio": round(self.passed / self.messages, 4) if self.messages else None,
        }


def source_days(report: AggregateReport) -> list[SourceDay]:
    """The report's rows summed per source IP, dated by the day its period begins (UTC).

    Reports normally cover one UTC day; a longer one is counted on its first day rather than
    spread out, which only delays what the staged policy sees, never inflates it.
    """
    sums: dict[str, list[int]] = {}
    for row in report.rows:
        total = sums.setdefault(row.source_ip, [0, 0, 0, 0])
        total[0] += row.count
        total[1] += row.count if row.passed else 0
        total[2] += row.count if row.dkim_aligned else 0
        total[3] += row.count if row.spf_aligned else 0
    day = report.begin.date()
    return [
        SourceDay(report.domain, ip, day, t[0], t[1], t[2], t[3]) for ip, t in sorted(sums.items())
    ]
