"""Helpers for the web tests: a generated fleet synced on a database, users of each role,
and signing in with a test client."""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from mailfleet.adapters.argon2_hasher import Argon2Hasher
from mailfleet.adapters.clock import FakeClock
from mailfleet.bootstrap import App, build
from mailfleet.core.dashboard.access import Role
from mailfleet.core.secrets import Secret
from mailfleet.services import users
from mailfleet.services.dashboard import DashboardSources
from mailfleet.services.fleet import sync_fleet
from mailfleet.settings import Settings
from mailfleet.spec import load_fleet
from mailfleet.web.app import create_app

PASSWORD = "correct horse battery staple"
FAST_HASHER = Argon2Hasher(time_cost=1, memory_kib=1024)
SEGMENTS = ("primary", "pool-a", "pool-b", "transactional", "monitoring")


def write_fleet_spec(folder: Path, domains: int, mailboxes: int = 3) -> Path:
    """The ``init`` template's policies and segments with ``domains`` generated domains."""
    template = resources.files("mailfleet.spec").joinpath("template.yaml").read_text("utf-8")
    lines = [template[: template.index("\ndomains:")], "domains:"]
    for i in range(domains):
        lines += [
            f"  - name: d{i:03}.example",
            f"    segment: {SEGMENTS[i % len(SEGMENTS)]}",
            f"    sending_ips: [192.0.2.{i % 250 + 1}]",
            "    mailboxes:",
            f'      - generate: {{count: {mailboxes}, pattern: "box{{n:02}}", '
            'display_name: "Box {n}"}',
        ]
    path = folder / "fleet.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@dataclass
class WebEnv:
    """A wired app with a synced fleet, one user per role and a token for each."""

    app: App
    spec: Path
    tokens: dict[Role, str]

    def client(self, sources: DashboardSources | None = None) -> TestClient:
        """A test client of a fresh web app."""
        return TestClient(self.web(sources))

    def web(self, sources: DashboardSources | None = None) -> FastAPI:
        """A fresh web app on this environment."""
        return create_app(self.app, sources=sources)

    def bearer(self, role: Role) -> dict[str, str]:
        """The Authorization header of ``role``'s token."""
        return {"Authorization": f"Bearer {self.tokens[role]}"}


@dataclass
class Served:
    """A web app running on a loopback port, and where its screenshots go."""

    env: WebEnv
    base_url: str
    shots: Path


def email_of(role: Role) -> str:
    """The test user of a role."""
    return f"{role.value}@example.com"


def make_env(db_url: str, folder: Path, clock: FakeClock, domains: int = 12) -> WebEnv:
    """Sync a generated fleet into ``db_url`` and create users and tokens."""
    spec = write_fleet_spec(folder, domains)
    settings = Settings(
        spec=spec, data_dir=folder / "data", database_url=db_url, web_bind="127.0.0.1:0"
    )
    app = build(settings, clock=clock)
    app.database(migrate=True)
    sync_fleet(load_fleet(spec), app.fleet_store(), clock, str(spec))
    tokens: dict[Role, str] = {}
    for role in Role:
        users.add_user(app.user_store(), FAST_HASHER, clock, email_of(role), role, Secret(PASSWORD))
        token = users.issue_token(app.user_store(), clock, email_of(role), "tests")
        assert token is not None
        tokens[role] = token.reveal()
    return WebEnv(app, spec, tokens)


def csrf_of(html: str) -> str:
    """The CSRF token of the first form on a page."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no CSRF field"
    return found.group(1)


def login(client: TestClient, role: Role, password: str = PASSWORD) -> None:
    """Sign ``client`` in as the test user of ``role``."""
    token = csrf_of(client.get("/login").text)
    response = client.post(
        "/login",
        data={"csrf_token": token, "email": email_of(role), "password": password, "next": "/"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
