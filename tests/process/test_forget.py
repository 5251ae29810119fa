"""`python -m bot forget`, run as an admin would, on SQLite and PostgreSQL: it asks first (only
at a terminal), names the teams when the user ID is known in several, and leaves no authcode
(nor its encrypted form) and no customer's data in any table; audit rows keep their outcomes."""

from __future__ import annotations

import asyncio
import os
import pty
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text

from bot.crypto import Cipher
from bot.store import Store
from tests.support import sweep, tables
from tests.support.processes import run_bot
from tests.support.settings import clean_env, driver_url

FORGET_AUTHCODE = "AUTHc0de-forget-me-3131"
OTHER_TEAM_AUTHCODE = "AUTHc0de-same-id-elsewhere-3232"
ORG_AUTHCODE = "AUTHc0de-grid-leaver-3333"
CUSTOMER = "Customer Of-The-Leaver"
TICKET = "TICKET-FORGET-77"


@pytest.fixture
async def seeded(database_url: str) -> AsyncIterator[tuple[Store, dict[str, str]]]:
    """U1 in T1 and, as someone else, in T2; W9 in an organisation and one of its workspaces."""
    key = Fernet.generate_key().decode()
    sweep.remember(key)
    store = await Store.open(driver_url(database_url), Cipher([key]))
    for team, user, authcode in (
        ("T1", "U1", FORGET_AUTHCODE),
        ("T2", "U1", OTHER_TEAM_AUTHCODE),
        ("E1", "W9", ORG_AUTHCODE),
        ("T3", "W9", ORG_AUTHCODE + "-old"),
    ):
        sweep.remember(authcode, stored=True)
        await store.link(team, user, authcode, "cli")
        await tables.leave_traces(store, team, user, f"https://hooks.example/{team}/{user}")
        await store.add_audit(
            team_id=team,
            user_id=user,
            action="request",
            kind="rescue",
            outcome="OK",
            cfield0=CUSTOMER,
            tracking0=TICKET,
        )
    await store.owners.note_workspaces("E1", ["T3"])
    env = {"DATABASE_URL": database_url, "ENCRYPTION_KEY": key}
    yield store, env
    await store.close()


async def sealed(store: Store, team: str, user: str) -> str:
    async with store.engine.connect() as connection:
        query = text("SELECT authcode FROM links WHERE team_id = :team AND user_id = :user")
        found: str = (await connection.execute(query, {"team": team, "user": user})).scalar_one()
    return found


async def at_a_terminal(workdir: Path, answer: str, *args: str, **env: str) -> tuple[int, str, str]:
    """The verb with a terminal for its standard input, answering `answer` to its question."""
    parent, child = pty.openpty()
    try:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            *args,
            stdin=child,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=clean_env(**env),
            cwd=workdir,
        )
        os.write(parent, answer.encode())
        out, err = await asyncio.wait_for(process.communicate(), 60)
    finally:
        os.close(parent)
        os.close(child)
    sweep.keep(f"python -m bot {' '.join(args)}", out.decode() + err.decode())
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_forget_asks_names_the_choices_and_leaves_nothing_of_the_person(
    seeded: tuple[Store, dict[str, str]], tmp_path: Path
) -> None:
    store, env = seeded
    mine, theirs = await sealed(store, "T1", "U1"), await sealed(store, "T2", "U1")

    # Known in two teams: which one is the admin's to say.
    ambiguous = await run_bot(tmp_path, "forget", "U1", "--yes", **env)
    assert ambiguous.returncode == 1
    assert ambiguous.stderr.strip() == "error: U1 is known in T1, T2: pass --team or --enterprise"
    # No terminal to ask on, or an answer that is not yes: nothing is forgotten.
    piped = await run_bot(tmp_path, "forget", "U1", "--team", "T1", stdin="y\n", **env)
    assert piped.returncode == 1 and "pass --yes" in piped.stderr
    assert piped.stderr.count("\n") == 1
    code, _, err = await at_a_terminal(tmp_path, "n\n", "forget", "U1", "--team", "T1", **env)
    assert code == 1 and "[y/N]" in err and "not yes" in err
    assert await store.is_linked("T1", "U1")

    code, out, err = await at_a_terminal(tmp_path, "y\n", "forget", "U1", "--team", "T1", **env)
    assert code == 0, err
    report = out.splitlines()
    assert report[0] == "Forgot U1 in T1:"
    counted = {line.rsplit(None, 1)[0].strip(): int(line.rsplit(None, 1)[1]) for line in report[1:]}
    assert counted == {
        "links (authcodes)": 1,
        "retries": 1,
        "guards": 1,
        "workflow step runs": 1,
        "follow-through rows": 1,
        "shares": 1,
        "audit rows, customer fields emptied (rows and outcomes kept)": 1,
        "links they made for others (their ID emptied)": 0,
        "installations they made (their ID and user tokens emptied)": 0,
    }
    assert FORGET_AUTHCODE not in out + err and mine not in out + err

    held = await tables.dump(store)
    assert [table for table, rows in held.items() if mine in rows] == []
    assert theirs in held["links"]  # the same ID in T2 is someone else
    rows = await store.audit_rows(user_id="U1")
    t1 = [(r.action, r.outcome, r.cfield0, r.tracking0) for r in rows if r.team_id == "T1"]
    assert sorted(t1) == [
        ("forget", "person_forgotten", None, None),
        ("request", "OK", None, None),  # the leave_traces row had no customer fields
        ("request", "OK", None, None),
    ]
    assert {(r.cfield0, r.tracking0) for r in rows if r.team_id == "T2"} >= {(CUSTOMER, TICKET)}

    # Now only T2 knows U1; the organisation's person is forgotten in all its workspaces.
    assert (await run_bot(tmp_path, "forget", "U1", "--yes", **env)).returncode == 0
    grid = await run_bot(tmp_path, "forget", "W9", "--enterprise", "E1", "--yes", **env)
    assert grid.returncode == 0, grid.stderr
    assert grid.stdout.startswith("Forgot W9 in E1 (and its workspaces T3):")
    assert "links (authcodes)" in grid.stdout and grid.stdout.splitlines()[1].endswith(" 2")
    held = await tables.dump(store)
    for secret in (FORGET_AUTHCODE, OTHER_TEAM_AUTHCODE, ORG_AUTHCODE, CUSTOMER, TICKET):
        assert [table for table, rows in held.items() if secret in rows] == [], secret
    assert await tables.owners_in(store, "links") == []
    gone = await run_bot(tmp_path, "forget", "U1", **env)
    assert (gone.returncode, gone.stdout) == (0, "Nothing is held about U1.\n")


async def test_forget_refuses_what_is_not_a_user_id(tmp_path: Path) -> None:
    bad = await run_bot(tmp_path, "forget", "not-a-user", "--yes")
    assert bad.returncode == 1
    assert bad.stderr.strip().splitlines() == [
        "error: 'not-a-user' is not a Slack user ID (they look like U0123ABCD)"
    ]
    both = await run_bot(tmp_path, "forget", "U1", "--team", "T1", "--enterprise", "E1")
    assert both.returncode == 2 and "not allowed with argument" in both.stderr
