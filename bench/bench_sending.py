"""Sending benchmarks: DKIM signatures per second, and the full pipeline against its raw limit.

Part 1 signs the same 10 KB messages with the same RSA-2048 key through mailfleet's signer
(OpenSSL via ``cryptography``) and through stock dkimpy (pure-Python RSA), in the same run.

Part 2 sends 10 KB messages to an aiosmtpd sink on loopback (in its own process) twice:
the raw limit is a bare loop that signs with the same key and sends over the same number of
pooled connections; the pipeline is the dispatcher with everything on (claim from the queue,
send gate, suppression check, headers, VERP, DKIM, SMTP, batched settle of the outcomes).

    .venv/bin/python bench/bench_sending.py            # everything
    .venv/bin/python bench/bench_sending.py --part sign
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import aiosmtplib
import dkim
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from mailfleet.adapters.clock import SystemClock
from mailfleet.adapters.db.database import Database
from mailfleet.adapters.sending.memory import (
    InMemoryDkimKeys,
    InMemorySendGate,
    InMemorySuppressions,
)
from mailfleet.adapters.sending.smtp_relay import SmtpRelay, SmtpRelayConfig
from mailfleet.adapters.sending.sql_queue import SqlMessageQueue
from mailfleet.core.secrets import Secret
from mailfleet.core.sending.dkim import DkimAlgorithm, DkimKey, DkimSigner
from mailfleet.core.sending.model import MessageDraft
from mailfleet.services.dispatcher import Dispatcher, DispatchSettings

SINK_SCRIPT = """
import sys, time
from mailfleet.adapters.sending.smtp_sink import RecordingSink, start_sink
controller = start_sink(RecordingSink(keep_data=False))
print(controller.port, flush=True)
sys.stdin.read()
controller.stop()
"""


def make_key() -> DkimKey:
    """A fresh RSA-2048 key for bench.example."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return DkimKey("bench.example", "s1", DkimAlgorithm.RSA_SHA256, pem)


def make_message(index: int, size: int = 10_240) -> bytes:
    """A plain-text message of about ``size`` bytes."""
    line = b"The quick brown fox jumps over the lazy dog, again and again.\r\n"
    body = line * (size // len(line))
    head = (
        f"From: News <news@bench.example>\r\nTo: user{index}@example.org\r\n"
        f"Subject: Issue {index}\r\nDate: Mon, 05 Jan 2026 09:00:00 +0000\r\n"
        f"Message-ID: <{index}@bench.example>\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
    ).encode()
    return head + body


def rate(count: int, seconds: float) -> float:
    """Operations per second."""
    return count / seconds if seconds > 0 else float("inf")


def bench_sign(count: int, dkimpy_count: int) -> tuple[float, float]:
    """Signatures per second: mailfleet's signer, then stock dkimpy, same key and messages."""
    key = make_key()
    messages = [make_message(i) for i in range(count)]
    signer = DkimSigner([key])
    start = time.perf_counter()
    for message in messages:
        signer.sign(message, timestamp=1767603600)
    ours = rate(count, time.perf_counter() - start)
    start = time.perf_counter()
    for message in messages[:dkimpy_count]:
        dkim.sign(
            message,
            b"s1",
            b"bench.example",
            key.private_pem,
            canonicalize=(b"relaxed", b"relaxed"),
            include_headers=[b"from", b"to", b"subject", b"date", b"message-id"],
        )
    stock = rate(dkimpy_count, time.perf_counter() - start)
    return ours, stock


def start_sink() -> tuple[subprocess.Popen[str], int]:
    """The aiosmtpd sink in a process of its own; returns it and its port."""
    process = subprocess.Popen(
        [sys.executable, "-c", SINK_SCRIPT],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    return process, int(process.stdout.readline())


async def raw_limit(key: DkimKey, port: int, count: int, connections: int) -> float:
    """A bare loop: ``connections`` SMTP sessions each sign and send prebuilt messages.

    No queue, no pool, no result handling: MAIL, RCPT, DATA on persistent aiosmtplib
    connections, exactly the SMTP commands the relay issues.
    """
    signer = DkimSigner([key])
    messages = [make_message(i) for i in range(count)]
    todo = list(enumerate(messages))

    async def session() -> None:
        client = aiosmtplib.SMTP(hostname="127.0.0.1", port=port)
        await client.connect()
        await client.ehlo()
        while todo:
            i, message = todo.pop()
            data = signer.sign(message, timestamp=1767603600)
            await client.execute_command(b"MAIL", b"FROM:<b@bench.example>")
            await client.execute_command(b"RCPT", f"TO:<user{i}@example.org>".encode())
            await client.data(data)
        await client.quit()

    start = time.perf_counter()
    await asyncio.gather(*(session() for _ in range(connections)))
    return rate(count, time.perf_counter() - start)


async def pipeline(
    key: DkimKey, port: int, count: int, connections: int, url: str, batch: int
) -> float:
    """The dispatcher draining ``count`` queued 10 KB messages through the same sink."""
    database = Database(url)
    database.prepare(auto_upgrade=True)
    queue = SqlMessageQueue(database)
    body = make_message(0).partition(b"\r\n\r\n")[2].decode()
    senders = [f"s{i}@bench.example" for i in range(10)]
    drafts = [
        MessageDraft(senders[i % 10], f"user{i}@example.org", f"Issue {i}", body, campaign="b")
        for i in range(count)
    ]
    queue.enqueue(drafts, datetime.now(UTC))
    dispatcher = Dispatcher(
        queue=queue,
        relay=SmtpRelay(SmtpRelayConfig("127.0.0.1", port, pool_size=connections)),
        gate=InMemorySendGate(mailbox_caps=dict.fromkeys(senders, count)),
        suppressions=InMemorySuppressions({f"gone{i}@example.org" for i in range(1000)}),
        keys=InMemoryDkimKeys({"bench.example": [key]}),
        clock=SystemClock(),
        settings=DispatchSettings(
            verp_key=Secret("k" * 32),
            batch_size=batch,
            concurrency=connections,
            unsubscribe_url="https://bench.example/u",
        ),
        worker="bench",
    )
    start = time.perf_counter()
    report = await dispatcher.drain()
    elapsed = time.perf_counter() - start
    await dispatcher.relay.close()
    database.dispose()
    assert report.states.get("sent") == count, report.states
    return rate(count, elapsed)


def bench_pipeline(
    count: int, connections: int, url: str | None, batch: int, rounds: int
) -> tuple[list[float], list[float]]:
    """Raw limit and pipeline, alternated ``rounds`` times: same key, sink and connections.

    Alternating keeps both figures exposed to the same background load on a shared machine.
    """
    key = make_key()
    sink, port = start_sink()
    raws: list[float] = []
    fulls: list[float] = []
    try:
        for n in range(rounds):
            with tempfile.TemporaryDirectory() as folder:
                database_url = url or f"sqlite:///{Path(folder) / f'bench{n}.db'}"
                raws.append(asyncio.run(raw_limit(key, port, count, connections)))
                fulls.append(
                    asyncio.run(pipeline(key, port, count, connections, database_url, batch))
                )
    finally:
        sink.communicate("")
    return raws, fulls


def main() -> None:
    """Run the parts asked for and print their figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--part", choices=["sign", "pipeline", "all"], default="all")
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if args.part in ("sign", "all"):
        ours, stock = bench_sign(args.count, max(50, args.count // 20))
        print("DKIM RSA-2048 signing, 10 KB messages, one core")
        print(f"  mailfleet (cryptography/OpenSSL): {ours:8.0f} signatures/s")
        print(f"  stock dkimpy (pure Python RSA):   {stock:8.0f} signatures/s")
        print(f"  speed-up: {ours / stock:.1f}x")
    if args.part in ("pipeline", "all"):
        raws, fulls = bench_pipeline(
            args.count, args.connections, args.database_url, args.batch, args.rounds
        )
        raw, full = max(raws), max(fulls)
        backend = "PostgreSQL" if args.database_url else "SQLite"
        print(
            f"Sending {args.count} x 10 KB messages to a loopback aiosmtpd sink, "
            f"{args.connections} connections, queue on {backend}, best of {args.rounds}"
        )
        print(f"  raw limit (sign + SMTP, bare loop): {raw:8.0f} msg/s  {_runs(raws)}")
        print(f"  full pipeline (claim..settle):      {full:8.0f} msg/s  {_runs(fulls)}")
        print(f"  ratio: {full / raw:.0%}")


def _runs(values: list[float]) -> str:
    return "(runs: " + ", ".join(f"{v:.0f}" for v in values) + ")"


if __name__ == "__main__":
    main()
