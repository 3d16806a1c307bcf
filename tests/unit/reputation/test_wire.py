"""The DNS wire pieces, checked against dnspython as the reference implementation."""

from __future__ import annotations

from ipaddress import IPv4Address

import dns.message
import dns.rcode
import dns.rrset
import pytest

from mailfleet.core.reputation.wire import WireError, build_query, parse_reply, question


def test_query_is_what_dnspython_reads() -> None:
    """A built query parses in dnspython as one recursive A question with our ID."""
    wire = build_query(4242, question("2.0.0.127.zen.example"))
    message = dns.message.from_wire(wire)
    assert message.id == 4242
    assert str(message.question[0]) == "2.0.0.127.zen.example. IN A"
    assert message.flags & dns.flags.RD


def _reply(rcode: int = dns.rcode.NOERROR, *addresses: str) -> bytes:
    query = dns.message.make_query("2.0.0.127.zen.example", "A")
    query.id = 7
    reply = dns.message.make_response(query)
    reply.set_rcode(rcode)
    if addresses:
        reply.answer.append(
            dns.rrset.from_text("2.0.0.127.zen.example.", 60, "IN", "A", *addresses)
        )
        reply.answer.append(dns.rrset.from_text("2.0.0.127.zen.example.", 60, "IN", "TXT", '"x"'))
    return reply.to_wire()  # dnspython compresses the repeated owner names


def test_reply_addresses_follow_compression() -> None:
    """A records are read behind compressed owner names; other types are skipped."""
    reply = parse_reply(_reply(dns.rcode.NOERROR, "127.0.0.2", "127.0.0.10"))
    assert reply.id == 7
    assert reply.rcode == 0
    assert len(reply.addresses) == 2  # dnspython keeps an rdataset's order its own way
    assert set(reply.addresses) == {IPv4Address("127.0.0.2"), IPv4Address("127.0.0.10")}
    assert reply.question == question("2.0.0.127.zen.example")


def test_reply_rcode_and_no_answers() -> None:
    """NXDOMAIN is read from the header, with no addresses."""
    reply = parse_reply(_reply(dns.rcode.NXDOMAIN))
    assert (reply.rcode, reply.addresses) == (dns.rcode.NXDOMAIN, ())


@pytest.mark.parametrize("cut", [5, 20, 40])
def test_truncated_garbage_is_refused(cut: int) -> None:
    """A reply cut short is a WireError, never an index error."""
    with pytest.raises(WireError):
        parse_reply(_reply(dns.rcode.NOERROR, "127.0.0.2")[:cut])


def test_query_is_not_a_reply() -> None:
    """A datagram without the QR bit is not taken as a reply."""
    with pytest.raises(WireError, match="not a response"):
        parse_reply(build_query(1, question("a.example")))


def test_bad_names_are_refused() -> None:
    """Empty and over-long labels cannot be encoded."""
    with pytest.raises(ValueError, match="bad label"):
        question("a..example")
    with pytest.raises(ValueError, match="bad label"):
        question("x" * 64 + ".example")
