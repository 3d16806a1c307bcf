"""Bulk mailbox forms: a count with a naming pattern, or a CSV file beside the spec."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from mailfleet.spec.locate import locate
from mailfleet.spec.models import CsvBlock, GenerateBlock, MailboxEntry, MailboxSpec
from mailfleet.spec.problems import ProblemCollector

CSV_COLUMNS = ("username", "display_name", "daily_limit", "forward_to")


@dataclass(frozen=True, slots=True)
class MailboxRow:
    """A mailbox as written, with where it came from (for duplicate reports)."""

    spec: MailboxSpec
    file: Path
    line: int | None


def expand(
    entry: MailboxEntry,
    loc: list[str | int],
    collector: ProblemCollector,
    base_dir: Path,
) -> Iterator[MailboxRow]:
    """Yield the mailboxes an entry stands for; problems go to ``collector``."""
    line, _ = collector_line(collector, loc)
    if isinstance(entry, MailboxSpec):
        yield MailboxRow(entry, collector.file, line)
    elif isinstance(entry, GenerateBlock):
        yield from _generate(entry, loc, collector, line)
    elif isinstance(entry, CsvBlock):
        yield from _read_csv(entry, loc, collector, base_dir)


def collector_line(collector: ProblemCollector, loc: list[str | int]) -> tuple[int | None, str]:
    """Line and path of ``loc`` in the collector's document."""
    return locate(collector.root, loc)


def _generate(
    block: GenerateBlock, loc: list[str | int], collector: ProblemCollector, line: int | None
) -> Iterator[MailboxRow]:
    spec = block.generate
    for n in range(spec.start, spec.start + spec.count):
        fields = {
            "username": spec.pattern.format(n=n),
            "display_name": spec.display_name.format(n=n) if spec.display_name else "",
            "daily_limit": spec.daily_limit,
            "forward_to": spec.forward_to,
        }
        try:
            yield MailboxRow(MailboxSpec.model_validate(fields), collector.file, line)
        except ValidationError as exc:
            reason = "; ".join(str(e["msg"]).removeprefix("Value error, ") for e in exc.errors())
            collector.add(
                [*loc, "generate", "pattern"],
                f"mailbox number {n} is invalid: {reason}",
                "change the pattern",
            )
            return


def _read_csv(
    block: CsvBlock, loc: list[str | int], collector: ProblemCollector, base_dir: Path
) -> Iterator[MailboxRow]:
    path = block.csv if block.csv.is_absolute() else base_dir / block.csv
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        collector.add([*loc, "csv"], f"cannot read {path}: {exc.strerror}", "check the path")
        return
    with handle:
        reader = csv.DictReader(handle)
        header = [h.strip() for h in reader.fieldnames or []]
        unknown = [h for h in header if h not in CSV_COLUMNS]
        if "username" not in header or unknown:
            collector.add_at(
                path,
                1,
                "header",
                "the header must name a 'username' column"
                + (f"; unknown columns: {', '.join(unknown)}" if unknown else ""),
                f"use the columns {', '.join(CSV_COLUMNS)}",
            )
            return
        for row in reader:
            line = reader.line_num
            cleaned = {
                (k or "").strip(): (v or "").strip() for k, v in row.items() if k is not None
            }
            fields: dict[str, object] = {"username": cleaned.get("username", "")}
            if cleaned.get("display_name"):
                fields["display_name"] = cleaned["display_name"]
            if cleaned.get("daily_limit"):
                fields["daily_limit"] = cleaned["daily_limit"]
            if cleaned.get("forward_to"):
                fields["forward_to"] = cleaned["forward_to"].replace(";", " ").split()
            try:
                yield MailboxRow(MailboxSpec.model_validate(fields), path, line)
            except ValidationError as exc:
                for error in exc.errors():
                    column = str(error["loc"][0]) if error["loc"] else "row"
                    message = str(error["msg"]).removeprefix("Value error, ")
                    collector.add_at(path, line, column, message, "fix this row")
