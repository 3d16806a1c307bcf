"""What the inbound report intake accepts: mailfleet's bounce and feedback-loop addresses."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from mailfleet.core.verp import DEFAULT_PREFIX

DEFAULT_MAX_BYTES = 2 * 1024 * 1024  # a report with its returned original; bigger is abuse


@dataclass(frozen=True, slots=True)
class IntakeAddresses:
    """Which recipients the intake accepts."""

    bounce_domains: frozenset[str]
    feedback_addresses: frozenset[str] = field(default_factory=frozenset)
    prefix: str = DEFAULT_PREFIX

    @classmethod
    def of(
        cls, bounce_domains: Iterable[str], feedback_addresses: Iterable[str] = ()
    ) -> IntakeAddresses:
        """Build from plain lists (case does not matter)."""
        return cls(
            frozenset(d.lower() for d in bounce_domains),
            frozenset(a.lower() for a in feedback_addresses),
        )

    def accepts(self, address: str) -> bool:
        """Whether ``address`` is a report address of ours."""
        address = address.strip().strip("<>").lower()
        if address in self.feedback_addresses:
            return True
        local, at, domain = address.rpartition("@")
        if not at or domain not in self.bounce_domains:
            return False
        return local == self.prefix or local.startswith(f"{self.prefix}+")
