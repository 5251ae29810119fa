"""The command line, run as an admin would: a real process, the authcode on stdin."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from pathlib import Path

from cryptography.fernet import Fernet

from tests.support.fakes import FakeRescue, FakeSlack
from tests.support.harness import Harness, open_and_submit
from tests.support.processes import BotProcess, run_bot

AUTHCODE = "cli-authcode-Qw3rty-secret"
CLI_OAUTH_TOKEN = "xoxb-cli-oauth-token-at-rest-31337"


async def run(
    tmp_path: Path, *args: str, stdin: str = "", **extra: str
) -> subprocess.CompletedProcess[str]:
    """A verb on the test's own SQLite file."""
    database = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    return await run_bot(tmp_path, *args, stdin=stdin, **{"DATABASE_URL": database, **extra})


async def test_link_users_unlink_with_an_explicit_team(tmp_path: Path) -> None:
    linked = await run(tmp_path, "link", "U123ABC", "--team", "T9", stdin=AUTHCODE + "\n")
    assert linked.returncode == 0, linked.stderr
    assert "Linked U123ABC" in linked.stdout
    assert "encryption key file" in linked.stderr  # said once, on first start
    listed = await run(tmp_path, "users")
    assert listed.returncode == 0 and "U123ABC" in listed.stdout and "cli" in listed.stdout
    assert AUTHCODE not in listed.stdout + listed.stderr
    db = (tmp_path / "cli.sqlite3").read_bytes()
    assert AUTHCODE.encode() not in db
    key_file = tmp_path / "cli.sqlite3.key"
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert (await run(tmp_path, "unlink", "U123ABC", "--team", "T9")).returncode == 0
    again = await run(tmp_path, "unlink", "U123ABC", "--team", "T9")
    assert again.returncode == 1 and "was not linked" in again.stdout
    assert "No linked users" in (await run(tmp_path, "users")).stdout


async def test_link_learns_the_team_from_slack(tmp_path: Path) -> None:
    slack = FakeSlack("TFROMSLACK")
    await slack.start()
    try:
        linked = await run(
            tmp_path,
            "link",
            "U777",
            stdin=AUTHCODE + "\n",
            SLACK_BOT_TOKEN="xoxb-1-cli",
            SLACK_API_URL=slack.api_url(),
        )
        assert linked.returncode == 0, linked.stderr
        assert "Linked U777 in TFROMSLACK" in linked.stdout
        assert [c.method for c in slack.calls] == ["auth.test"]
    finally:
        await slack.stop()


async def test_link_without_stdin_or_with_a_bad_id_fails_in_one_line(tmp_path: Path) -> None:
    empty = await run(tmp_path, "link", "U1", "--team", "T1", stdin="")
    assert (
        empty.returncode == 1
        and empty.stderr.strip().count("\n") == 0
        and "standard input" in empty.stderr
    )
    bad = await run(tmp_path, "link", "not-a-user", "--team", "T1", stdin=AUTHCODE)
    assert (
        bad.returncode == 1 and "not a Slack user ID" in bad.stderr and AUTHCODE not in bad.stderr
    )


async def test_check_names_each_missing_setting(tmp_path: Path) -> None:
    result = await run(tmp_path, "check")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2 and "SLACK_BOT_TOKEN" in lines[0] and "SLACK_SIGNING_SECRET" in lines[1]
    ok = await run(tmp_path, "check", SLACK_BOT_TOKEN="xoxb-1-2", SLACK_SIGNING_SECRET="abc")
    assert ok.returncode == 0, ok.stderr


async def test_every_verb_has_help(tmp_path: Path) -> None:
    verbs = (
        "serve",
        "socket",
        "link",
        "unlink",
        "users",
        "check",
        "rotate-key",
        "genkey",
        "forget",
    )
    for verb in verbs:
        result = await run(tmp_path, verb, "--help")
        assert result.returncode == 0 and "usage:" in result.stdout


async def test_rotate_key_reencrypts(tmp_path: Path) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    linked = await run(tmp_path, "link", "U1", "--team", "T1", stdin=AUTHCODE, ENCRYPTION_KEY=old)
    assert linked.returncode == 0
    rotated = await run(tmp_path, "rotate-key", ENCRYPTION_KEY=f"{new},{old}")
    assert rotated.returncode == 0 and "Re-encrypted 1" in rotated.stdout
    assert (await run(tmp_path, "users", ENCRYPTION_KEY=new)).returncode == 0
    wrong = await run(tmp_path, "rotate-key", ENCRYPTION_KEY=Fernet.generate_key().decode())
    assert wrong.returncode == 1 and "cannot be decrypted" in wrong.stderr


async def test_serve_is_healthy_quickly_and_a_missing_token_is_one_line(tmp_path: Path) -> None:
    missing = await run(tmp_path, "serve", SLACK_SIGNING_SECRET="abc")
    assert missing.returncode == 2
    assert missing.stderr.strip().splitlines() == [
        "error: SLACK_BOT_TOKEN is missing: set it to the bot token (xoxb-…)."
    ]
    serve = BotProcess(
        tmp_path,
        "serve",
        "serve",
        DATABASE_URL=f"sqlite:///{tmp_path / 'cli.sqlite3'}",
        SLACK_BOT_TOKEN="xoxb-1-serve",
        SLACK_SIGNING_SECRET="serve-secret",
    )
    await serve.start()
    try:
        await serve.wait_healthy(within=20)
    finally:
        await serve.stop()
    assert serve.process is not None and serve.process.returncode == 0, serve.log()
    assert "xoxb-1-serve" not in serve.log() and "serve-secret" not in serve.log()


async def test_link_sso_for_the_whole_workspace(
    fake_slack: FakeSlack, fake_rescue: FakeRescue, tmp_path: Path
) -> None:
    fake_slack.emails.update({"U1": "a@acme.test", "U2": "b@acme.test", "U3": None})
    fake_rescue.sso["a@acme.test"] = "sso-code-a"
    result = await run_bot(
        tmp_path,
        "link-sso",
        SLACK_BOT_TOKEN="xoxb-1-sso",
        SLACK_API_URL=fake_slack.api_url(),
        RESCUE_API_URL=fake_rescue.api_url(),
        RESCUE_SSO_COMPANY_ID="4242",
        RESCUE_SSO_PASSWORD="sso-global-secret",
        DATABASE_URL=f"sqlite:///{tmp_path / 'sso.sqlite3'}",
    )
    text, err = result.stdout, result.stderr
    assert result.returncode == 3, err
    assert "Linked 1; already linked 0; not linked 2." in text
    assert "linked      U1" in text
    assert "U2: Rescue has no SSO technician with the ID b@acme.test." in text
    assert "U3: Slack has no e-mail address" in text
    assert "sso-code-a" not in text + err and "sso-global-secret" not in text + err


async def test_audit_export(harness: Harness, sqlite_url: str, tmp_path: Path) -> None:
    await harness.link("U1", AUTHCODE)
    await harness.link("U2", "second-agent-code")
    harness.rescue.answers["second-agent-code"] = "OUTOFPINCODES"
    await open_and_submit(
        harness, {"cfield0": "Ann", "cfield2": "never stored", "tracking0": "T-7"}
    )
    await open_and_submit(harness, {"cfield0": "Bob"}, user="U2")
    key = harness.runtime.settings.encryption_key.get_secret_value()

    async def export(*args: str) -> str:
        result = await run_bot(
            tmp_path,
            "audit",
            "--since",
            "2026-01-01",
            *args,
            DATABASE_URL=sqlite_url,
            ENCRYPTION_KEY=key,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    rows = json.loads(await export("--format", "json"))
    assert [(r["user_id"], r["outcome"], r["cfield0"], r["tracking0"]) for r in rows] == [
        ("U1", "OK", "Ann", "T-7"),
        ("U2", "OUTOFPINCODES", "Bob", None),
    ]
    assert "never stored" not in json.dumps(rows)
    assert all(len(r["request_id"]) == 12 for r in rows)  # leads to the rows' log lines
    table = list(csv.DictReader(io.StringIO(await export("--user", "U2"))))
    assert [r["outcome"] for r in table] == ["OUTOFPINCODES"] and table[0]["kind"] == "rescue"


async def test_installations_are_listed_without_tokens(tmp_path: Path) -> None:
    from slack_sdk.oauth.installation_store.models.installation import Installation

    from bot.crypto import Cipher
    from bot.installs.store import DatabaseInstallationStore
    from bot.store import Store

    key = Fernet.generate_key().decode()
    empty = await run(tmp_path, "installations", ENCRYPTION_KEY=key)
    assert empty.returncode == 0 and "No OAuth installations" in empty.stdout
    store = await Store.open(f"sqlite+aiosqlite:///{tmp_path / 'cli.sqlite3'}", Cipher([key]))
    try:
        await DatabaseInstallationStore(store.database, Cipher([key])).async_save(
            Installation(
                enterprise_id="E1",
                enterprise_name="Acme Group",
                bot_token=CLI_OAUTH_TOKEN,
                bot_id="B1",
                user_id="W1",
                is_enterprise_install=True,
            )
        )
    finally:
        await store.close()
    listed = await run(tmp_path, "installations", ENCRYPTION_KEY=key)
    assert listed.returncode == 0, listed.stderr
    assert "E1\torganisation\tAcme Group" in listed.stdout
    assert CLI_OAUTH_TOKEN not in listed.stdout + listed.stderr
    new = Fernet.generate_key().decode()
    rotated = await run(tmp_path, "rotate-key", ENCRYPTION_KEY=f"{new},{key}")
    assert rotated.returncode == 0 and "tokens of 1 installation(s)" in rotated.stdout
    again = await run(tmp_path, "installations", ENCRYPTION_KEY=new)
    assert again.returncode == 0 and "E1" in again.stdout
