"""Storage on SQLite and on the local PostgreSQL: links, encryption at rest, guards, audit."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError

from bot.crypto import Cipher, CryptoError
from bot.pins.store import Claim
from bot.storage.database import Database
from bot.storage.schema import Method, links
from bot.store import Store
from tests.support.settings import driver_url

AUTHCODE = "Zx9-authcode-at-rest-4711"


@pytest.fixture
async def store(database_url: str) -> Store:
    store = await Store.open(driver_url(database_url), Cipher([Fernet.generate_key().decode()]))
    yield store
    await store.close()


async def test_link_lookup_unlink(store: Store) -> None:
    await store.link("T1", "U1", AUTHCODE, Method.CLI)
    assert await store.authcode("T1", "U1") == AUTHCODE
    assert await store.is_linked("T1", "U1")
    await store.link("T1", "U1", "replaced-code-0001", Method.SELF, by="U1")
    assert await store.authcode("T1", "U1") == "replaced-code-0001"
    [info] = await store.links()
    assert (info.method, info.last_used_at) == (Method.SELF, None)
    assert await store.unlink("T1", "U1") is True
    assert await store.authcode("T1", "U1") is None
    assert await store.unlink("T1", "U1") is False


async def test_the_same_user_id_in_another_team_is_someone_else(store: Store) -> None:
    await store.link("T1", "U1", AUTHCODE, Method.CLI)
    assert await store.authcode("T2", "U1") is None
    await store.link("T2", "U1", "other-team-code", Method.CLI)
    assert await store.authcode("T1", "U1") == AUTHCODE
    assert [i.team_id for i in await store.links("T2")] == ["T2"]


async def test_authcodes_are_encrypted_at_rest(store: Store, database_url: str) -> None:
    await store.link("T1", "U1", AUTHCODE, Method.CLI)
    async with store.engine.connect() as connection:
        stored = await connection.scalar(select(links.c.authcode))
        dump = " ".join(
            str(v)
            for row in (await connection.execute(text("SELECT * FROM links"))).all()
            for v in row
        )
    assert stored.startswith("gAAAAA") and AUTHCODE not in dump
    if database_url.startswith("sqlite"):
        await store.close()
        path = Path(database_url.removeprefix("sqlite:///"))
        for file in path.parent.glob(path.name + "*"):
            assert AUTHCODE.encode() not in file.read_bytes()


async def test_ending_a_request_records_the_last_use(store: Store) -> None:
    await store.link("T1", "U1", AUTHCODE, Method.CLI)
    assert await store.begin_request("T1", "U1", timedelta(seconds=60))
    await store.end_request("T1", "U1", "OK")
    assert await store.begin_request("T1", "U1", timedelta(seconds=60))
    [info] = await store.links()
    assert (
        info.last_outcome == "OK"
        and info.last_used_at is not None
        and info.last_used_at.tzinfo is not None
    )


async def test_finishing_a_request_writes_its_audit_row_notes_the_use_and_frees_the_agent(
    store: Store,
) -> None:
    # On PostgreSQL these three are one statement; on SQLite, three in one transaction.
    stale = timedelta(seconds=60)
    await store.link("T1", "U1", AUTHCODE, Method.CLI)
    await store.link("T1", "U2", "other-authcode-0002", Method.CLI)
    assert (await store.claim("T1", "U1", stale)).guarded
    assert (await store.claim("T1", "U2", stale)).guarded
    row = {"team_id": "T1", "user_id": "U1", "action": "request", "kind": "rescue"}
    audit_id = await store.finish_request("T1", "U1", "OK", {**row, "outcome": "OK"})
    found = await store.audit_row(audit_id or 0)
    assert found is not None and (found.user_id, found.outcome) == ("U1", "OK")
    infos = {info.user_id: info for info in await store.links()}
    assert infos["U1"].last_outcome == "OK" and infos["U1"].last_used_at is not None
    assert infos["U2"].last_outcome is None  # only the agent's own link
    assert (await store.claim("T1", "U1", stale)).guarded  # freed
    assert not (await store.claim("T1", "U2", stale)).guarded  # still busy


async def test_rotate_key(database_url: str) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    first = await Store.open(driver_url(database_url), Cipher([old]))
    await first.link("T1", "U1", AUTHCODE, Method.CLI)
    await first.link("T1", "U2", "second-code-xyz", Method.CLI)
    await first.close()
    both = await Store.open(driver_url(database_url), Cipher([new, old]))
    assert await both.rotate_key() == 2
    await both.close()
    only_new = await Store.open(driver_url(database_url), Cipher([new]))
    try:
        assert await only_new.authcode("T1", "U1") == AUTHCODE
    finally:
        await only_new.close()
    only_old = await Store.open(driver_url(database_url), Cipher([old]))
    try:
        with pytest.raises(CryptoError):
            await only_old.authcode("T1", "U1")
    finally:
        await only_old.close()


async def test_one_request_at_a_time_per_agent(store: Store) -> None:
    stale = timedelta(seconds=60)
    results = await asyncio.gather(*(store.begin_request("T1", "U1", stale) for _ in range(5)))
    assert sorted(results) == [False, False, False, False, True]
    assert await store.begin_request("T1", "U2", stale) is True
    await store.end_request("T1", "U1")
    assert await store.begin_request("T1", "U1", stale) is True
    # A guard left by a crashed process expires.
    assert await store.begin_request("T1", "U1", timedelta(seconds=-1)) is True


async def test_a_claim_reads_the_authcode_with_the_guard(store: Store) -> None:
    # One statement takes the guard (or a stale one over) and reads the authcode.
    stale = timedelta(seconds=60)
    await store.link("T1", "U1", AUTHCODE, Method.CLI)
    assert await store.claim("T1", "U1", stale) == Claim(guarded=True, authcode=AUTHCODE)
    assert await store.claim("T1", "U1", stale) == Claim(guarded=False, authcode=None)
    taken_over = await store.claim("T1", "U1", timedelta(seconds=-1))
    assert taken_over == Claim(guarded=True, authcode=AUTHCODE)
    assert await store.claim("T1", "U9", stale) == Claim(guarded=True, authcode=None)


async def test_audit_rows_and_purge(store: Store) -> None:
    row = dict(
        team_id="T1",
        user_id="U1",
        action="request",
        kind="rescue",
        channel_id="C1",
        cfield0="Jane",
        tracking0="T-9",
        no_tech_console=False,
        outcome="OK",
        pin="012345",
    )
    audit_id = await store.add_audit(**row)
    await store.set_delivered(audit_id, True)
    [found] = await store.audit_rows(user_id="U1")
    assert (found.pin, found.delivered, found.cfield0) == ("012345", True, "Jane")
    assert await store.purge_audit(timedelta(days=1)) == 0
    assert await store.purge_audit(timedelta(seconds=-1)) == 1


async def test_a_quick_read_does_not_wait_for_a_writer(sqlite_url: str) -> None:
    # is_linked reads on the event loop's own thread: another process in the middle of a
    # write (the CLI linking an agent, say) must neither hold it up nor show it half done.
    store = await Store.open(driver_url(sqlite_url), Cipher([Fernet.generate_key().decode()]))
    try:
        await store.link("T1", "U1", AUTHCODE, Method.CLI)
        writer = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), isolation_level=None)
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("DELETE FROM links")
        started = time.monotonic()
        assert await store.is_linked("T1", "U1")  # what is committed: still linked
        assert time.monotonic() - started < 0.5
        writer.execute("COMMIT")
        writer.close()
        assert not await store.is_linked("T1", "U1")
    finally:
        await store.close()


async def test_a_quick_read_sqlite_refuses_is_read_on_its_thread(sqlite_url: str) -> None:
    # Should SQLite answer a quick read "database is locked" (it never waits for a lock on
    # the loop's thread), the read is made again on SQLite's own thread, which may wait.
    database = await Database.open(driver_url(sqlite_url))

    def where_read(connection: Connection) -> str:
        if threading.current_thread() is threading.main_thread():
            raise OperationalError("SELECT 1", None, sqlite3.OperationalError("locked"))
        return str(connection.execute(text("SELECT 'thread'")).scalar())

    try:
        assert await database.read(where_read, quick=True) == "thread"
        here = await database.read(lambda c: threading.current_thread().name, quick=True)
        assert here == threading.main_thread().name  # the next quick read is quick again
    finally:
        await database.close()
