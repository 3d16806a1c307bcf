"""The REST API, /healthz and /metrics against a synced fleet on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from mailfleet.adapters.dashboard_twins import MemoryDashboardSources, UnwiredDomainActions
from mailfleet.adapters.db.tables import DomainRow, MailboxRow
from mailfleet.core.dashboard.access import Role
from mailfleet.core.dashboard.values import DeliveryRates, WarmupFigures
from mailfleet.core.errors import StorageError
from mailfleet.services.dashboard import DashboardSources
from web_support import WebEnv


def _set_domain_state(env: WebEnv, name: str, state: str) -> None:
    with env.app.database().session() as s:
        s.execute(update(DomainRow).where(DomainRow.name == name).values(state=state))


def test_api_requires_a_valid_token(env: WebEnv) -> None:
    """No token, a wrong scheme or an unknown token get 401 with a Bearer challenge."""
    client = env.client()
    assert client.get("/api/v1/status").status_code == 401
    assert client.get("/api/v1/status", headers={"Authorization": "Basic abc"}).status_code == 401
    wrong = client.get("/api/v1/status", headers={"Authorization": "Bearer mft_unknown"})
    assert wrong.status_code == 401
    assert wrong.headers["www-authenticate"] == "Bearer"


def test_status_counts_states_and_segments(env: WebEnv) -> None:
    """Status reports the synced fleet: 12 pending domains, 36 planned mailboxes, 5 segments."""
    body = env.client().get("/api/v1/status", headers=env.bearer(Role.VIEWER)).json()
    assert body["fleet"] == "acme"
    assert body["domains_by_state"] == {"pending": 12}
    assert body["mailboxes_by_state"] == {"planned": 36}
    assert [s["name"] for s in body["segments"]] == sorted(
        ["primary", "pool-a", "pool-b", "transactional", "monitoring"]
    )
    assert sum(s["domains"] for s in body["segments"]) == 12
    assert body["last_sync"] is not None


def test_domains_filter_sort_and_page(env: WebEnv) -> None:
    """Filters narrow the list, sort orders it, and paging splits it."""
    client, auth = env.client(), env.bearer(Role.VIEWER)
    pool_a = client.get("/api/v1/domains?segment=pool-a", headers=auth).json()
    assert pool_a["total"] == 3  # d001, d006, d011
    assert {d["name"] for d in pool_a["domains"]} == {
        "d001.example",
        "d006.example",
        "d011.example",
    }
    by_name = client.get("/api/v1/domains?sort=name&desc=true&per_page=5&page=3", headers=auth)
    page = by_name.json()
    assert page["total"] == 12
    assert [d["name"] for d in page["domains"]] == ["d001.example", "d000.example"]
    search = client.get("/api/v1/domains?q=D01", headers=auth).json()
    assert {d["name"] for d in search["domains"]} == {"d010.example", "d011.example"}


def test_absent_figures_are_null_not_zero(env: WebEnv) -> None:
    """Without warmup or feedback data, figures are null and graded unknown."""
    body = env.client().get("/api/v1/domains/d000.example", headers=env.bearer(Role.VIEWER))
    domain = body.json()
    assert domain["warmup"] is None
    assert domain["rates"] == {
        "bounce_rate": None,
        "complaint_rate": None,
        "bounce_level": "unknown",
        "complaint_level": "unknown",
    }
    assert domain["dns_auth"] is None
    assert domain["blocklisted_on"] is None
    assert domain["mailboxes"] == 3
    assert domain["drift"] == []


def test_figures_from_sources_are_graded_against_segment_thresholds(env: WebEnv) -> None:
    """Rates from a source are graded with the segment's own thresholds (transactional: 1 %)."""
    figures = MemoryDashboardSources(
        warmup_figures={"d003.example": WarmupFigures("week 2", 9, 200, 120)},
        rate_figures={
            "d003.example": DeliveryRates(0.012, 0.0002, 1000),  # transactional: gate 1 %
            "d000.example": DeliveryRates(0.012, 0.0002, 1000),  # primary: gate 2 %
        },
    )
    sources = DashboardSources(
        figures, figures, figures, figures, figures, figures, figures, UnwiredDomainActions()
    )
    client, auth = env.client(sources), env.bearer(Role.VIEWER)
    strict = client.get("/api/v1/domains/d003.example", headers=auth).json()
    lenient = client.get("/api/v1/domains/d000.example", headers=auth).json()
    assert strict["rates"]["bounce_level"] == "breach"
    assert lenient["rates"]["bounce_level"] == "ok"
    assert strict["warmup"] == {"stage": "week 2", "day": 9, "cap_today": 200, "sent_today": 120}


def test_unknown_domain_is_404(env: WebEnv) -> None:
    """A domain that is not stored is a 404 with a reason."""
    response = env.client().get("/api/v1/domains/nope.example", headers=env.bearer(Role.VIEWER))
    assert response.status_code == 404
    assert "nope.example" in response.json()["detail"]


def test_mailbox_filters_including_idle_time(env: WebEnv) -> None:
    """Mailboxes filter by domain, text and idle time; recent activity leaves the idle list."""
    client, auth = env.client(), env.bearer(Role.VIEWER)
    now = env.app.clock.now()
    with env.app.database().session() as s:
        s.execute(
            update(MailboxRow)
            .where(MailboxRow.address == "box02@d000.example")
            .values(last_activity_at=now - timedelta(hours=2))
        )
    assert client.get("/api/v1/mailboxes?domain=d000.example", headers=auth).json()["total"] == 3
    assert client.get("/api/v1/mailboxes?q=box02", headers=auth).json()["total"] == 12
    idle = client.get("/api/v1/mailboxes?idle_days=1&domain=d000.example", headers=auth).json()
    assert {m["address"] for m in idle["mailboxes"]} == {"box01@d000.example", "box03@d000.example"}
    assert client.get("/api/v1/mailboxes?segment=monitoring", headers=auth).json()["total"] == 6


def test_pause_and_resume_restore_the_previous_state(env: WebEnv) -> None:
    """Pause stores ``paused``; resume brings back ``warming``, not a default."""
    _set_domain_state(env, "d002.example", "warming")
    client, auth = env.client(), env.bearer(Role.OPERATOR)
    first = client.post("/api/v1/domains/d002.example/pause", headers=auth).json()
    assert first["outcome"] == "paused"
    again = client.post("/api/v1/domains/d002.example/pause", headers=auth).json()
    assert again["outcome"] == "already-paused"
    detail = client.get("/api/v1/domains/d002.example", headers=auth).json()
    assert detail["state"] == "paused"
    assert client.post("/api/v1/domains/d002.example/resume", headers=auth).json()["outcome"] == (
        "resumed"
    )
    assert client.get("/api/v1/domains/d002.example", headers=auth).json()["state"] == "warming"
    assert client.post("/api/v1/domains/d002.example/resume", headers=auth).json()["outcome"] == (
        "not-paused"
    )


def test_viewer_cannot_act_and_unknown_domain_is_404(env: WebEnv) -> None:
    """Actions need the operator role; acting on an unknown domain is a 404."""
    client = env.client()
    denied = client.post("/api/v1/domains/d000.example/pause", headers=env.bearer(Role.VIEWER))
    assert denied.status_code == 403
    missing = client.post("/api/v1/domains/zz.example/pause", headers=env.bearer(Role.ADMIN))
    assert missing.status_code == 404


def test_validate_reports_every_problem_with_its_line(env: WebEnv) -> None:
    """A broken spec posted as text comes back with its problems and their lines."""
    broken = env.spec.read_text("utf-8").replace("segment: pool-a", "segment: pool-z", 1)
    broken = broken.replace("bounce_rate: 2%", "bounce_rate: lots", 1)
    response = env.client().post(
        "/api/v1/spec/validate",
        content=broken,
        headers={**env.bearer(Role.VIEWER), "Content-Type": "text/plain"},
    )
    body = response.json()
    assert response.status_code == 200
    assert body["ok"] is False
    lines = broken.splitlines()
    for problem in body["problems"]:
        assert problem["line"] is not None
    wheres = " ".join(p["where"] + p["message"] for p in body["problems"])
    assert "pool-z" in wheres or any("pool-z" in lines[p["line"] - 1] for p in body["problems"])
    assert len(body["problems"]) >= 2


def test_validate_accepts_a_good_spec(env: WebEnv) -> None:
    """The fixture's spec validates with its counts."""
    response = env.client().post(
        "/api/v1/spec/validate",
        content=env.spec.read_text("utf-8"),
        headers={**env.bearer(Role.VIEWER), "Content-Type": "text/plain"},
    )
    assert response.json() == {
        "ok": True,
        "segments": 5,
        "domains": 12,
        "mailboxes": 36,
        "problems": [],
    }


def test_openapi_schema_describes_the_api_only(env: WebEnv) -> None:
    """The schema lists the API paths with bearer auth, and no dashboard pages."""
    schema = env.client().get("/api/v1/openapi.json").json()
    paths = set(schema["paths"])
    assert {"/api/v1/status", "/api/v1/domains", "/api/v1/domains/{name}/pause"} <= paths
    assert all(p.startswith("/api/v1/") for p in paths)
    assert "HTTPBearer" in schema["components"]["securitySchemes"]


def test_healthz_reports_each_dependency(env: WebEnv, monkeypatch: pytest.MonkeyPatch) -> None:
    """Healthy: 200 with both checks; a failing database: 503 naming it."""
    client = env.client()
    ok = client.get("/healthz")
    assert ok.status_code == 200
    assert ok.json()["checks"] == {"database": {"ok": True}, "vault": {"ok": True}}

    class BrokenDatabase:
        def ping(self) -> None:
            raise StorageError("database unreachable: connection refused")

    monkeypatch.setattr(env.app, "database", lambda **_: BrokenDatabase())
    failing = client.get("/healthz")
    assert failing.status_code == 503
    assert failing.json()["checks"]["database"] == {
        "ok": False,
        "error": "database unreachable: connection refused",
    }


def test_metrics_expose_states_and_latencies(env: WebEnv) -> None:
    """/metrics has domain and mailbox gauges by state and a latency histogram per route."""
    client = env.client()
    client.get("/api/v1/status", headers=env.bearer(Role.VIEWER))
    text = client.get("/metrics").text
    assert 'mailfleet_domains{state="pending"} 12.0' in text
    assert 'mailfleet_mailboxes{state="planned"} 36.0' in text
    assert 'route="/api/v1/status"' in text
    assert "mailfleet_http_request_duration_seconds_bucket" in text


def test_responses_carry_security_headers(env: WebEnv) -> None:
    """Every response forbids framing and outside resources."""
    headers = env.client().get("/healthz").headers
    assert "default-src 'self'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"


def test_token_last_use_is_recorded(env: WebEnv) -> None:
    """A token's use is stamped, so stale tokens can be found."""
    from sqlalchemy import select

    from mailfleet.adapters.db.web_tables import WebTokenRow

    env.client().get("/api/v1/segments", headers=env.bearer(Role.ADMIN))
    with env.app.database().session() as s:
        used = [t for t in s.scalars(select(WebTokenRow)) if t.last_used_at is not None]
    assert len(used) == 1
    assert used[0].last_used_at == datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
