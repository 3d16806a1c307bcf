"""Microsoft 365 users through Microsoft Graph (``/v1.0/users`` and ``assignLicense``).

Authentication is the OAuth 2.0 client-credentials grant (RFC 6749 section 4.4) against the
tenant's ``/oauth2/v2.0/token`` with scope ``https://graph.microsoft.com/.default``. A new
user is created, then given the configured licence (SKU), which is what gives it a mailbox;
``update`` assigns the licence again, so a run cut between the two calls is completed by the
next. Errors come as ``{"error": {"code", "message", "details": [{"code"}]}}``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import httpx

from mailfleet.adapters.mailboxes.http import BearerToken, JsonApi, json_body
from mailfleet.core.mailboxes.errors import (
    MailboxExists,
    MailboxNotFound,
    MailboxProviderError,
    MailboxRejected,
    ProviderAuthError,
    ProviderUnavailable,
    QuotaExhausted,
)
from mailfleet.core.mailboxes.model import Capabilities, DesiredMailbox, ProviderMailbox
from mailfleet.core.ports import Clock
from mailfleet.core.secrets import Secret
from mailfleet.policy.mailboxes import capabilities as declared

SCOPE = "https://graph.microsoft.com/.default"
_SELECT = "id,userPrincipalName,displayName,accountEnabled,createdDateTime"


class Microsoft365Provider:
    """Implements ``MailboxProvider`` on Microsoft Graph."""

    def __init__(
        self,
        tenant_id: str,
        client_id: str,
        client_secret: Secret,
        *,
        clock: Clock,
        sku_id: str | None = None,
        usage_location: str = "US",
        graph_url: str = "https://graph.microsoft.com",
        login_url: str = "https://login.microsoftonline.com",
        timeout: float = 30.0,
    ) -> None:
        self._token_url = f"{login_url.rstrip('/')}/{tenant_id}/oauth2/v2.0/token"
        self._client_id = client_id
        self._client_secret = client_secret
        self._sku = sku_id
        self._usage_location = usage_location
        self._timeout = timeout
        self._token = BearerToken(self._fetch_token, clock.now)
        self._api = JsonApi(
            graph_url.rstrip("/") + "/v1.0",
            name="microsoft365",
            headers=self._token.header,
            now=clock.now,
            timeout=timeout,
        )

    @property
    def capabilities(self) -> Capabilities:
        """Display name and sign-in blocking (``accountEnabled``)."""
        return declared("microsoft365")

    def list_mailboxes(self, domains: Sequence[str]) -> list[ProviderMailbox]:
        """Users whose UPN ends in each domain, following ``@odata.nextLink``."""
        found: list[ProviderMailbox] = []
        for domain in domains:
            url: str | None = "/users"
            params: dict[str, str] | None = {
                "$filter": f"endswith(userPrincipalName,'@{domain}')",
                "$count": "true",
                "$select": _SELECT,
                "$top": "999",
            }
            while url:
                response = self._api.send(
                    "GET", url, params=params, headers={"ConsistencyLevel": "eventual"}
                )
                body = self._check(response, domain)
                found += [self._mailbox(user) for user in body.get("value", [])]
                url, params = body.get("@odata.nextLink"), None
        return found

    def create(self, mailbox: DesiredMailbox, password: Secret) -> ProviderMailbox:
        """``POST /users``, then ``assignLicense`` when a SKU is configured."""
        body = {
            "accountEnabled": True,
            "displayName": mailbox.display_name,
            "mailNickname": mailbox.username,
            "userPrincipalName": mailbox.address,
            "usageLocation": self._usage_location,
            "passwordProfile": {
                "forceChangePasswordNextSignIn": False,
                "password": password.reveal(),
            },
        }
        user = self._check(self._api.send("POST", "/users", json=body), mailbox.address)
        self._license(str(user.get("id", mailbox.address)), mailbox.address)
        return self._mailbox(user)

    def update(self, mailbox: DesiredMailbox) -> None:
        """``PATCH /users/{upn}``: name, enabled; then the licence again."""
        body = {"displayName": mailbox.display_name, "accountEnabled": True}
        self._patch(mailbox.address, body)
        self._license(mailbox.address, mailbox.address)

    def set_password(self, address: str, password: Secret) -> None:
        """``PATCH`` the password profile."""
        profile = {"forceChangePasswordNextSignIn": False, "password": password.reveal()}
        self._patch(address, {"passwordProfile": profile})

    def suspend(self, address: str) -> None:
        """Block sign-in (``accountEnabled: false``); the mailbox and licence are kept."""
        self._patch(address, {"accountEnabled": False})

    def delete(self, address: str) -> None:
        """``DELETE /users/{upn}`` (Microsoft keeps it restorable for 30 days)."""
        self._check(self._api.send("DELETE", f"/users/{address}"), address)

    def close(self) -> None:
        """Close the HTTP client."""
        self._api.close()

    def _patch(self, address: str, body: dict[str, Any]) -> None:
        self._check(self._api.send("PATCH", f"/users/{address}", json=body), address)

    def _license(self, key: str, address: str) -> None:
        if not self._sku:
            return
        body = {"addLicenses": [{"skuId": self._sku, "disabledPlans": []}], "removeLicenses": []}
        self._check(self._api.send("POST", f"/users/{key}/assignLicense", json=body), address)

    def _fetch_token(self) -> tuple[str, float]:
        form = {
            "client_id": self._client_id,
            "client_secret": self._client_secret.reveal(),
            "scope": SCOPE,
            "grant_type": "client_credentials",
        }
        try:
            response = httpx.post(self._token_url, data=form, timeout=self._timeout)
        except httpx.HTTPError as exc:
            raise ProviderUnavailable(f"microsoft365: token endpoint: {exc}") from None
        body = json_body(response) or {}
        if response.status_code != 200 or "access_token" not in body:
            reason = body.get("error_description") or body.get("error") or response.status_code
            if response.status_code >= 500:
                raise ProviderUnavailable(f"microsoft365: token endpoint: {reason}")
            raise ProviderAuthError(f"microsoft365: token refused: {reason}")
        return str(body["access_token"]), float(body.get("expires_in", 3599))

    @staticmethod
    def _mailbox(user: dict[str, Any]) -> ProviderMailbox:
        created = user.get("createdDateTime")
        return ProviderMailbox(
            address=str(user["userPrincipalName"]).lower(),
            provider_id=str(user.get("id", "")),
            display_name=str(user.get("displayName") or ""),
            suspended=not user.get("accountEnabled", True),
            created_at=datetime.fromisoformat(created.replace("Z", "+00:00")) if created else None,
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
    codes = {str(error.get("code", ""))} | {
        str(d.get("code")) for d in error.get("details", []) if isinstance(d, dict)
    }
    reason = f"microsoft365: {message} ({subject})"
    lowered = message.lower()
    if "ObjectConflict" in codes or "already exists" in lowered:
        return MailboxExists(reason)
    if response.status_code == 404 or "Request_ResourceNotFound" in codes:
        return MailboxNotFound(reason)
    if "available licenses" in lowered or "LicenseLimitExceeded" in codes:
        return QuotaExhausted(reason)
    if response.status_code in (401, 403):
        return ProviderAuthError(reason)
    return MailboxRejected(reason)
