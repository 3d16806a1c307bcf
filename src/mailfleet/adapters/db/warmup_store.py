"""The warmup store in SQL: ramp state per domain and the decision log."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from mailfleet.adapters.db.database import Database
from mailfleet.adapters.db.warmup_tables import WarmupDecisionRow, WarmupStateRow
from mailfleet.core.ports import Clock
from mailfleet.core.warmup.decision import Decision, decision_from_dict
from mailfleet.core.warmup.state import WarmupState


class SqlWarmupStore:
    """Implements ``WarmupStore`` on a ``Database``; a state and its decision share a commit."""

    def __init__(self, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock

    def states(self) -> dict[str, WarmupState]:
        """Every stored state, by domain."""
        with self._db.session() as s:
            return {
                row.domain: WarmupState(
                    domain=row.domain,
                    start_day=row.start_day,
                    ramp_day=row.ramp_day,
                    paused_until=row.paused_until,
                    evidence_since=row.evidence_since,
                )
                for row in s.scalars(select(WarmupStateRow))
            }

    def record(self, state: WarmupState, decision: Decision | None) -> None:
        """Upsert the state and append the decision, in one transaction."""
        self.record_many([(state, decision)])

    def record_many(self, entries: Sequence[tuple[WarmupState, Decision | None]]) -> None:
        """Upsert every state and append every decision in one transaction: the daily run
        writes a few hundred subjects, which one commit each would make slow."""
        now = self._clock.now()
        names = [state.domain for state, _ in entries]
        with self._db.session() as s:
            rows = (
                {
                    row.domain: row
                    for row in s.scalars(
                        select(WarmupStateRow).where(WarmupStateRow.domain.in_(names))
                    )
                }
                if names
                else {}
            )
            for state, decision in entries:
                row = rows.get(state.domain)
                if row is None:
                    row = rows[state.domain] = WarmupStateRow(domain=state.domain, current_cap=0)
                    s.add(row)
                row.start_day = state.start_day
                row.ramp_day = state.ramp_day
                row.paused_until = state.paused_until
                row.evidence_since = state.evidence_since
                row.updated_at = now
                if decision is not None:
                    row.current_cap = decision.next_cap
                    s.add(
                        WarmupDecisionRow(
                            domain=decision.domain,
                            day=decision.day,
                            action=str(decision.action),
                            ramp_day_before=decision.ramp_day_before,
                            ramp_day_after=decision.ramp_day_after,
                            next_cap=decision.next_cap,
                            paused_until=decision.paused_until,
                            evidence=decision.as_dict(),
                            explanation=decision.explanation,
                            decided_at=now,
                        )
                    )

    def current_caps(self) -> dict[str, int]:
        """The latest decision's cap of every decided domain (kept on its state row)."""
        decided = select(WarmupDecisionRow.domain).distinct()
        query = select(WarmupStateRow.domain, WarmupStateRow.current_cap).where(
            WarmupStateRow.domain.in_(decided)
        )
        with self._db.session() as s:
            return {domain: int(cap) for domain, cap in s.execute(query)}

    def decisions(self, domain: str, limit: int = 30) -> Sequence[Decision]:
        """The domain's latest decisions, newest first."""
        query = (
            select(WarmupDecisionRow)
            .where(WarmupDecisionRow.domain == domain)
            .order_by(WarmupDecisionRow.day.desc(), WarmupDecisionRow.id.desc())
            .limit(limit)
        )
        with self._db.session() as s:
            return [decision_from_dict(row.evidence) for row in s.scalars(query)]
