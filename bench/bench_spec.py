"""Load and validate a large fleet spec: 5 segments, 40 domains, 1,000 mailboxes (bulk forms).

Baselines measured in the same run on the same file: the YAML parse alone with ruamel's
round-trip loader (which mailfleet uses for line numbers) and with PyYAML's C loader.

    python bench/bench_spec.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import yaml
from ruamel.yaml import YAML

from mailfleet.spec import load_fleet

DOMAINS = 40
MAILBOXES_PER_DOMAIN = 25  # 40 x 25 = 1,000


def write_spec(folder: Path) -> Path:
    """The `init` template's policies and segments, with 40 domains of 25 mailboxes each.

    Even domains use a `generate` block; odd ones read a CSV file, so both bulk forms count.
    """
    template = resources.files("mailfleet.spec").joinpath("template.yaml").read_text("utf-8")
    head = template[: template.index("domains:")]
    segments = ["primary", "pool-a", "pool-b", "transactional", "monitoring"]
    lines = ["domains:"]
    for i in range(DOMAINS):
        lines += [
            f"  - name: fleet{i:02}.example",
            f"    segment: {segments[i % len(segments)]}",
            f"    sending_ips: [192.0.2.{i + 1}]",
            "    mailboxes:",
        ]
        if i % 2 == 0:
            lines.append(
                f'      - generate: {{count: {MAILBOXES_PER_DOMAIN}, pattern: "sdr{{n:03}}", '
                'display_name: "SDR {n}"}'
            )
        else:
            csv = folder / f"fleet{i:02}.csv"
            rows = [
                f"rep{n:03},Rep {n},40,owner@fleet{i:02}.example"
                for n in range(MAILBOXES_PER_DOMAIN)
            ]
            csv.write_text(
                "username,display_name,daily_limit,forward_to\n" + "\n".join(rows), encoding="utf-8"
            )
            lines.append(f"      - csv: {csv.name}")
    path = folder / "fleet.yaml"
    path.write_text(head + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def timed(fn: Callable[[], object], repeat: int) -> float:
    """Median wall time of ``fn`` over ``repeat`` runs, after one warm-up run."""
    fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    """Print the load time and the two parse-only baselines."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = write_spec(Path(tmp))
        text = path.read_text(encoding="utf-8")
        fleet = load_fleet(path)
        count = sum(1 for _ in fleet.mailboxes())
        assert (len(fleet.segments), len(fleet.domains), count) == (5, DOMAINS, 1000)
        full = timed(lambda: load_fleet(path), args.repeat)
        ruamel = timed(lambda: YAML(typ="rt").load(text), args.repeat)
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        pyyaml = timed(lambda: yaml.load(text, Loader=loader), args.repeat)  # noqa: S506
    print(f"spec: {len(fleet.segments)} segments, {len(fleet.domains)} domains, {count} mailboxes")
    print(f"mailfleet load + validate + expand : {full * 1000:8.1f} ms (median of {args.repeat})")
    print(f"baseline: ruamel round-trip parse  : {ruamel * 1000:8.1f} ms")
    print(f"baseline: PyYAML {loader.__name__:<13} parse : {pyyaml * 1000:8.1f} ms")
    print(f"validation overhead over the ruamel parse: {full / ruamel:.2f}x")


if __name__ == "__main__":
    main()
