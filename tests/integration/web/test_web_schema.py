"""Property test of the REST API against its own OpenAPI schema: no input causes a 5xx.

Schemathesis turns each operation of the schema into a Hypothesis strategy of requests; each
operation gets a bounded number of examples, derandomised so that a run is repeatable.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mailfleet.adapters.clock import FakeClock
from mailfleet.core.dashboard.access import Role
from web_support import WebEnv, make_env

EXAMPLES_PER_OPERATION = 30


@pytest.fixture(scope="module")
def fuzz_env(tmp_path_factory: pytest.TempPathFactory) -> WebEnv:
    """A synced fleet on SQLite, shared by every generated case."""
    folder: Path = tmp_path_factory.mktemp("fuzz")
    return make_env(
        f"sqlite:///{folder / 'mailfleet.db'}",
        folder,
        FakeClock(datetime(2026, 1, 5, 9, 0, tzinfo=UTC)),
    )


def test_no_generated_request_causes_a_server_error(fuzz_env: WebEnv) -> None:
    """Requests generated from every operation, sent as an admin, never get a 5xx and their
    responses conform to the schema."""
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", fuzz_env.web())
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 8
    headers = fuzz_env.bearer(Role.ADMIN)
    for operation in operations:
        _fuzz(operation.as_strategy(), headers)


def _fuzz(strategy: st.SearchStrategy[schemathesis.Case], headers: dict[str, str]) -> None:
    """Send generated cases of one operation and check each response."""

    @given(case=strategy)
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case: schemathesis.Case) -> None:
        response = case.call(headers=headers)
        assert response.status_code < 500, (case.method, case.formatted_path, response.text)
        case.validate_response(response)

    check()
