"""Dashboard pages: sign-in, CSRF, roles, the overview's filters and grades, the pause flow."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from mailfleet.adapters.dashboard_twins import MemoryDashboardSources, UnwiredDomainActions
from mailfleet.core.dashboard.access import Role
from mailfleet.core.dashboard.ports import DomainAction
from mailfleet.core.dashboard.values import (
    AuthState,
    BlocklistStatus,
    DeliveryRates,
    DnsAuthStatus,
    WarmupFigures,
)
from mailfleet.services.dashboard import DashboardSources
from web_support import PASSWORD, WebEnv, csrf_of, email_of, login

PAGES = ["/", "/domains/d000.example", "/mailboxes", "/alerts", "/blocklist", "/suppression"]


def _sources(memory: MemoryDashboardSources, actions: UnwiredDomainActions) -> DashboardSources:
    return DashboardSources(memory, memory, memory, memory, memory, memory, memory, actions)


@pytest.mark.parametrize("path", PAGES)
def test_pages_need_a_session(env: WebEnv, path: str) -> None:
    """Every page sends a visitor without a session to the login form, keeping the target."""
    response = env.client().get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


def test_login_sets_a_hardened_cookie_and_opens_every_page(env: WebEnv) -> None:
    """After sign-in the cookie is HttpOnly and SameSite=Lax, and each page renders."""
    client = env.client()
    token = csrf_of(client.get("/login").text)
    response = client.post(
        "/login",
        data={"csrf_token": token, "email": email_of(Role.VIEWER), "password": PASSWORD},
        follow_redirects=False,
    )
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert "secure" not in cookie  # served on loopback in this test
    for path in PAGES:
        page = client.get(path)
        assert page.status_code == 200, path
        assert PASSWORD not in page.text


def test_cookie_is_secure_when_not_on_loopback(env: WebEnv) -> None:
    """A web app bound to a public address marks its session cookie Secure."""
    from mailfleet.web.app import create_app

    public = env.app.settings.model_copy(update={"web_bind": "0.0.0.0:8025"})
    env.app.settings = public
    client = TestClient(create_app(env.app), base_url="https://testserver")
    page = client.get("/login")
    assert "secure" in page.headers["set-cookie"].lower()


def test_wrong_password_is_refused_without_saying_which_part(env: WebEnv) -> None:
    """A wrong password and an unknown email get the same 401 message."""
    client = env.client()
    answers = []
    for email, password in (
        (email_of(Role.ADMIN), "wrong password!!"),
        ("x@example.com", PASSWORD),
    ):
        token = csrf_of(client.get("/login").text)
        response = client.post(
            "/login", data={"csrf_token": token, "email": email, "password": password}
        )
        assert response.status_code == 401
        answers.append("Wrong email or password." in response.text)
    assert answers == [True, True]


def test_login_without_csrf_token_is_refused(env: WebEnv) -> None:
    """A login form posted from elsewhere (no session token) is refused."""
    response = env.client().post(
        "/login",
        data={"csrf_token": "forged", "email": email_of(Role.ADMIN), "password": PASSWORD},
    )
    assert response.status_code == 403


def test_login_never_redirects_off_site(env: WebEnv) -> None:
    """A ``next`` pointing at another host is replaced by the overview."""
    client = env.client()
    token = csrf_of(client.get("/login").text)
    response = client.post(
        "/login",
        data={
            "csrf_token": token,
            "email": email_of(Role.VIEWER),
            "password": PASSWORD,
            "next": "//evil.example/",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


def test_overview_groups_by_segment_and_shows_dashes_when_unmeasured(env: WebEnv) -> None:
    """Each segment has its block; absent rates print as dashes graded unknown."""
    client = env.client()
    login(client, Role.VIEWER)
    html = client.get("/").text
    for segment in ("primary", "pool-a", "pool-b", "transactional", "monitoring"):
        assert f"<h2>{segment}" in html
    assert html.count("d0") >= 12
    assert 'class="level unknown" title="unknown">—<' in html
    assert "0.00 %" not in html  # absent rates are never shown as zero


def test_overview_colours_rates_against_segment_thresholds(env: WebEnv) -> None:
    """The same 1.2 % bounce rate breaches in transactional (1 % gate) and is fine in primary."""
    memory = MemoryDashboardSources(
        rate_figures={
            "d003.example": DeliveryRates(0.012, 0.0, 500),
            "d000.example": DeliveryRates(0.012, 0.0009, 500),
        },
        warmup_figures={"d000.example": WarmupFigures("week 3", 15, 1000, 640)},
        auth_figures={
            "d000.example": DnsAuthStatus(
                AuthState.PASS, AuthState.PASS, AuthState.PASS, datetime(2026, 1, 5, tzinfo=UTC)
            )
        },
        blocklist_figures={
            "d003.example": BlocklistStatus(("zen.example",), datetime(2026, 1, 5, tzinfo=UTC))
        },
    )
    client = TestClient(env.web(_sources(memory, UnwiredDomainActions())))
    login(client, Role.VIEWER)
    html = client.get("/").text
    assert '<span class="level breach" title="breach">1.20 %</span>' in html
    assert '<span class="level ok" title="ok">1.20 %</span>' in html
    assert '<span class="level warn" title="warn">0.09 %</span>' in html
    assert "640 / 1,000" in html
    assert "listed: zen.example" in html


def test_overview_filters_sorts_and_pages(env: WebEnv) -> None:
    """Query parameters filter by segment and name, and split the list into pages."""
    client = env.client()
    login(client, Role.VIEWER)
    pool_b = client.get("/?segment=pool-b").text
    assert "d002.example" in pool_b
    assert "d000.example" not in pool_b
    search = client.get("/?q=d01").text
    assert "d010.example" in search
    assert "d009.example" not in search
    paged = client.get("/?sort=name&per_page=10&page=2").text
    assert "d010.example" in paged
    assert "d000.example" not in paged
    assert "page 2 of 2" in paged


def test_pause_through_the_confirmation_then_resume(env: WebEnv) -> None:
    """An operator confirms a pause; the state changes and a message says so; resume reverts."""
    client = env.client()
    login(client, Role.OPERATOR)
    confirm = client.get("/domains/d000.example/confirm/pause")
    assert "Stops all sending" in confirm.text
    done = client.post(
        "/domains/d000.example/actions/pause", data={"csrf_token": csrf_of(confirm.text)}
    )
    assert "d000.example is paused." in done.text
    assert 'class="state state-paused"' in done.text
    confirm = client.get("/domains/d000.example/confirm/resume")
    done = client.post(
        "/domains/d000.example/actions/resume", data={"csrf_token": csrf_of(confirm.text)}
    )
    assert "d000.example is resumed." in done.text
    assert 'class="state state-pending"' in done.text


def test_action_without_csrf_token_changes_nothing(env: WebEnv) -> None:
    """A forged POST (wrong token) is refused and the domain stays as it was."""
    client = env.client()
    login(client, Role.ADMIN)
    response = client.post("/domains/d000.example/actions/pause", data={"csrf_token": "forged"})
    assert response.status_code == 403
    assert env.app.read_model().domain("d000.example").state == "pending"  # type: ignore[union-attr]


def test_viewer_sees_disabled_actions_and_cannot_post(env: WebEnv) -> None:
    """A viewer gets disabled buttons and a 403 on the action URL."""
    client = env.client()
    login(client, Role.VIEWER)
    page = client.get("/domains/d000.example").text
    assert "may not run actions" in page
    response = client.post(
        "/domains/d000.example/actions/pause", data={"csrf_token": csrf_of(page)}
    )
    assert response.status_code == 403
    assert client.get("/domains/d000.example/confirm/pause").status_code == 403


def test_unwired_actions_are_disabled_with_a_reason(env: WebEnv) -> None:
    """Rotate-out, re-verify DNS and rotate DKIM are greyed out while their port lacks them."""
    client = TestClient(env.web(_sources(MemoryDashboardSources(), UnwiredDomainActions())))
    login(client, Role.OPERATOR)
    page = client.get("/domains/d000.example").text
    for label in ("Rotate out", "Re-verify DNS", "Rotate DKIM"):
        assert f'<button disabled title="{label}: not available yet' in page
    posted = client.post(
        "/domains/d000.example/actions/rotate-dkim", data={"csrf_token": csrf_of(page)}
    )
    assert "not available yet" in posted.text


def test_wired_action_runs_through_its_port(env: WebEnv) -> None:
    """Once a capability wires an action, the confirmation runs it through the port."""
    actions = UnwiredDomainActions(available=frozenset({DomainAction.REVERIFY_DNS}))
    client = TestClient(env.web(_sources(MemoryDashboardSources(), actions)))
    login(client, Role.OPERATOR)
    confirm = client.get("/domains/d001.example/confirm/reverify-dns")
    done = client.post(
        "/domains/d001.example/actions/reverify-dns", data={"csrf_token": csrf_of(confirm.text)}
    )
    assert "Re-verify DNS on d001.example: queued." in done.text
    assert actions.calls == [(DomainAction.REVERIFY_DNS, "d001.example", email_of(Role.OPERATOR))]


def test_mailbox_inventory_filters(env: WebEnv) -> None:
    """The inventory searches and filters by domain and segment."""
    client = env.client()
    login(client, Role.VIEWER)
    html = client.get("/mailboxes?domain=d004.example").text
    assert html.count("@d004.example</td>") == 3
    assert "@d005.example" not in html
    assert "No mailbox matches." in client.get("/mailboxes?q=nothing-like-this").text


def test_unknown_domain_page_is_404(env: WebEnv) -> None:
    """A domain that is not stored gets a 404 page that says what to do."""
    client = env.client()
    login(client, Role.VIEWER)
    response = client.get("/domains/nope.example", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert "mailfleet sync" in response.text


def test_logout_ends_the_session(env: WebEnv) -> None:
    """After sign-out the pages ask for a login again."""
    client = env.client()
    login(client, Role.VIEWER)
    page = client.get("/").text
    client.post("/logout", data={"csrf_token": csrf_of(page)})
    assert client.get("/", follow_redirects=False).status_code == 303


def test_assets_are_served_locally(env: WebEnv) -> None:
    """The page references only local assets, and they are served."""
    client = env.client()
    html = client.get("/login").text
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in html
    for asset in ("/static/style.css", "/static/app.js", "/static/favicon.svg"):
        assert client.get(asset).status_code == 200


def test_drift_from_the_spec_is_flagged(env: WebEnv) -> None:
    """A spec edited after the last sync marks the domain as drifted, on the page and the API."""
    text = env.spec.read_text("utf-8").replace(
        "  - name: d000.example\n", "  - name: d000.example\n    timezone: Europe/Paris\n", 1
    )
    env.spec.write_text(text, "utf-8")
    client = env.client()
    login(client, Role.VIEWER)
    html = client.get("/?q=d000").text
    assert "differs from the spec in timezone" in html
    api = client.get("/api/v1/domains?q=d00", headers=env.bearer(Role.VIEWER)).json()
    drift = {d["name"]: d["drift"] for d in api["domains"]}
    assert drift["d000.example"] == ["timezone"]
    assert drift["d001.example"] == []


def test_suppression_add_search_remove_when_editable(env: WebEnv) -> None:
    """With an editable suppression source, an operator adds, finds and removes an address."""
    memory = MemoryDashboardSources(suppression_editable=True)
    client = TestClient(env.web(_sources(memory, UnwiredDomainActions())))
    login(client, Role.OPERATOR)
    page = client.get("/suppression").text
    added = client.post(
        "/suppression",
        data={
            "csrf_token": csrf_of(page),
            "action": "add",
            "address": " Bounced@Example.org ",
            "reason": "hard bounce",
        },
    )
    assert "bounced@example.org suppressed." in added.text
    assert "hard bounce" in client.get("/suppression?q=bounced").text
    removed = client.post(
        "/suppression",
        data={"csrf_token": csrf_of(page), "action": "remove", "address": "bounced@example.org"},
    )
    assert "bounced@example.org removed from the list." in removed.text
    assert memory.suppressed == []


def test_suppression_edits_refused_when_not_editable_or_viewer(env: WebEnv) -> None:
    """The read-only twin refuses edits (409); a viewer is refused (403) even when editable."""
    client = TestClient(env.web(_sources(MemoryDashboardSources(), UnwiredDomainActions())))
    login(client, Role.ADMIN)
    page = client.get("/suppression").text
    assert "the suppression store is not installed" in page
    form = {"csrf_token": csrf_of(page), "action": "add", "address": "a@example.org"}
    assert client.post("/suppression", data=form).status_code == 409
    viewer = TestClient(
        env.web(_sources(MemoryDashboardSources(suppression_editable=True), UnwiredDomainActions()))
    )
    login(viewer, Role.VIEWER)
    token = csrf_of(viewer.get("/suppression").text)
    refused = viewer.post("/suppression", data={**form, "csrf_token": token})
    assert refused.status_code == 403
