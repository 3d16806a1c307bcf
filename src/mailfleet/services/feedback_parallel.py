"""Parsing many reports in worker processes.

Parsing and classifying a report is pure CPU work in Python, so one process parses about one
report per millisecond whatever the storage behind it. A mailbox or directory of reports
parses in parallel here: each worker process holds its own copy of the rules, receives raw
messages in chunks and returns the :class:`FeedbackReport` values, which are small. The
results come back in input order, so what is stored is exactly what a single process would
have stored.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from types import TracebackType

from mailfleet.core.feedback.model import FeedbackReport
from mailfleet.core.feedback.parse import parse_feedback
from mailfleet.core.feedback.rules import BounceRules
from mailfleet.policy.rules import bounce_rules

# The worker process's rules, set once when it starts (a dict, so no global statement).
_WORKER: dict[str, BounceRules] = {}
_SMALL = 16  # fewer reports than this parse faster here than they travel to a worker


def _start_worker(rules: BounceRules | None) -> None:
    _WORKER["rules"] = rules or bounce_rules()


def _parse_chunk(raws: list[bytes]) -> list[FeedbackReport]:
    rules = _WORKER.get("rules") or bounce_rules()
    return [parse_feedback(raw, rules) for raw in raws]


def default_workers() -> int:
    """One worker per CPU this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class ParallelParser:
    """A pool of parsing processes, kept for many batches (start-up costs ~50 ms a worker).

    Use as a context manager, or call :meth:`close`. With ``workers=1`` nothing is started
    and parsing happens in this process.
    """

    def __init__(self, workers: int | None = None, rules: BounceRules | None = None) -> None:
        self.workers = workers if workers is not None else default_workers()
        self._rules = rules or bounce_rules()
        self._pool: ProcessPoolExecutor | None = None
        if self.workers > 1:
            # fork: workers inherit the imported modules and compiled rules instead of
            # importing everything again (spawn would cost a second a worker).
            method = "fork" if "fork" in _start_methods() else None
            self._pool = ProcessPoolExecutor(
                self.workers,
                mp_context=get_context(method),
                initializer=_start_worker,
                initargs=(rules,),
            )

    def parse_many(self, raws: Sequence[bytes]) -> list[FeedbackReport]:
        """Every report parsed and classified, in input order."""
        if self._pool is None or len(raws) < _SMALL:
            return [parse_feedback(raw, self._rules) for raw in raws]
        # A few chunks a worker: fewer round trips than one message each, and a slow chunk
        # (long prose bounces) does not leave the other workers idle at the end.
        size = max(1, -(-len(raws) // (self.workers * 4)))
        chunks = [list(raws[i : i + size]) for i in range(0, len(raws), size)]
        return [report for part in self._pool.map(_parse_chunk, chunks) for report in part]

    def close(self) -> None:
        """Stop the worker processes."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> ParallelParser:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


def _start_methods() -> list[str]:
    from multiprocessing import get_all_start_methods

    return get_all_start_methods()
