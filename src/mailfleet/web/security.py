"""Sessions, CSRF tokens and who is asking: the web layer's access checks.

Pages use a signed session cookie (HttpOnly, SameSite=Lax, Secure unless served on loopback)
holding the user's email and a CSRF token; every form carries that token and every POST
checks it. The API takes ``Authorization: Bearer <token>`` instead, which a browser never
sends on its own, so it needs no CSRF token.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from dataclasses import dataclass

from fastapi import HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from mailfleet.core.dashboard.access import Permission, Role, allows
from mailfleet.core.dashboard.accounts import User
from mailfleet.core.errors import SecretNotFound
from mailfleet.core.ports import SecretVault
from mailfleet.core.secrets import Secret
from mailfleet.services import users as user_service

SESSION_KEY_NAME = "web/session-key"
SESSION_COOKIE = "mailfleet_session"
CSRF_FIELD = "csrf_token"

bearer_scheme = HTTPBearer(auto_error=False, description="An API token: mailfleet users token")


def session_key(vault: SecretVault) -> Secret:
    """The key that signs session cookies, generated and stored in the vault on first use."""
    try:
        return vault.get(SESSION_KEY_NAME)
    except SecretNotFound:
        key = Secret(secrets.token_urlsafe(48))
        vault.put(SESSION_KEY_NAME, key)
        return key


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses, where cookies may go without TLS."""
    if host in {"localhost", ""}:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def client_address(request: Request) -> str:
    """The address the request came from, as the server saw it.

    Forwarded headers are not trusted: behind a proxy every client shares the proxy's
    address, which the login throttle's higher per-client limit allows for.
    """
    return request.client.host if request.client else "unknown"


def csrf_token(request: Request) -> str:
    """This session's CSRF token, created on first use."""
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def check_csrf(request: Request, submitted: str) -> None:
    """Refuse a form whose token is not this session's (403)."""
    expected = request.session.get("csrf")
    if not isinstance(expected, str) or not hmac.compare_digest(
        expected.encode(), submitted.encode()
    ):
        raise HTTPException(403, "the form has expired or did not come from this site; reload it")


class LoginRequired(Exception):
    """Raised by page dependencies for a visitor without a session; becomes a redirect."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


@dataclass(frozen=True, slots=True)
class Visitor:
    """The signed-in user of a request."""

    email: str
    role: Role

    def can(self, permission: Permission) -> bool:
        """True when the visitor's role allows ``permission``."""
        return allows(self.role, permission)


def start_session(request: Request, user: User) -> None:
    """Begin a fresh session for ``user`` (a new CSRF token, nothing kept from before)."""
    request.session.clear()
    request.session["user"] = user.email
    request.session["role"] = user.role.value
    csrf_token(request)


def require(visitor: Visitor, permission: Permission) -> None:
    """Refuse (403) a visitor whose role lacks ``permission``."""
    if not visitor.can(permission):
        raise HTTPException(403, f"your role ({visitor.role}) may not do this")


def api_visitor(request: Request, credentials: HTTPAuthorizationCredentials | None) -> Visitor:
    """The owner of the request's bearer token, or 401."""
    from mailfleet.web.context import context

    if credentials is None or credentials.scheme.lower() != "bearer":
        raise HTTPException(
            401, "send Authorization: Bearer <token>", {"WWW-Authenticate": "Bearer"}
        )
    ctx = context(request)
    user = user_service.user_for_token(ctx.app.user_store(), ctx.app.clock, credentials.credentials)
    if user is None:
        raise HTTPException(401, "unknown or disabled token", {"WWW-Authenticate": "Bearer"})
    return Visitor(user.email, user.role)
