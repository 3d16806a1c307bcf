"""Sending benchmarks: DKIM signatures per second, and the full pipeline against its raw limit.

Part 1 signs the same 10 KB messages with the same RSA-2048 key through mailfleet's signer
(OpenSSL via ``cryptography``) and through stock dkimpy (pure-Python RSA), in the same run.

    .venv/bin/python bench/bench_sending.py            # everything
    .venv/bin/python bench/bench_sending.py --part sign
"""

from __future__ import annotations

import argparse
import time

import dkim
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from mailfleet.core.sending.dkim import DkimAlgorithm, DkimKey, DkimSigner


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


def main() -> None:
    """Run the parts asked for and print their figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--part", choices=["sign", "pipeline", "all"], default="all")
    parser.add_argument("--count", type=int, default=2000)
    args = parser.parse_args()
    if args.part in ("sign", "all"):
        ours, stock = bench_sign(args.count, max(50, args.count // 20))
        print("DKIM RSA-2048 signing, 10 KB messages, one core")
        print(f"  mailfleet (cryptography/OpenSSL): {ours:8.0f} signatures/s")
        print(f"  stock dkimpy (pure Python RSA):   {stock:8.0f} signatures/s")
        print(f"  speed-up: {ours / stock:.1f}x")


if __name__ == "__main__":
    main()
