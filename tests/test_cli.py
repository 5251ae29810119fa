"""The command line, run as an admin would: a real process, the authcode on stdin."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from tests import sweep
from tests.fakes import FakeSlack

ROOT = Path(__file__).resolve().parent.parent
AUTHCODE = "cli-authcode-Qw3rty-secret"


def env(tmp_path: Path, **extra: str) -> dict[str, str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "RESCUE_", "DATABASE_", "ENCRYPTION_"))
    }
    base.update(
        PYTHONPATH=str(ROOT),
        DATABASE_URL=f"sqlite:///{tmp_path / 'cli.sqlite3'}",
        LOG_FORMAT="json",
    )
    base.update(extra)
    return base


def run(
    tmp_path: Path, *args: str, stdin: str = "", **extra: str
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env(tmp_path, **extra),
        cwd=tmp_path,
        timeout=60,
    )
    sweep.keep(f"python -m bot {' '.join(args)}", result.stdout + result.stderr)
    return result


def test_link_users_unlink_with_an_explicit_team(tmp_path: Path) -> None:
    linked = run(tmp_path, "link", "U123ABC", "--team", "T9", stdin=AUTHCODE + "\n")
    assert linked.returncode == 0, linked.stderr
    assert "Linked U123ABC" in linked.stdout
    assert "encryption key file" in linked.stderr  # said once, on first start
    listed = run(tmp_path, "users")
    assert listed.returncode == 0 and "U123ABC" in listed.stdout and "cli" in listed.stdout
    assert AUTHCODE not in listed.stdout + listed.stderr
    db = (tmp_path / "cli.sqlite3").read_bytes()
    assert AUTHCODE.encode() not in db
    key_file = tmp_path / "cli.sqlite3.key"
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert run(tmp_path, "unlink", "U123ABC", "--team", "T9").returncode == 0
    again = run(tmp_path, "unlink", "U123ABC", "--team", "T9")
    assert again.returncode == 1 and "was not linked" in again.stdout
    assert "No linked users" in run(tmp_path, "users").stdout


async def test_link_learns_the_team_from_slack(tmp_path: Path) -> None:
    slack = FakeSlack("TFROMSLACK")
    await slack.start()
    try:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "link",
            "U777",
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env(tmp_path, SLACK_BOT_TOKEN="xoxb-1-cli", SLACK_API_URL=slack.api_url()),
            cwd=tmp_path,
        )
        out, err = await process.communicate(AUTHCODE.encode() + b"\n")
        assert process.returncode == 0, err
        assert b"Linked U777 in TFROMSLACK" in out
        assert [c.method for c in slack.calls] == ["auth.test"]
    finally:
        await slack.stop()


def test_link_without_stdin_or_with_a_bad_id_fails_in_one_line(tmp_path: Path) -> None:
    empty = run(tmp_path, "link", "U1", "--team", "T1", stdin="")
    assert (
        empty.returncode == 1
        and empty.stderr.strip().count("\n") == 0
        and "standard input" in empty.stderr
    )
    bad = run(tmp_path, "link", "not-a-user", "--team", "T1", stdin=AUTHCODE)
    assert (
        bad.returncode == 1 and "not a Slack user ID" in bad.stderr and AUTHCODE not in bad.stderr
    )


def test_check_names_each_missing_setting(tmp_path: Path) -> None:
    result = run(tmp_path, "check")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2 and "SLACK_BOT_TOKEN" in lines[0] and "SLACK_SIGNING_SECRET" in lines[1]
    ok = run(tmp_path, "check", SLACK_BOT_TOKEN="xoxb-1-2", SLACK_SIGNING_SECRET="abc")
    assert ok.returncode == 0, ok.stderr


def test_every_verb_has_help(tmp_path: Path) -> None:
    for verb in ("serve", "socket", "link", "unlink", "users", "check", "rotate-key", "genkey"):
        result = run(tmp_path, verb, "--help")
        assert result.returncode == 0 and "usage:" in result.stdout


def test_rotate_key_reencrypts(tmp_path: Path) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    assert (
        run(tmp_path, "link", "U1", "--team", "T1", stdin=AUTHCODE, ENCRYPTION_KEY=old).returncode
        == 0
    )
    rotated = run(tmp_path, "rotate-key", ENCRYPTION_KEY=f"{new},{old}")
    assert rotated.returncode == 0 and "Re-encrypted 1" in rotated.stdout
    assert run(tmp_path, "users", ENCRYPTION_KEY=new).returncode == 0
    wrong = run(tmp_path, "rotate-key", ENCRYPTION_KEY=Fernet.generate_key().decode())
    assert wrong.returncode == 1 and "cannot be decrypted" in wrong.stderr


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_is_healthy_quickly_and_a_missing_token_is_one_line(tmp_path: Path) -> None:
    missing = run(tmp_path, "serve", SLACK_SIGNING_SECRET="abc")
    assert missing.returncode == 2
    assert missing.stderr.strip().splitlines() == [
        "error: SLACK_BOT_TOKEN is missing: set it to the bot token (xoxb-…)."
    ]
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve"],
        env=env(
            tmp_path,
            SLACK_BOT_TOKEN="xoxb-1-serve",
            SLACK_SIGNING_SECRET="serve-secret",
            PORT=str(port),
        ),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/healthz", timeout=1
                ) as response:
                    assert response.status == 200
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail("serve never became healthy")
                time.sleep(0.05)
    finally:
        process.terminate()
        out, err = process.communicate(timeout=30)
    assert process.returncode == 0
    assert "xoxb-1-serve" not in err and "serve-secret" not in err
