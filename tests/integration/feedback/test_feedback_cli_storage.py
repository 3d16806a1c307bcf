"""``mailfleet feedback ingest|rates|serve`` against the embedded database."""

from __future__ import annotations

import json
import os
import signal
import smtplib
import subprocess
import sys
from pathlib import Path

from feedback_servers import free_port, wait_for_banner
from typer.testing import CliRunner

from mailfleet.cli.app import app

CORPUS = Path(__file__).parents[2] / "corpus" / "feedback" / "messages"


def _run(data_dir: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["--data-dir", str(data_dir), *args])
    return result.exit_code, result.stdout


def test_ingest_files_then_rates(tmp_path: Path) -> None:
    """Ingested files store events and suppressions; rates count them per sending domain."""
    files = [
        str(CORPUS / "mta" / "gmail_no_such_user.eml"),
        str(CORPUS / "mta" / "postfix_delayed.eml"),
        str(CORPUS / "other" / "outlook_ooo.eml"),
    ]
    code, out = _run(tmp_path, "feedback", "ingest", *files, "--json")
    assert code == 0, out
    results = json.loads(out)
    assert [r["suppressed"] for r in results] == [["kim.lee@gmail.com"], [], []]
    assert results[2]["ignored"] == "not a bounce or complaint"
    code, out = _run(tmp_path, "feedback", "rates", "--json")
    assert code == 0
    [row] = json.loads(out)
    assert (row["domain"], row["bounces"], row["hard_bounces"], row["deferrals"]) == (
        "sender.example",
        1,
        1,
        1,
    )


def test_serve_accepts_a_bounce_and_stops_on_sigterm(tmp_path: Path) -> None:
    """The intake command takes a bounce over SMTP, suppresses, and exits cleanly."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mailfleet",
            "--data-dir",
            str(tmp_path),
            "feedback",
            "serve",
            "--bounce-domain",
            "bounce.mailfleet.example",
            "--port",
            str(port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for_banner(port, timeout=30)
        raw = (CORPUS / "mta" / "postfix_user_unknown.eml").read_bytes().replace(b"\n", b"\r\n")
        # the corpus token is signed with no real key: as a plain bounce address it is trusted,
        # as a VERP token it would be (rightly) ignored as forged
        raw = raw.replace(b"bounces+mfsxgzdgmjzhe.abcdefghijklmnop@", b"bounces@")
        with smtplib.SMTP("127.0.0.1", port) as client:
            client.ehlo()
            client.mail("")
            assert client.rcpt("someone@else.example")[0] == 550
            assert client.rcpt("bounces@bounce.mailfleet.example")[0] == 250
            assert client.data(raw)[0] == 250
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)
    assert process.returncode == 0, process.stderr.read() if process.stderr else ""
    code, out = _run(tmp_path, "suppression", "list", "--json")
    assert code == 0
    assert [e["address"] for e in json.loads(out)] == ["jane.doe@recipient.example"]


def test_ingest_with_workers_matches_one_process(tmp_path: Path) -> None:
    """`feedback ingest --workers 2` over the whole corpus reports what one process reports."""
    files = sorted(str(p) for p in CORPUS.rglob("*") if p.suffix in (".eml", ".txt"))
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir(), two.mkdir()
    code, out_one = _run(one, "feedback", "ingest", "--workers", "1", *files, "--json")
    assert code == 0, out_one
    code, out_two = _run(two, "feedback", "ingest", "--workers", "2", *files, "--json")
    assert code == 0, out_two
    assert json.loads(out_two) == json.loads(out_one)
    assert sum(len(r["suppressed"]) for r in json.loads(out_one)) > 50


def test_serve_takes_its_addresses_and_size_limit_from_the_settings(tmp_path: Path) -> None:
    """Without flags, the intake accepts the settings' bounce domain and FBL address and
    refuses a message over the settings' size limit."""
    port = free_port()
    env = {
        **os.environ,
        "MAILFLEET_FEEDBACK_BOUNCE_DOMAINS": "bounce.one.example, Bounce.Two.example",
        "MAILFLEET_FEEDBACK_FBL_ADDRESSES": "fbl@reports.example",
        "MAILFLEET_FEEDBACK_MAX_BYTES": "4096",
    }
    command = [sys.executable, "-m", "mailfleet", "--data-dir", str(tmp_path), "feedback"]
    process = subprocess.Popen(
        [*command, "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        wait_for_banner(port, timeout=30)
        with smtplib.SMTP("127.0.0.1", port) as client:
            client.ehlo()
            client.mail("")
            assert client.rcpt("bounces@bounce.three.example")[0] == 550
            assert client.rcpt("bounces@bounce.two.example")[0] == 250
            assert client.rcpt("fbl@reports.example")[0] == 250
            big = b"Subject: big\r\n\r\n" + (b"y" * 70 + b"\r\n") * 120  # 8.6 KB, short lines
            assert client.data(big)[0] == 552
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)
    assert process.returncode == 0, process.stderr.read() if process.stderr else ""


def test_serve_without_any_report_address_refuses_to_start(tmp_path: Path) -> None:
    """No --bounce-domain and no setting: a clear error, not an intake that accepts nothing."""
    result = CliRunner().invoke(app, ["--data-dir", str(tmp_path), "feedback", "serve"])
    assert result.exit_code != 0
    assert "feedback_bounce_domains" in result.stdout + result.stderr
