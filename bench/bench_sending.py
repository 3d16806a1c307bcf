"""Sending benchmarks: DKIM signatures per second, and the full pipeline against its raw limit.

Part 1 signs the same 10 KB messages with the same RSA-2048 key through mailfleet's signer
(OpenSSL via ``cryptography``) and through stock dkimpy (pure-Python RSA), in the same run.

Part 2 sends 10 KB messages to a sink on loopback in its own process (Postfix's C
``smtp-sink`` when installed, else the aiosmtpd sink) twice: the raw limit is a bare loop that
signs with the same key and sends over the same number of pooled connections; the pipeline is
the dispatcher with everything on (claim from the queue, send gate, suppression check,
headers, VERP, DKIM, SMTP, batched settle of the outcomes). With ``--processes N`` both run
as N processes sharing the connections (the raw loop splits the messages, the dispatchers
share one PostgreSQL queue), started together once all are ready.

    .venv/bin/python bench/bench_sending.py            # everything
    .venv/bin/python bench/bench_sending.py --part sign
    .venv/bin/python bench/bench_sending.py --part pipeline --pg --processes 2
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import aiosmtplib
import dkim
import psycopg
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from mailfleet.adapters.clock import SystemClock
from mailfleet.adapters.db.database import Database
from mailfleet.adapters.sending.memory import (
    InMemoryDkimKeys,
    InMemorySendGate,
    InMemorySuppressions,
)
from mailfleet.adapters.sending.smtp_pipeline import PipelinedSession
from mailfleet.adapters.sending.smtp_relay import (
    SmtpRelay,
    SmtpRelayConfig,
    dot_stuff,
    send_data,
)
from mailfleet.adapters.sending.smtp_sink import free_port
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


PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
SMTP_SINK = "/usr/sbin/smtp-sink"


@contextmanager
def postgres_database() -> Iterator[str]:
    """A temporary PostgreSQL database, dropped afterwards."""
    name = f"sending_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def running_sink(kind: str) -> Iterator[int]:
    """A sink in a process of its own; yields its port.

    ``smtp-sink`` (Postfix's test server, in C, advertises PIPELINING) costs the client side
    almost nothing; the aiosmtpd sink is Python and competes with the client for the cores.
    """
    if kind == "smtp-sink":
        port = free_port()
        user = ["-u", "nobody"] if os.geteuid() == 0 else []
        process = subprocess.Popen([SMTP_SINK, *user, f"127.0.0.1:{port}", "256"])
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    process.kill()
                    raise RuntimeError("smtp-sink did not start") from None
                time.sleep(0.05)
        try:
            yield port
        finally:
            process.terminate()
            process.wait()
        return
    sink = subprocess.Popen(
        [sys.executable, "-c", SINK_SCRIPT],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert sink.stdout is not None
    try:
        yield int(sink.stdout.readline())
    finally:
        sink.communicate("")


async def raw_send(
    key: DkimKey, port: int, indices: list[int], connections: int, pipelining: bool = True
) -> None:
    """A bare loop: ``connections`` SMTP sessions each sign and send prebuilt messages.

    No queue, no pool, no result handling: MAIL, RCPT, DATA on persistent aiosmtplib
    connections, exactly the SMTP commands and DATA writing (``send_data``) the relay uses,
    pipelined (RFC 2920) as the relay pipelines them when the sink offers it.
    """
    signer = DkimSigner([key])
    todo = [(i, make_message(i)) for i in indices]

    async def session() -> None:
        client = aiosmtplib.SMTP(hostname="127.0.0.1", port=port)
        await client.connect()
        await client.ehlo()
        if pipelining and client.supports_extension("pipelining"):
            pipe = PipelinedSession.take_over(client)
            while todo:
                i, message = todo.pop()
                data = dot_stuff(signer.sign(message, timestamp=1767603600))
                rcpt = f"<user{i}@example.org>".encode()
                await pipe.transaction(b"<b@bench.example>", [rcpt], data)
            await pipe.quit()
            return
        while todo:
            i, message = todo.pop()
            data = signer.sign(message, timestamp=1767603600)
            await client.execute_command(b"MAIL", b"FROM:<b@bench.example>")
            await client.execute_command(b"RCPT", f"TO:<user{i}@example.org>".encode())
            await send_data(client, data)
        await client.quit()

    await asyncio.gather(*(session() for _ in range(connections)))


async def raw_limit(
    key: DkimKey, port: int, count: int, connections: int, pipelining: bool = True
) -> float:
    """The raw loop in this process; messages per second."""
    start = time.perf_counter()
    await raw_send(key, port, list(range(count)), connections, pipelining)
    return rate(count, time.perf_counter() - start)


def fill_queue(url: str, count: int) -> None:
    """Queue ``count`` 10 KB messages from ten mailboxes."""
    database = Database(url)
    database.prepare(auto_upgrade=True)
    body = make_message(0).partition(b"\r\n\r\n")[2].decode()
    drafts = [
        MessageDraft(f"s{i % 10}@bench.example", f"user{i}@example.org", f"Issue {i}", body,
                     campaign="b")
        for i in range(count)
    ]  # fmt: skip
    SqlMessageQueue(database).enqueue(drafts, datetime.now(UTC))
    database.dispose()


async def dispatch(
    key: DkimKey, port: int, count: int, connections: int, url: str, batch: int, worker: str,
    pipelining: bool = True,
) -> dict[str, int]:  # fmt: skip
    """One dispatcher draining the queue at ``url`` into the sink; its settled states."""
    database = Database(url)
    senders = [f"s{i}@bench.example" for i in range(10)]
    dispatcher = Dispatcher(
        queue=SqlMessageQueue(database),
        relay=SmtpRelay(
            SmtpRelayConfig("127.0.0.1", port, pool_size=connections, pipelining=pipelining)
        ),
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
        worker=worker,
    )
    report = await dispatcher.drain()
    await dispatcher.relay.close()
    database.dispose()
    return report.states


async def pipeline(
    key: DkimKey, port: int, count: int, connections: int, url: str, batch: int,
    pipelining: bool = True,
) -> float:  # fmt: skip
    """The dispatcher draining ``count`` queued 10 KB messages through the same sink."""
    fill_queue(url, count)
    start = time.perf_counter()
    states = await dispatch(key, port, count, connections, url, batch, "bench", pipelining)
    elapsed = time.perf_counter() - start
    assert states.get("sent") == count, states
    return rate(count, elapsed)


def worker_main(args: argparse.Namespace) -> None:
    """A benchmark process: load the key, say ready, wait for go, run, print the end time."""
    key = DkimKey("bench.example", "s1", DkimAlgorithm.RSA_SHA256, Path(args.key_file).read_bytes())
    DkimSigner([key])  # parse once before the clock starts, as a long-running worker would
    print("ready", flush=True)
    sys.stdin.readline()
    states: dict[str, int] = {}
    if args.worker == "raw":
        indices = list(range(args.index, args.count, args.processes))
        asyncio.run(raw_send(key, args.port, indices, args.connections, args.pipelining))
        states = {"sent": len(indices)}
    else:
        states = asyncio.run(
            dispatch(
                key, args.port, args.count, args.connections, args.database_url, args.batch,
                f"bench-{args.index}", args.pipelining,
            )
        )  # fmt: skip
    print(json.dumps({"end": time.time(), "states": states}), flush=True)


def run_processes(kind: str, key_file: Path, port: int, args: argparse.Namespace) -> float:
    """``args.processes`` workers of ``kind`` started together; messages per second overall."""
    per_process = max(1, args.connections // args.processes)
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--worker",
                kind,
                "--key-file",
                str(key_file),
                "--port",
                str(port),
                "--count",
                str(args.count),
                "--connections",
                str(per_process),
                "--batch",
                str(args.batch),
                "--processes",
                str(args.processes),
                "--index",
                str(n),
                "--database-url",
                args.database_url or "",
                *([] if args.pipelining else ["--no-pipelining"]),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for n in range(args.processes)
    ]
    for worker in workers:
        assert worker.stdout is not None
        assert worker.stdout.readline().strip() == "ready"
    start = time.time()
    for worker in workers:
        assert worker.stdin is not None
        worker.stdin.write("go\n")
        worker.stdin.flush()
    ends, sent = [], 0
    for worker in workers:
        out, _ = worker.communicate()
        result = json.loads(out.strip().splitlines()[-1])
        ends.append(result["end"])
        sent += result["states"].get("sent", 0)
    assert sent == args.count, f"{kind}: {sent} of {args.count} sent"
    return rate(args.count, max(ends) - start)


def bench_pipeline(args: argparse.Namespace) -> tuple[list[float], list[float]]:
    """Raw limit and pipeline, alternated ``rounds`` times: same key, sink and connections.

    Alternating keeps both figures exposed to the same background load on a shared machine.
    """
    key = make_key()
    raws: list[float] = []
    fulls: list[float] = []
    with running_sink(args.sink) as port, tempfile.TemporaryDirectory() as folder:
        key_file = Path(folder) / "key.pem"
        key_file.write_bytes(key.private_pem)
        for n in range(args.rounds):
            if args.processes == 1:
                url = args.database_url or f"sqlite:///{Path(folder) / f'bench{n}.db'}"
                raws.append(
                    asyncio.run(raw_limit(key, port, args.count, args.connections, args.pipelining))
                )
                fulls.append(
                    asyncio.run(
                        pipeline(
                            key, port, args.count, args.connections, url, args.batch,
                            args.pipelining,
                        )
                    )
                )  # fmt: skip
                continue
            raws.append(run_processes("raw", key_file, port, args))
            fill_queue(args.database_url, args.count)
            fulls.append(run_processes("dispatch", key_file, port, args))
    return raws, fulls


def main() -> None:
    """Run the parts asked for and print their figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--part", choices=["sign", "pipeline", "all"], default="all")
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--connections", type=int, default=8, help="in all processes together")
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite")
    parser.add_argument("--pg", action="store_true", help="a temporary PostgreSQL database")
    parser.add_argument("--processes", type=int, default=1, help="> 1 needs PostgreSQL")
    parser.add_argument(
        "--sink",
        choices=["smtp-sink", "aiosmtpd"],
        default="smtp-sink" if shutil.which(SMTP_SINK) else "aiosmtpd",
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--no-pipelining",
        dest="pipelining",
        action="store_false",
        help="one SMTP command per round trip, in the raw loop and the relay alike",
    )
    # internal: one benchmark process
    parser.add_argument("--worker", choices=["raw", "dispatch"], help=argparse.SUPPRESS)
    parser.add_argument("--key-file", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--index", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker_main(args)
        return
    if args.part in ("sign", "all"):
        ours, stock = bench_sign(args.count, max(50, args.count // 20))
        print("DKIM RSA-2048 signing, 10 KB messages, one core")
        print(f"  mailfleet (cryptography/OpenSSL): {ours:8.0f} signatures/s")
        print(f"  stock dkimpy (pure Python RSA):   {stock:8.0f} signatures/s")
        print(f"  speed-up: {ours / stock:.1f}x")
    if args.part in ("pipeline", "all"):
        if args.pg:
            with postgres_database() as url:
                args.database_url = url
                report_pipeline(args)
        else:
            if args.processes > 1 and not args.database_url:
                parser.error("--processes > 1 shares one PostgreSQL queue: add --pg")
            report_pipeline(args)


def report_pipeline(args: argparse.Namespace) -> None:
    """Run the pipeline part and print its figures."""
    raws, fulls = bench_pipeline(args)
    raw, full = max(raws), max(fulls)
    backend = "PostgreSQL" if args.database_url else "SQLite"
    print(
        f"Sending {args.count} x 10 KB messages to a loopback {args.sink}, "
        f"{args.connections} connections over {args.processes} process(es), "
        f"pipelining {'on' if args.pipelining else 'off'}, "
        f"queue on {backend}, best of {args.rounds}"
    )
    print(f"  raw limit (sign + SMTP, bare loop): {raw:8.0f} msg/s  {_runs(raws)}")
    print(f"  full pipeline (claim..settle):      {full:8.0f} msg/s  {_runs(fulls)}")
    print(f"  ratio: {full / raw:.0%}")
    print(f"  load average at the end: {os.getloadavg()[0]:.1f}")


def _runs(values: list[float]) -> str:
    return "(runs: " + ", ".join(f"{v:.0f}" for v in values) + ")"


if __name__ == "__main__":
    main()
