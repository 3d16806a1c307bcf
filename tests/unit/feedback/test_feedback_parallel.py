"""Parsing in worker processes gives exactly what parsing in this process gives."""

from __future__ import annotations

from pathlib import Path

from mailfleet.adapters.clock import FakeClock
from mailfleet.adapters.feedback.memory import InMemoryFeedbackStore
from mailfleet.core.feedback.parse import parse_feedback
from mailfleet.policy.rules import bounce_rules, suppression_policy
from mailfleet.services.feedback_ingest import ingest_batch
from mailfleet.services.feedback_parallel import ParallelParser

CORPUS = Path(__file__).parents[2] / "corpus" / "feedback" / "messages"


def _corpus() -> list[bytes]:
    return [p.read_bytes() for p in sorted(CORPUS.rglob("*")) if p.suffix in (".eml", ".txt")]


def test_workers_parse_the_corpus_as_one_process_does() -> None:
    """Every report of the corpus, in order, equal to the in-process reading."""
    raws = _corpus()
    rules = bounce_rules()
    with ParallelParser(2) as parser:
        assert parser.workers == 2
        got = parser.parse_many(raws)
    assert got == [parse_feedback(raw, rules) for raw in raws]
    assert len({report.kind for report in got}) == 3  # bounces, complaints and other mail


def test_batch_ingest_with_workers_stores_what_one_process_stores(clock: FakeClock) -> None:
    """ingest_batch with a parser: same events, suppressions and results as without."""
    raws = _corpus()
    plain = InMemoryFeedbackStore(suppression_policy().hard_reasons)
    parallel = InMemoryFeedbackStore(suppression_policy().hard_reasons)
    expected = ingest_batch(raws, store=plain, clock=clock)
    with ParallelParser(2) as parser:
        got = ingest_batch(raws, store=parallel, clock=clock, parser=parser)
        again = ingest_batch(raws[:3], store=parallel, clock=clock, parser=parser)  # in-process
    assert got == expected
    assert parallel.suppressions() == plain.suppressions()
    assert len(plain.suppressions()) > 50
    assert [r.report for r in again] == [r.report for r in expected[:3]]


def test_one_worker_starts_no_process() -> None:
    """workers=1 parses here: nothing to start or stop."""
    parser = ParallelParser(1)
    raws = _corpus()[:20]
    assert parser.parse_many(raws) == [parse_feedback(raw, bounce_rules()) for raw in raws]
    parser.close()
