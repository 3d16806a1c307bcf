"""Google Workspace users through the Admin SDK Directory API (``admin/directory/v1``).

Authentication is a service account with domain-wide delegation: mailfleet signs a JWT
(RS256, RFC 7519) as the service account, with ``sub`` set to the admin it acts for, and
trades it at the account's ``token_uri`` for an access token (the JWT bearer grant,
RFC 7523). Errors come as ``{"error": {"code", "message", "errors": [{"reason"}]}}``; Google
also signals rate limits as 403 with reason ``rateLimitExceeded``/``userRateLimitExceeded``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import httpx
import jwt

from mailfleet.adapters.mailboxes.http import BearerToken, JsonApi, json_body
from mailfleet.core.errors import ConfigError
from mailfleet.core.mailboxes.errors import (
    MailboxExists,
    MailboxNotFound,
    MailboxProviderError,
    MailboxRejected,
    ProviderAuthError,
    ProviderUnavailable,
    QuotaExhausted,
    RateLimited,
)
from mailfleet.core.mailboxes.model import Capabilities, DesiredMailbox, ProviderMailbox
from mailfleet.core.ports import Clock
from mailfleet.core.secrets import Secret
from mailfleet.policy.mailboxes import capabilities as declared

SCOPE = "https://www.googleapis.com/auth/admin.directory.user"
JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
NEVER = "1970-01-01T00:00:00.000Z"  # Google's lastLoginTime for "never logged in"
_RATE_REASONS = {"rateLimitExceeded", "userRateLimitExceeded", "quotaExceeded"}


def split_name(display_name: str) -> tuple[str, str]:
    """Google wants given and family names: first word, then the rest (or the word again)."""
    words = display_name.split(maxsplit=1)
    if not words:
        return "-", "-"
    return (words[0], words[1]) if len(words) == 2 else (words[0], words[0])


def join_name(given: str, family: str) -> str:
    """The inverse of ``split_name``."""
    return given if given == family else f"{given} {family}"


class GoogleWorkspaceProvider:
    """Implements ``MailboxProvider`` on the Directory API."""

    def __init__(
        self,
        service_account: Secret,
        subject: str,
        *,
        clock: Clock,
        api_url: str = "https://admin.googleapis.com",
        timeout: float = 30.0,
    ) -> None:
        try:
            account = json.loads(service_account.reveal())
            self._email = str(account["client_email"])
            self._key = str(account["private_key"])
            self._key_id = str(account.get("private_key_id", ""))
            self._token_uri = str(account.get("token_uri", "https://oauth2.googleapis.com/token"))
        except (ValueError, KeyError, TypeError):
            raise ConfigError(
                "google: credentials must be a service-account JSON key with client_email and "
                "private_key"
            ) from None
        self._subject = subject
        self._clock = clock
        self._timeout = timeout
        self._token = BearerToken(self._fetch_token, clock.now)
        self._api = JsonApi(
            api_url.rstrip("/") + "/admin/directory/v1",
            name="google",
            headers=self._token.header,
            now=clock.now,
            timeout=timeout,
        )

    @property
    def capabilities(self) -> Capabilities:
        """Display name and suspension."""
        return declared("google")

    def list_mailboxes(self, domains: Sequence[str]) -> list[ProviderMailbox]:
        """``users.list`` per domain, following ``nextPageToken``."""
        found: list[ProviderMailbox] = []
        for domain in domains:
            params: dict[str, str] = {"domain": domain, "maxResults": "500"}
            while True:
                body = self._check(self._api.send("GET", "/users", params=params), domain)
                found += [self._mailbox(user) for user in body.get("users", [])]
                token = body.get("nextPageToken")
                if not token:
                    break
                params["pageToken"] = token
        return found

    def create(self, mailbox: DesiredMailbox, password: Secret) -> ProviderMailbox:
        """``users.insert`` with the name, the password and no forced change."""
        given, family = split_name(mailbox.display_name)
        body = {
            "primaryEmail": mailbox.address,
            "name": {"givenName": given, "familyName": family},
            "password": password.reveal(),
            "changePasswordAtNextLogin": False,
            "suspended": False,
        }
        user = self._check(self._api.send("POST", "/users", json=body), mailbox.address)
        return self._mailbox(user)

    def update(self, mailbox: DesiredMailbox) -> None:
        """``users.update`` (patch semantics): name, and not suspended."""
        given, family = split_name(mailbox.display_name)
        body = {"name": {"givenName": given, "familyName": family}, "suspended": False}
        self._put(mailbox.address, body)

    def set_password(self, address: str, password: Secret) -> None:
        """``users.update`` with a new password."""
        self._put(address, {"password": password.reveal(), "changePasswordAtNextLogin": False})

    def suspend(self, address: str) -> None:
        """``users.update`` with ``suspended: true``."""
        self._put(address, {"suspended": True})

    def delete(self, address: str) -> None:
        """``users.delete``."""
        self._check(self._api.send("DELETE", f"/users/{address}"), address)

    def close(self) -> None:
        """Close the HTTP client."""
        self._api.close()

    def _put(self, address: str, body: dict[str, Any]) -> None:
        self._check(self._api.send("PUT", f"/users/{address}", json=body), address)

    def _fetch_token(self) -> tuple[str, float]:
        now = int(self._clock.now().timestamp())
        claims = {
            "iss": self._email,
            "sub": self._subject,
            "scope": SCOPE,
            "aud": self._token_uri,
            "iat": now,
            "exp": now + 3600,
        }
        try:
            assertion = jwt.encode(
                claims, self._key, algorithm="RS256", headers={"kid": self._key_id}
            )
        except (ValueError, TypeError, jwt.PyJWTError) as exc:
            raise ConfigError(f"google: cannot sign with the service-account key: {exc}") from None
        try:
            response = httpx.post(
                self._token_uri,
                data={"grant_type": JWT_GRANT, "assertion": assertion},
                timeout=self._timeout,
            )
        except httpx.HTTPError as exc:
            raise ProviderUnavailable(f"google: token endpoint: {exc}") from None
        body = json_body(response) or {}
        if response.status_code != 200 or "access_token" not in body:
            reason = body.get("error_description") or body.get("error") or response.status_code
            if response.status_code >= 500:
                raise ProviderUnavailable(f"google: token endpoint: {reason}")
            raise ProviderAuthError(f"google: token refused: {reason}")
        return str(body["access_token"]), float(body.get("expires_in", 3600))

    def _mailbox(self, user: dict[str, Any]) -> ProviderMailbox:
        name = user.get("name") or {}
        login = user.get("lastLoginTime")
        return ProviderMailbox(
            address=str(user["primaryEmail"]).lower(),
            provider_id=str(user.get("id", "")),
            display_name=join_name(str(name.get("givenName", "")), str(name.get("familyName", ""))),
            suspended=bool(user.get("suspended", False)),
            last_login_at=_time(login) if login and login != NEVER else None,
            created_at=_time(user["creationTime"]) if user.get("creationTime") else None,
        )

    @staticmethod
    def _check(response: httpx.Response, subject: str) -> Any:
        if response.status_code < 400:
            return json_body(response) or {}
        raise _error(response, subject)


def _error(response: httpx.Response, subject: str) -> MailboxProviderError:
    body = json_body(response) or {}
    error = body.get("error") if isinstance(body, dict) else None
    error = error if isinstance(error, dict) else {}
    message = str(error.get("message") or response.reason_phrase)
    reasons = {str(e.get("reason")) for e in error.get("errors", []) if isinstance(e, dict)}
    reason = f"google: {message} ({subject})"
    status = response.status_code
    if reasons & _RATE_REASONS:
        return RateLimited(reason)
    if status == 409 or "duplicate" in reasons:
        return MailboxExists(reason)
    if status == 404:
        return MailboxNotFound(reason)
    if status == 412:
        return QuotaExhausted(reason)
    if status in (401, 403):
        return ProviderAuthError(reason)
    return MailboxRejected(reason)


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
