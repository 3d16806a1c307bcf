"""A fake Mailcow API (``/api/v1``), answering as Mailcow does: 200 with type/msg lists."""

from __future__ import annotations

from typing import Any

from mailbox_fakes_base import FakeApi, Reply, Request, Route


class FakeMailcow(FakeApi):
    """Mailboxes in a dict, keyed by address; passwords kept in clear for the tests' checks."""

    def __init__(self, api_key: str = "test-key", *, max_mailboxes: int | None = None, **kw: Any):
        super().__init__(**kw)
        self.api_key = api_key
        self.max_mailboxes = max_mailboxes
        self.mailboxes: dict[str, dict[str, Any]] = {}
        self.passwords: dict[str, str] = {}

    def routes(self) -> list[tuple[str, str, Route]]:
        return [
            ("GET", "/api/v1/get/mailbox/all", self.get_all),
            ("POST", "/api/v1/add/mailbox", self.add),
            ("POST", "/api/v1/edit/mailbox", self.edit),
            ("POST", "/api/v1/edit/rl-mbox", self.edit_rl),
            ("POST", "/api/v1/delete/mailbox", self.delete),
        ]

    def dispatch(self, request: Request) -> Reply:
        if request.headers.get("X-API-Key") != self.api_key:
            return 401, {"type": "error", "msg": "authentication failed"}, {}
        return super().dispatch(request)

    @staticmethod
    def _danger(msg: Any) -> Reply:
        return 200, [{"type": "danger", "log": [], "msg": msg}], {}

    @staticmethod
    def _ok(msg: Any) -> Reply:
        return 200, [{"type": "success", "log": [], "msg": msg}], {}

    def get_all(self, request: Request) -> Reply:
        domain = request.path.removeprefix("/api/v1/get/mailbox/all").strip("/")
        with self.lock:
            rows = [m for m in self.mailboxes.values() if not domain or m["domain"] == domain]
        return 200, (rows or {}), {}

    def add(self, request: Request) -> Reply:
        body = request.json()
        address = f"{body['local_part']}@{body['domain']}"
        with self.lock:
            self.changing_calls += 1
            canned = self.fail_next.pop(address, None)
            if canned is not None:
                return canned
            if body.get("password") != body.get("password2"):
                return self._danger("password_mismatch")
            if len(body.get("password", "")) < 6:
                return self._danger("password_complexity")
            if address in self.mailboxes:
                return self._danger(["object_exists", address])
            if self.max_mailboxes is not None and len(self.mailboxes) >= self.max_mailboxes:
                return self._danger(["max_mailbox_exceeded", self.max_mailboxes])
            self.creates[address] += 1
            self.passwords[address] = body["password"]
            self.mailboxes[address] = {
                "username": address,
                "domain": body["domain"],
                "local_part": body["local_part"],
                "name": body.get("name", ""),
                "active": int(body.get("active", "1")),
                "quota": int(body.get("quota", "0")) * 1048576,
                "rl": False,
                "attributes": {"relayhost": "0", "force_pw_update": "0"},
                "last_imap_login": 0,
                "last_smtp_login": 0,
            }
        return self._ok(["mailbox_added", address])

    def edit(self, request: Request) -> Reply:
        body = request.json()
        attr = body["attr"]
        with self.lock:
            self.changing_calls += 1
            for address in body["items"]:
                row = self.mailboxes.get(address)
                if row is None:
                    return self._danger(["access_denied_or_not_found", address])
                if "password" in attr:
                    if attr["password"] != attr.get("password2"):
                        return self._danger("password_mismatch")
                    self.passwords[address] = attr["password"]
                if "name" in attr:
                    row["name"] = attr["name"]
                if "active" in attr:
                    row["active"] = int(attr["active"])
                if "relayhost" in attr:
                    row["attributes"]["relayhost"] = str(attr["relayhost"])
        return self._ok(["mailbox_modified", body["items"]])

    def edit_rl(self, request: Request) -> Reply:
        body = request.json()
        with self.lock:
            self.changing_calls += 1
            for address in body["items"]:
                row = self.mailboxes.get(address)
                if row is None:
                    return self._danger(["access_denied_or_not_found", address])
                row["rl"] = {"value": body["attr"]["rl_value"], "frame": body["attr"]["rl_frame"]}
        return self._ok(["rl_saved", body["items"]])

    def delete(self, request: Request) -> Reply:
        with self.lock:
            self.changing_calls += 1
            for address in request.json():
                if self.mailboxes.pop(address, None) is None:
                    return self._danger(["access_denied_or_not_found", address])
        return self._ok(["mailbox_removed"])
