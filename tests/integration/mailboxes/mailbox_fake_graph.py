"""A fake Microsoft identity platform and Graph: client-credentials tokens, /users, licences."""

from __future__ import annotations

import re
import secrets
import uuid
from typing import Any

from mailbox_fakes_base import FakeApi, Reply, Request, Route


def _error(status: int, code: str, message: str, detail: str | None = None) -> Reply:
    error: dict[str, Any] = {"code": code, "message": message}
    if detail:
        error["details"] = [{"code": detail, "target": "userPrincipalName"}]
    return status, {"error": error}, {}


def _complex_enough(password: str) -> bool:
    """Entra ID: 8-256 characters with 3 of lowercase, uppercase, digits, symbols."""
    classes = [
        any(c.islower() for c in password),
        any(c.isupper() for c in password),
        any(c.isdigit() for c in password),
        any(not c.isalnum() for c in password),
    ]
    return 8 <= len(password) <= 256 and sum(classes) >= 3


class FakeGraph(FakeApi):
    """Users keyed by UPN; a licence pool of ``seats`` for one SKU."""

    def __init__(self, *, seats: int = 1000, **kw: Any) -> None:
        super().__init__(**kw)
        self.tenant = "11111111-2222-3333-4444-555555555555"
        self.client_id = "app-client-id"
        self.client_secret = "app-client-secret"
        self.sku = "cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46"
        self.seats = seats
        self.tokens: set[str] = set()
        self.users: dict[str, dict[str, Any]] = {}
        self.passwords: dict[str, str] = {}
        self.licensed: set[str] = set()

    def routes(self) -> list[tuple[str, str, Route]]:
        return [
            ("POST", f"/{self.tenant}/oauth2/v2.0/token", self.token),
            ("GET", "/v1.0/users", self.authed(self.list_users)),
            ("POST", "/v1.0/users/", self.authed(self.assign_license)),
            ("POST", "/v1.0/users", self.authed(self.create)),
            ("PATCH", "/v1.0/users/", self.authed(self.patch)),
            ("DELETE", "/v1.0/users/", self.authed(self.delete)),
        ]

    def rate_limited(self) -> Reply:
        return (
            429,
            {"error": {"code": "TooManyRequests", "message": "Too many requests"}},
            {"Retry-After": self.limit.retry_after},
        )

    def authed(self, route: Route) -> Route:
        def check(request: Request) -> Reply:
            header = request.headers.get("Authorization", "")
            if header.removeprefix("Bearer ") not in self.tokens:
                return _error(401, "InvalidAuthenticationToken", "Access token is empty.")
            return route(request)

        return check

    def token(self, request: Request) -> Reply:
        form = request.form()
        if form.get("grant_type") != "client_credentials":
            return 400, {"error": "unsupported_grant_type"}, {}
        if (form.get("client_id"), form.get("client_secret")) != (
            self.client_id,
            self.client_secret,
        ):
            return (
                401,
                {
                    "error": "invalid_client",
                    "error_description": "AADSTS7000215: Invalid client secret provided.",
                },
                {},
            )
        if form.get("scope") != "https://graph.microsoft.com/.default":
            return 400, {"error": "invalid_scope"}, {}
        token = secrets.token_urlsafe(24)
        self.tokens.add(token)
        return 200, {"token_type": "Bearer", "expires_in": 3599, "access_token": token}, {}

    def _find(self, key: str) -> dict[str, Any] | None:
        key = key.lower()
        return self.users.get(key) or next((u for u in self.users.values() if u["id"] == key), None)

    def list_users(self, request: Request) -> Reply:
        if request.headers.get("ConsistencyLevel") != "eventual":
            return _error(400, "Request_UnsupportedQuery", "Unsupported query.")
        flt = request.query.get("$filter", [""])[0]
        match = re.fullmatch(r"endswith\(userPrincipalName,'@([^']+)'\)", flt)
        if not match:
            return _error(400, "Request_UnsupportedQuery", "Unsupported filter.")
        with self.lock:
            users = [u for a, u in sorted(self.users.items()) if a.endswith("@" + match[1])]
        return 200, {"@odata.count": len(users), "value": users}, {}

    def create(self, request: Request) -> Reply:
        body = request.json()
        upn = str(body.get("userPrincipalName", "")).lower()
        password = str((body.get("passwordProfile") or {}).get("password", ""))
        with self.lock:
            self.changing_calls += 1
            if not _complex_enough(password):
                return _error(
                    400,
                    "Request_BadRequest",
                    "The specified password does not comply with password complexity "
                    "requirements. Please provide a different password.",
                )
            if upn in self.users:
                return _error(
                    400,
                    "Request_BadRequest",
                    "Another object with the same value for property userPrincipalName "
                    "already exists.",
                    "ObjectConflict",
                )
            self.creates[upn] += 1
            self.passwords[upn] = password
            user = {
                "id": str(uuid.uuid4()),
                "userPrincipalName": upn,
                "displayName": body.get("displayName"),
                "accountEnabled": bool(body.get("accountEnabled", True)),
                "createdDateTime": "2026-01-05T09:00:00Z",
            }
            self.users[upn] = user
        return 201, user, {}

    def assign_license(self, request: Request) -> Reply:
        if not request.path.endswith("/assignLicense"):
            return 404, None, {}
        key = request.path.split("/")[3]
        body = request.json()
        with self.lock:
            self.changing_calls += 1
            user = self._find(key)
            if user is None:
                return _error(404, "Request_ResourceNotFound", f"Resource '{key}' does not exist.")
            skus = [a["skuId"] for a in body.get("addLicenses", [])]
            if skus != [self.sku]:
                return _error(400, "Request_BadRequest", "License not found.")
            upn = user["userPrincipalName"]
            if upn not in self.licensed and len(self.licensed) >= self.seats:
                return _error(
                    400,
                    "Request_BadRequest",
                    f"Subscription {self.sku} does not have any available licenses.",
                )
            self.licensed.add(upn)
        return 200, user, {}

    def patch(self, request: Request) -> Reply:
        key = request.path.split("/")[3]
        body = request.json()
        with self.lock:
            self.changing_calls += 1
            user = self._find(key)
            if user is None:
                return _error(404, "Request_ResourceNotFound", f"Resource '{key}' does not exist.")
            if "passwordProfile" in body:
                password = body["passwordProfile"].get("password", "")
                if not _complex_enough(password):
                    return _error(400, "Request_BadRequest", "password complexity")
                self.passwords[user["userPrincipalName"]] = password
            for field in ("displayName", "accountEnabled"):
                if field in body:
                    user[field] = body[field]
        return 204, None, {}

    def delete(self, request: Request) -> Reply:
        key = request.path.split("/")[3]
        with self.lock:
            self.changing_calls += 1
            user = self._find(key)
            if user is None:
                return _error(404, "Request_ResourceNotFound", f"Resource '{key}' does not exist.")
            del self.users[user["userPrincipalName"]]
            self.licensed.discard(user["userPrincipalName"])
        return 204, None, {}
