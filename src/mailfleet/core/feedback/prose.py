"""Non-standard bounces: recipients and their diagnostics found in a report's prose.

Exim, qmail, old Sendmail, Yahoo, GMX/web.de, mail.ru, Domino, GroupWise and legacy Exchange
write their reports for people. What they share: the failed addresses appear in the report
before the quoted original, each followed by the receiver's reply. So the report is cut at the
first marker of the quoted original (rules ``original_markers``), the addresses left that are
not the report's own parties are the recipients, and the text that follows each one, up to
the next, is its diagnostic. flufl.bounce's detectors are the last resort.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import Message

from mailfleet.core.feedback.rules import DetectRules

_ADDRESS = re.compile(
    r"(?<![\w.+\-=/%])([A-Za-z0-9!#$%&'*+/=?^_`{|}~\-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~\-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63})(?![\w\-])"
)
_ID_LINE = re.compile(
    r"^.*(message-id|in-reply-to|references|msgid|queue id)\s*[:=].*$", re.I | re.M
)
_SERVICE_LOCALS = frozenset(
    {
        "postmaster",
        "mailer-daemon",
        "mailer_daemon",
        "mailerdaemon",
        "maildaemon",
        "root",
        "abuse",
        "noreply",
        "no-reply",
        "helpdesk",
        "support",
        "hostmaster",
        "webmaster",
    }
)
_DIAGNOSTIC_LIMIT = 600
_CODE_BEFORE = re.compile(r"\b[45]\d\d\b|\b[45]\.\d{1,3}\.\d{1,3}\b")
_SENDER_BEFORE = re.compile(r"\bfrom:?\s*<?$", re.IGNORECASE)
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class ProseRecipient:
    """An address found in a report's prose and the text that follows it."""

    address: str
    diagnostic: str


def report_section(text: str, detect: DetectRules) -> str:
    """The report's own text, before the quoted original message."""
    position = detect.original_markers.first_position(text)
    return text if position is None else text[:position]


def _candidates(section: str, excluded: set[str]) -> list[tuple[int, int, str]]:
    masked = _ID_LINE.sub(lambda m: " " * len(m.group(0)), section)
    found = []
    for match in _ADDRESS.finditer(masked):
        address = match.group(1).strip(".'`\"")
        local = address.rsplit("@", 1)[0].lower()
        if address.lower() in excluded or local in _SERVICE_LOCALS:
            continue
        if _SENDER_BEFORE.search(masked, max(0, match.start() - 12), match.start()):
            continue  # "mail from <x@y>": a sender named in the report, not a recipient
        found.append((match.start(), match.end(), address))
    return found


def prose_recipients(section: str, excluded: set[str]) -> list[ProseRecipient]:
    """Addresses in ``section`` (minus ``excluded``, lower case) with their diagnostics."""
    found = _candidates(section, excluded)
    results: dict[str, ProseRecipient] = {}
    for index, (start, end, address) in enumerate(found):
        key = address.lower()
        if key in results:
            continue
        stop = len(section)
        for later_start, _later_end, later in found[index + 1 :]:
            if later.lower() != key:
                stop = later_start
                break
        # The reply may precede the address on its line ("<<< 550 5.1.1 <x@y>... unknown").
        line_start = section.rfind("\n", 0, start) + 1
        before = section[line_start:start]
        text = section[line_start:stop] if _CODE_BEFORE.search(before) else section[end:stop]
        diagnostic = _SPACE.sub(" ", text).strip(" :>)\"'")
        results[key] = ProseRecipient(address, diagnostic[:_DIAGNOSTIC_LIMIT])
    return list(results.values())


def flufl_failures(message: Message) -> tuple[set[str], set[str]]:
    """flufl.bounce's (temporary, permanent) addresses; empty when it cannot read the message.

    flufl.bounce raises on some malformed messages (bad charsets, odd structures); a report
    it cannot read is simply one it has nothing to add to.
    """
    try:
        from flufl.bounce import all_failures

        temporary, permanent = all_failures(message)
    except Exception:  # the library is a best-effort heuristic; its failures are not ours
        return set(), set()
    return _decoded(temporary), _decoded(permanent)


def _decoded(addresses: object) -> set[str]:
    result = set()
    for item in addresses if isinstance(addresses, set | frozenset | list | tuple) else ():
        text = item.decode("utf-8", "replace") if isinstance(item, bytes) else str(item)
        text = text.strip().strip("<>")
        if "@" in text:
            result.add(text)
    return result
