"""User management by admins, in the pages and over the API, on each database."""

from __future__ import annotations

import logging
import re

import pytest
from fastapi.testclient import TestClient

from mailfleet.core.dashboard.access import Role
from web_support import PASSWORD, WebEnv, csrf_of, email_of, login

NEW_PASSWORD = "a brand new passphrase 7"


def _signed_in(env: WebEnv, role: Role) -> TestClient:
    client = env.client()
    login(client, role)
    return client


def _try_login(env: WebEnv, email: str, password: str) -> int:
    client = env.client()
    token = csrf_of(client.get("/login").text)
    response = client.post(
        "/login",
        data={"csrf_token": token, "email": email, "password": password, "next": "/"},
        follow_redirects=False,
    )
    return response.status_code


def _confirm_and_post(client: TestClient, email: str, action: str, **fields: str) -> object:
    page = client.get(f"/users/{email}/confirm/{action}")
    assert page.status_code == 200
    assert "Yes," in page.text
    return client.post(
        f"/users/{email}/actions/{action}",
        data={"csrf_token": csrf_of(page.text), **fields},
        follow_redirects=False,
    )


@pytest.mark.parametrize("role", [Role.VIEWER, Role.OPERATOR])
def test_only_admins_reach_user_management(env: WebEnv, role: Role) -> None:
    """Viewers and operators get 403 from every page and endpoint, and see no nav link."""
    client = _signed_in(env, role)
    assert 'href="/users"' not in client.get("/").text
    assert client.get("/users").status_code == 403
    assert client.get(f"/users/{email_of(Role.VIEWER)}/confirm/disable").status_code == 403
    token = csrf_of(client.get("/").text)
    posted = client.post(
        f"/users/{email_of(Role.VIEWER)}/actions/disable", data={"csrf_token": token}
    )
    assert posted.status_code == 403
    api = env.client()
    assert api.get("/api/v1/users", headers=env.bearer(role)).status_code == 403
    assert (
        api.delete(f"/api/v1/users/{email_of(Role.VIEWER)}", headers=env.bearer(role)).status_code
        == 403
    )
    assert _try_login(env, email_of(Role.VIEWER), PASSWORD) == 303  # nothing changed


def test_admin_lists_adds_with_generated_password_shown_once(env: WebEnv) -> None:
    """The generated password is on the response page, usable, and on no later page."""
    client = _signed_in(env, Role.ADMIN)
    page = client.get("/users")
    assert 'href="/users"' in page.text
    for role in Role:
        assert email_of(role) in page.text
    response = client.post(
        "/users",
        data={
            "csrf_token": csrf_of(page.text),
            "email": "New.Person@Example.com",
            "role": "operator",
        },
    )
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    shown = re.search(r'<code id="new-password">([^<]+)</code>', response.text)
    assert shown
    password = shown.group(1)
    assert len(password) >= 20
    listing = client.get("/users").text
    assert "new.person@example.com" in listing
    assert password not in listing
    assert password not in str(client.cookies)
    assert _try_login(env, "new.person@example.com", password) == 303


def test_adding_without_csrf_or_with_a_weak_password_changes_nothing(env: WebEnv) -> None:
    """A forged form is refused; a short password is refused with the reason."""
    client = _signed_in(env, Role.ADMIN)
    forged = client.post(
        "/users", data={"csrf_token": "forged", "email": "x@example.com", "role": "admin"}
    )
    assert forged.status_code == 403
    weak = client.post(
        "/users",
        data={
            "csrf_token": csrf_of(client.get("/users").text),
            "email": "x@example.com",
            "role": "viewer",
            "password": "short",
        },
    )
    assert weak.status_code == 400
    assert "at least 12 characters" in weak.text
    assert "x@example.com" not in client.get("/users").text


def test_change_role_disable_enable_and_remove_through_confirmations(env: WebEnv) -> None:
    """Each change is confirmed, then takes effect at once for the user's session and token."""
    admin = _signed_in(env, Role.ADMIN)
    viewer = _signed_in(env, Role.VIEWER)
    target = email_of(Role.VIEWER)
    assert _confirm_and_post(admin, target, "role", role="operator").status_code == 303  # type: ignore[attr-defined]
    assert "is now operator" in admin.get("/users").text
    assert viewer.get("/").text.count('class="role">operator') == 1
    _confirm_and_post(admin, target, "disable")
    assert "badge bad" in admin.get("/users").text
    assert viewer.get("/", follow_redirects=False).status_code == 303  # signed out
    assert env.client().get("/api/v1/status", headers=env.bearer(Role.VIEWER)).status_code == 401
    assert _try_login(env, target, PASSWORD) == 401
    _confirm_and_post(admin, target, "enable")
    assert _try_login(env, target, PASSWORD) == 303
    _confirm_and_post(admin, target, "remove")
    assert f'data-user="{target}"' not in admin.get("/users").text
    assert _try_login(env, target, PASSWORD) == 401
    assert env.client().get("/api/v1/status", headers=env.bearer(Role.VIEWER)).status_code == 401


def test_reset_password_set_by_admin_or_generated(
    env: WebEnv, caplog: pytest.LogCaptureFixture
) -> None:
    """A chosen password is never echoed; a generated one is shown once; neither is logged."""
    admin = _signed_in(env, Role.ADMIN)
    target = email_of(Role.OPERATOR)
    with caplog.at_level(logging.DEBUG):
        chosen = _confirm_and_post(admin, target, "reset-password", password=NEW_PASSWORD)
        assert chosen.status_code == 303  # type: ignore[attr-defined]
        assert NEW_PASSWORD not in admin.get("/users").text
        assert _try_login(env, target, PASSWORD) == 401
        assert _try_login(env, target, NEW_PASSWORD) == 303
        generated = _confirm_and_post(admin, target, "reset-password")
    shown = re.search(r'<code id="new-password">([^<]+)</code>', generated.text)  # type: ignore[attr-defined]
    assert shown
    assert _try_login(env, target, shown.group(1)) == 303
    assert NEW_PASSWORD not in caplog.text
    assert shown.group(1) not in caplog.text
    assert "password reset by admin@example.com" in caplog.text


def test_revoke_tokens_stops_the_api_but_not_the_session(env: WebEnv) -> None:
    """After revocation the operator's token gets 401; their session still works."""
    admin = _signed_in(env, Role.ADMIN)
    operator = _signed_in(env, Role.OPERATOR)
    target = email_of(Role.OPERATOR)
    assert env.client().get("/api/v1/status", headers=env.bearer(Role.OPERATOR)).status_code == 200
    _confirm_and_post(admin, target, "revoke-tokens")
    assert "1 API token of operator@example.com revoked." in admin.get("/users").text
    assert env.client().get("/api/v1/status", headers=env.bearer(Role.OPERATOR)).status_code == 401
    assert operator.get("/").status_code == 200


def test_admins_cannot_lock_themselves_or_everyone_out(env: WebEnv) -> None:
    """No demoting, disabling or removing oneself; the last enabled admin stays."""
    admin = _signed_in(env, Role.ADMIN)
    me = email_of(Role.ADMIN)
    for action, fields in (("role", {"role": "viewer"}), ("disable", {}), ("remove", {})):
        refused = _confirm_and_post(admin, me, action, **fields)
        assert refused.status_code == 409  # type: ignore[attr-defined]
    api = env.client()
    headers = env.bearer(Role.ADMIN)
    made = api.post(
        "/api/v1/users", json={"email": "second@example.com", "role": "admin"}, headers=headers
    )
    assert made.status_code == 201
    second = api.post("/api/v1/users/second@example.com/password", json={}, headers=headers).json()[
        "generated_password"
    ]
    assert _try_login(env, "second@example.com", second) == 303
    # the second admin may disable the first, who is then not the last enabled admin
    other = env.client()
    token = csrf_of(other.get("/login").text)
    other.post(
        "/login", data={"csrf_token": token, "email": "second@example.com", "password": second}
    )
    assert _confirm_and_post(other, me, "disable").status_code == 303  # type: ignore[attr-defined]
    assert api.get("/api/v1/users", headers=headers).status_code == 401  # first is disabled
    assert other.get("/users").status_code == 200
    assert _confirm_and_post(other, "second@example.com", "remove").status_code == 409  # type: ignore[attr-defined]


def test_api_manages_users(env: WebEnv) -> None:
    """List, add, change, reset, revoke and delete over the API with an admin token."""
    api = env.client()
    headers = env.bearer(Role.ADMIN)
    listed = api.get("/api/v1/users", headers=headers).json()
    assert [u["email"] for u in listed] == sorted(email_of(r) for r in Role)
    assert all("password" not in str(u) for u in listed)
    assert {u["tokens"] for u in listed} == {1}
    made = api.post(
        "/api/v1/users",
        json={"email": "api@example.com", "role": "viewer", "password": NEW_PASSWORD},
        headers=headers,
    )
    assert made.json() == {"email": "api@example.com", "generated_password": None}
    assert (
        api.post(
            "/api/v1/users", json={"email": "api@example.com", "role": "viewer"}, headers=headers
        ).status_code
        == 409
    )
    changed = api.patch(
        "/api/v1/users/api@example.com",
        json={"role": "operator", "disabled": True},
        headers=headers,
    )
    assert changed.json()["role"] == "operator"
    assert changed.json()["disabled"] is True
    assert (
        api.patch(
            "/api/v1/users/nobody@example.com", json={"role": "viewer"}, headers=headers
        ).status_code
        == 404
    )
    reset = api.post("/api/v1/users/api@example.com/password", json={}, headers=headers)
    assert reset.headers["cache-control"] == "no-store"
    assert len(reset.json()["generated_password"]) >= 20
    short = api.post(
        "/api/v1/users",
        json={"email": "s@example.com", "role": "viewer", "password": "short"},
        headers=headers,
    )
    assert short.status_code == 422
    revoked = api.delete(f"/api/v1/users/{email_of(Role.VIEWER)}/tokens", headers=headers)
    assert revoked.json() == {"email": email_of(Role.VIEWER), "revoked": 1}
    assert api.get("/api/v1/status", headers=env.bearer(Role.VIEWER)).status_code == 401
    assert api.delete("/api/v1/users/api@example.com", headers=headers).status_code == 204
    assert api.delete("/api/v1/users/api@example.com", headers=headers).status_code == 404
    assert api.delete(f"/api/v1/users/{email_of(Role.ADMIN)}", headers=headers).status_code == 409
