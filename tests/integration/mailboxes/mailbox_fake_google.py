"""A fake Google: the OAuth token endpoint (JWT bearer grant) and Directory API users."""

from __future__ import annotations

import itertools
import json
import secrets
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from mailbox_fakes_base import FakeApi, Reply, Request, Route

SCOPE = "https://www.googleapis.com/auth/admin.directory.user"


def _error(code: int, message: str, reason: str) -> Reply:
    body = {
        "error": {
            "code": code,
            "message": message,
            "errors": [{"message": message, "domain": "global", "reason": reason}],
        }
    }
    return code, body, {}


class FakeGoogle(FakeApi):
    """Checks the signed JWT (issuer, subject, scope, audience) and the bearer token."""

    def __init__(self, *, max_users: int | None = None, **kw: Any) -> None:
        super().__init__(**kw)
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.private_pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        self.public_key = key.public_key()
        self.client_email = "mailfleet@project.iam.gserviceaccount.com"
        self.admin = "admin@g.example"
        self.tokens: set[str] = set()
        self.token_requests = 0
        self.users: dict[str, dict[str, Any]] = {}
        self.passwords: dict[str, str] = {}
        self.max_users = max_users
        self._ids = itertools.count(100000000000000000001)

    def service_account_json(self) -> str:
        return json.dumps(
            {
                "type": "service_account",
                "client_email": self.client_email,
                "private_key": self.private_pem,
                "private_key_id": "k1",
                "token_uri": f"{self.url}/token",
            }
        )

    def routes(self) -> list[tuple[str, str, Route]]:
        base = "/admin/directory/v1/users"
        return [
            ("POST", "/token", self.token),
            ("GET", base, self.authed(self.list_users)),
            ("POST", base, self.authed(self.insert)),
            ("PUT", base + "/", self.authed(self.update)),
            ("DELETE", base + "/", self.authed(self.delete)),
        ]

    def authed(self, route: Route) -> Route:
        def check(request: Request) -> Reply:
            header = request.headers.get("Authorization", "")
            if header.removeprefix("Bearer ") not in self.tokens:
                return _error(401, "Login Required.", "required")
            return route(request)

        return check

    def token(self, request: Request) -> Reply:
        form = request.form()
        self.token_requests += 1
        if form.get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer":
            return 400, {"error": "unsupported_grant_type"}, {}
        try:
            claims = jwt.decode(
                form.get("assertion", ""),
                self.public_key,
                algorithms=["RS256"],
                audience=f"{self.url}/token",
            )
        except jwt.PyJWTError as exc:
            return 400, {"error": "invalid_grant", "error_description": str(exc)}, {}
        if claims.get("iss") != self.client_email or claims.get("scope") != SCOPE:
            return 400, {"error": "invalid_grant", "error_description": "Invalid JWT"}, {}
        if claims.get("sub") != self.admin:
            return (
                401,
                {
                    "error": "unauthorized_client",
                    "error_description": "Client is unauthorized to retrieve access tokens",
                },
                {},
            )
        token = secrets.token_urlsafe(24)
        self.tokens.add(token)
        return 200, {"access_token": token, "expires_in": 3599, "token_type": "Bearer"}, {}

    def list_users(self, request: Request) -> Reply:
        domain = request.query.get("domain", [""])[0]
        size = int(request.query.get("maxResults", ["100"])[0])
        start = int(request.query.get("pageToken", ["0"])[0])
        with self.lock:
            users = [u for a, u in sorted(self.users.items()) if a.endswith("@" + domain)]
        page = users[start : start + size]
        body: dict[str, Any] = {"kind": "admin#directory#users", "users": page}
        if start + size < len(users):
            body["nextPageToken"] = str(start + size)
        return 200, body, {}

    def insert(self, request: Request) -> Reply:
        body = request.json()
        address = str(body.get("primaryEmail", "")).lower()
        password = str(body.get("password", ""))
        name = body.get("name") or {}
        with self.lock:
            self.changing_calls += 1
            if not 8 <= len(password) <= 100:
                return _error(400, "Invalid Password", "invalid")
            if not name.get("givenName") or not name.get("familyName"):
                return _error(400, "Invalid Given/Family Name: FamilyName", "invalid")
            if address in self.users:
                return _error(409, "Entity already exists.", "duplicate")
            if self.max_users is not None and len(self.users) >= self.max_users:
                return _error(412, "Domain user limit reached.", "conditionNotMet")
            self.creates[address] += 1
            self.passwords[address] = password
            user = {
                "kind": "admin#directory#user",
                "id": str(next(self._ids)),
                "primaryEmail": address,
                "name": {
                    "givenName": name["givenName"],
                    "familyName": name["familyName"],
                    "fullName": f"{name['givenName']} {name['familyName']}",
                },
                "suspended": bool(body.get("suspended", False)),
                "lastLoginTime": "1970-01-01T00:00:00.000Z",
                "creationTime": "2026-01-05T09:00:00.000Z",
            }
            self.users[address] = user
        return 200, user, {}

    def update(self, request: Request) -> Reply:
        address = request.path.rsplit("/", 1)[1].lower()
        body = request.json()
        with self.lock:
            self.changing_calls += 1
            user = self.users.get(address)
            if user is None:
                return _error(404, "Resource Not Found: userKey", "notFound")
            if "password" in body:
                if not 8 <= len(body["password"]) <= 100:
                    return _error(400, "Invalid Password", "invalid")
                self.passwords[address] = body["password"]
            if "name" in body:
                user["name"].update(body["name"])
            if "suspended" in body:
                user["suspended"] = bool(body["suspended"])
        return 200, user, {}

    def delete(self, request: Request) -> Reply:
        address = request.path.rsplit("/", 1)[1].lower()
        with self.lock:
            self.changing_calls += 1
            if self.users.pop(address, None) is None:
                return _error(404, "Resource Not Found: userKey", "notFound")
        return 204, None, {}
