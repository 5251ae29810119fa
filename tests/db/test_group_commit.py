"""Many writes at once (issue 13's group commit on SQLite; one transaction each on PostgreSQL):
every caller gets its own answer, a failing write fails alone, and what a caller was told is
committed is there for a new connection."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from cryptography.fernet import Fernet
from sqlalchemy.engine import Connection

from bot.crypto import Cipher
from bot.storage.failures import StoreUnavailable
from bot.storage.schema import Method
from bot.store import Store
from tests.support.settings import driver_url

STALE = timedelta(minutes=5)
ROW = {"action": "request", "kind": "rescue", "outcome": "OK", "pin": "123456"}


@pytest.fixture
async def opened(database_url: str) -> tuple[Store, str, Cipher]:
    cipher = Cipher([Fernet.generate_key().decode()])
    store = await Store.open(driver_url(database_url), cipher)
    yield store, database_url, cipher
    await store.close()


async def test_concurrent_writes_each_get_their_answer(opened: tuple[Store, str, Cipher]) -> None:
    store, url, cipher = opened
    await asyncio.gather(
        *(store.link("T1", f"U{n}", f"code-{n:04d}", Method.CLI) for n in range(30))
    )
    # Thirty agents at once, and agent 0 twice more: one of its three claims takes the guard.
    claims = await asyncio.gather(
        *(store.claim("T1", f"U{n}", STALE) for n in range(30)),
        store.claim("T1", "U0", STALE),
        store.claim("T1", "U0", STALE),
    )
    assert [c.guarded for c in claims[1:30]] == [True] * 29
    assert [c.guarded for c in (claims[0], *claims[30:])].count(True) == 1
    assert all(c.authcode == f"code-{n:04d}" for n, c in enumerate(claims[1:30], start=1))
    ids = await asyncio.gather(
        *(
            store.finish_request("T1", f"U{n}", "OK", {**ROW, "team_id": "T1", "user_id": f"U{n}"})
            for n in range(30)
        )
    )
    assert len(set(ids)) == 30 and all(isinstance(i, int) and i > 0 for i in ids)
    await asyncio.gather(*(store.set_delivered(i, True) for i in ids))
    # Another connection sees every row its caller was told about: committed, not just queued.
    other = await Store.open(driver_url(url), cipher)
    try:
        rows = await other.audit_rows(team_id="T1")
        assert sorted(r.id for r in rows) == sorted(ids)
        assert all(r.delivered for r in rows)
        again = [await other.claim("T1", f"U{n}", STALE) for n in range(30)]
        assert all(claim.guarded for claim in again)  # every guard was released
    finally:
        await other.close()


async def test_a_failing_write_fails_alone(opened: tuple[Store, str, Cipher]) -> None:
    store, _, _ = opened
    results = await asyncio.gather(
        store.add_audit(**ROW, team_id="T1", user_id="U1"),
        store.add_audit(**ROW, team_id="T1", user_id="U2", not_a_column=1),
        store.add_audit(**ROW, team_id="T1", user_id="U3"),
        return_exceptions=True,
    )
    assert isinstance(results[0], int) and isinstance(results[2], int)
    assert isinstance(results[1], TypeError)
    assert sorted(r.user_id for r in await store.audit_rows(team_id="T1")) == ["U1", "U3"]


async def test_sqlite_writes_after_close_are_refused(database_url: str) -> None:
    if not database_url.startswith("sqlite"):
        return  # PostgreSQL's engine reconnects after dispose(), as it always did
    store = await Store.open(driver_url(database_url), Cipher([Fernet.generate_key().decode()]))
    await store.close()
    with pytest.raises(StoreUnavailable):
        await store.add_audit(**ROW, team_id="T1", user_id="U1")


def _flush_setting(tx: Connection) -> str:
    """How this transaction's commit reaches the disk, as the database says it."""
    if tx.dialect.name == "postgresql":
        return str(tx.exec_driver_sql("SHOW synchronous_commit").scalar())
    return {1: "off", 2: "on"}[tx.exec_driver_sql("PRAGMA synchronous").scalar()]


async def test_only_the_light_lane_commits_without_a_flush(
    opened: tuple[Store, str, Cipher],
) -> None:
    """Issue 22: the PIN guard and `delivered` are committed without their own flush to disk;
    every other write, in the same batches and after them, still is flushed."""
    store, _, _ = opened
    database = store.database
    settings = await asyncio.gather(
        *(database.write(_flush_setting, durable=n % 2 == 0) for n in range(10)),
        store.add_audit(**ROW, team_id="T1", user_id="U1"),
        store.claim("T1", "U1", STALE),
    )
    assert settings[:10] == ["on", "off"] * 5
    assert await database.write(_flush_setting) == "on"  # SET LOCAL: that transaction alone
    assert await database.write(_flush_setting, durable=False) == "off"
