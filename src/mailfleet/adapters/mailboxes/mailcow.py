"""Mailcow mailboxes through its REST API (``/api/v1``, key in ``X-API-Key``).

Mailcow answers most requests with HTTP 200 and a JSON list of ``{"type", "msg"}`` entries;
``type`` ``success`` or ``danger``/``error``, ``msg`` a message key such as
``object_exists`` or ``password_complexity`` (sometimes a list: key, then arguments). The
daily limit is Mailcow's per-mailbox rate limit with frame ``d``; the relay is its
sender-dependent relay host, referenced by id (``relayhosts`` maps relay names to ids).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from mailfleet.adapters.mailboxes.http import JsonApi, json_body
from mailfleet.core.mailboxes.errors import (
    MailboxExists,
    MailboxNotFound,
    MailboxProviderError,
    MailboxRejected,
    ProviderAuthError,
    QuotaExhausted,
)
from mailfleet.core.mailboxes.model import Capabilities, DesiredMailbox, ProviderMailbox
from mailfleet.core.ports import Clock
from mailfleet.core.secrets import Secret
from mailfleet.policy.mailboxes import capabilities as declared

# Mailcow message keys (data/web/lang/lang.en-gb.json) by the error they mean.
_EXISTS = {"object_exists", "mailbox_exists"}
_NOT_FOUND = {"access_denied_or_not_found", "mailbox_invalid_or_not_found", "domain_not_found"}
_QUOTA = {"max_mailbox_exceeded", "mailbox_quota_exceeded", "mailbox_quota_left_exceeded"}
_AUTH = {"access_denied", "authentication failed"}


class MailcowProvider:
    """Implements ``MailboxProvider`` on Mailcow's API."""

    def __init__(
        self,
        url: str,
        api_key: Secret,
        *,
        clock: Clock,
        quota_mb: int = 1024,
        relayhosts: Mapping[str, str] | None = None,
        timeout: float = 30.0,
    ) -> None:
        self._api = JsonApi(
            url.rstrip("/") + "/api/v1",
            name="mailcow",
            headers=lambda: {"X-API-Key": api_key.reveal()},
            now=clock.now,
            timeout=timeout,
        )
        self._quota = quota_mb
        self._relay_ids = dict(relayhosts or {})
        self._relay_names = {v: k for k, v in self._relay_ids.items()}

    @property
    def capabilities(self) -> Capabilities:
        """Name, daily rate limit, relay host and active flag."""
        return declared("mailcow")

    def list_mailboxes(self, domains: Sequence[str]) -> list[ProviderMailbox]:
        """``GET /get/mailbox/all/{domain}`` for each domain."""
        found: list[ProviderMailbox] = []
        for domain in domains:
            body = self._check(self._api.send("GET", f"/get/mailbox/all/{domain}"), domain)
            rows = body if isinstance(body, list) else [body] if body else []
            found += [self._mailbox(row) for row in rows if isinstance(row, dict) and row]
        return found

    def create(self, mailbox: DesiredMailbox, password: Secret) -> ProviderMailbox:
        """``POST /add/mailbox``, then the rate limit and relay host."""
        body = {
            "local_part": mailbox.username,
            "domain": mailbox.domain,
            "name": mailbox.display_name,
            "quota": str(self._quota),
            "password": password.reveal(),
            "password2": password.reveal(),
            "active": "1",
            "force_pw_update": "0",
            "tls_enforce_in": "1",
            "tls_enforce_out": "1",
        }
        self._check(self._api.send("POST", "/add/mailbox", json=body), mailbox.address)
        self._set_limit(mailbox)
        if mailbox.relay in self._relay_ids:
            self._edit(mailbox.address, {"relayhost": self._relay_ids[mailbox.relay]})
        return ProviderMailbox(
            mailbox.address,
            mailbox.address,
            mailbox.display_name,
            mailbox.daily_limit,
            relay=mailbox.relay,
        )

    def update(self, mailbox: DesiredMailbox) -> None:
        """``POST /edit/mailbox`` (name, active, relay) and ``/edit/rl-mbox``."""
        attr = {"name": mailbox.display_name, "active": "1"}
        if mailbox.relay in self._relay_ids:
            attr["relayhost"] = self._relay_ids[mailbox.relay]
        self._edit(mailbox.address, attr)
        self._set_limit(mailbox)

    def set_password(self, address: str, password: Secret) -> None:
        """``POST /edit/mailbox`` with ``password``/``password2``."""
        self._edit(address, {"password": password.reveal(), "password2": password.reveal()})

    def suspend(self, address: str) -> None:
        """``active: 0``: no login, no sending; mail is kept."""
        self._edit(address, {"active": "0"})

    def delete(self, address: str) -> None:
        """``POST /delete/mailbox``."""
        self._check(self._api.send("POST", "/delete/mailbox", json=[address]), address)

    def close(self) -> None:
        """Close the HTTP client."""
        self._api.close()

    def _edit(self, address: str, attr: Mapping[str, str]) -> None:
        body = {"items": [address], "attr": dict(attr)}
        self._check(self._api.send("POST", "/edit/mailbox", json=body), address)

    def _set_limit(self, mailbox: DesiredMailbox) -> None:
        body = {
            "items": [mailbox.address],
            "attr": {"rl_value": str(mailbox.daily_limit), "rl_frame": "d"},
        }
        self._check(self._api.send("POST", "/edit/rl-mbox", json=body), mailbox.address)

    def _mailbox(self, row: Mapping[str, Any]) -> ProviderMailbox:
        limit = row.get("rl")
        daily = (
            int(limit["value"])
            if isinstance(limit, dict) and limit.get("frame") == "d" and limit.get("value")
            else 0
        )
        relay_id = str((row.get("attributes") or {}).get("relayhost", "0"))
        login = int(row.get("last_imap_login") or 0) or int(row.get("last_smtp_login") or 0)
        return ProviderMailbox(
            address=str(row["username"]),
            provider_id=str(row["username"]),
            display_name=str(row.get("name", "")),
            daily_limit=daily,
            relay=self._relay_names.get(relay_id) if self._relay_ids else None,
            suspended=str(row.get("active", "1")) in ("0", "False", "false"),
            last_login_at=datetime.fromtimestamp(login, UTC) if login else None,
        )

    def _check(self, response: Any, subject: str) -> Any:
        body = json_body(response)
        if response.status_code == 401 or (isinstance(body, dict) and body.get("type") == "error"):
            message = body.get("msg") if isinstance(body, dict) else response.reason_phrase
            raise ProviderAuthError(f"mailcow: {message}")
        if response.status_code >= 400:
            raise MailboxProviderError(f"mailcow: {response.status_code} for {subject}")
        entries = body if isinstance(body, list) else [body]
        for entry in entries:
            if isinstance(entry, dict) and entry.get("type") in ("danger", "error"):
                raise _error(entry.get("msg"), subject)
        return body


def _error(msg: object, subject: str) -> MailboxProviderError:
    key = str(msg[0] if isinstance(msg, list) and msg else msg)
    reason = f"mailcow: {key} ({subject})"
    if key in _EXISTS:
        return MailboxExists(reason)
    if key in _NOT_FOUND:
        return MailboxNotFound(reason)
    if key in _QUOTA:
        return QuotaExhausted(reason)
    if key in _AUTH:
        return ProviderAuthError(reason)
    return MailboxRejected(reason)
