"""A bounce mailbox over IMAP (RFC 9051 / RFC 3501), with the standard library's imaplib.

Messages are fetched with ``BODY.PEEK[]`` so that reading does not mark them seen: only once
their reports are stored are they flagged ``\\Seen`` or moved (``UID MOVE``, RFC 6851, with a
copy + delete + expunge fallback). A crash between the two leaves them unseen, to be read again;
ingesting a report twice stores its events twice but never suppresses anyone wrongly.
"""

from __future__ import annotations

import contextlib
import imaplib
import re
from collections.abc import Sequence

from mailfleet.core.errors import ProviderError
from mailfleet.core.feedback.ports import MailboxMessage
from mailfleet.core.secrets import Secret

_UID = re.compile(rb"UID (\d+)")


class ImapError(ProviderError):
    """The IMAP server refused or failed a command (never carries the password)."""


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


class ImapBounceMailbox:
    """One folder of an IMAP account, logged in on construction."""

    def __init__(
        self,
        host: str,
        port: int,
        user: str,
        password: Secret,
        *,
        folder: str = "INBOX",
        move_to: str | None = None,
        use_ssl: bool = False,
        timeout: float = 30.0,
    ) -> None:
        self._move_to = move_to
        try:
            cls = imaplib.IMAP4_SSL if use_ssl else imaplib.IMAP4
            self._imap = cls(host, port, timeout=timeout)
            self._imap.login(user, password.reveal())
            status, _ = self._imap.select(_quote(folder))
        except (TimeoutError, imaplib.IMAP4.error, OSError) as exc:
            raise ImapError(f"IMAP {host}:{port} as {user}: {_describe(exc)}") from None
        if status != "OK":
            raise ImapError(f"IMAP folder {folder!r} cannot be selected")

    def unseen(self, limit: int) -> list[MailboxMessage]:
        """Up to ``limit`` unseen messages, by ascending UID, fetched without setting \\Seen
        (one FETCH command for the lot)."""
        try:
            _, data = self._imap.uid("SEARCH", "UNSEEN")
            uids = sorted((data[0] or b"").split(), key=int)[:limit]
            if not uids:
                return []
            which = b",".join(uids).decode()
            _, parts = self._imap.uid("FETCH", which, "(UID BODY.PEEK[])")
        except (imaplib.IMAP4.error, OSError) as exc:
            raise ImapError(f"IMAP fetch failed: {_describe(exc)}") from None
        found: dict[int, bytes] = {}
        for part in parts:
            if isinstance(part, tuple) and (match := _UID.search(part[0])):
                found[int(match.group(1))] = bytes(part[1])
        return [MailboxMessage(str(uid), found[uid]) for uid in sorted(found)]

    def done(self, uids: Sequence[str]) -> None:
        """Flag the messages seen, or move them to the processed folder."""
        if not uids:
            return
        which = ",".join(uids)
        try:
            if self._move_to is None:
                self._imap.uid("STORE", which, "+FLAGS.SILENT", "(\\Seen)")
                return
            self._imap.uid("STORE", which, "+FLAGS.SILENT", "(\\Seen)")
            status, _ = self._imap.uid("MOVE", which, _quote(self._move_to))
            if status != "OK":  # servers without RFC 6851
                status, _ = self._imap.uid("COPY", which, _quote(self._move_to))
                if status != "OK":
                    raise ImapError(f"cannot move to {self._move_to!r}")
                self._imap.uid("STORE", which, "+FLAGS.SILENT", "(\\Deleted)")
                self._imap.expunge()
        except (imaplib.IMAP4.error, OSError) as exc:
            raise ImapError(f"IMAP store failed: {_describe(exc)}") from None

    def close(self) -> None:
        """Log out, ignoring a connection that is already gone."""
        with contextlib.suppress(imaplib.IMAP4.error, OSError):
            self._imap.logout()


def _describe(exc: BaseException) -> str:
    text = exc.args[0] if exc.args else type(exc).__name__
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return str(text)[:200]
