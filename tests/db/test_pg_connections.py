"""PostgreSQL connections the pool keeps: one killed while it waited is replaced, unseen."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import asyncpg
import pytest
from cryptography.fernet import Fernet

from bot.crypto import Cipher
from bot.storage import engines
from bot.storage.failures import StoreUnavailable
from bot.storage.schema import Method
from bot.store import Store
from tests.support import postgres
from tests.support.settings import driver_url


@pytest.fixture
async def pg_store(pg_database: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Store]:
    monkeypatch.setattr(engines, "PING_AFTER_IDLE_SECONDS", 0.2)
    await postgres.reset_pg(pg_database)
    store = await Store.open(driver_url(pg_database), Cipher([Fernet.generate_key().decode()]))
    yield store
    await store.close()
    await postgres.reset_pg(pg_database, migrated=False)


async def kill_other_connections(url: str) -> int:
    """What a database restart does to the app's pooled connections."""
    admin = await asyncpg.connect(url)
    try:
        killed = await admin.fetch(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    finally:
        await admin.close()
    return len(killed)


async def test_connections_killed_while_idle_are_replaced(
    pg_store: Store, pg_database: str
) -> None:
    # Connections are pinged only after sitting idle (not at every checkout): one the
    # server closed meanwhile must be found out and replaced before a request uses it.
    await pg_store.link("T1", "U1", "authcode-idle-0001", Method.CLI)
    assert await pg_store.is_linked("T1", "U1")
    assert (await pg_store.claim("T1", "U1", timedelta(seconds=60))).guarded
    assert await kill_other_connections(pg_database) >= 1
    await asyncio.sleep(0.3)  # longer than PING_AFTER_IDLE_SECONDS
    assert await pg_store.is_linked("T1", "U1")
    assert await pg_store.finish_request("T1", "U1", "OK") is None
    assert (await pg_store.claim("T1", "U1", timedelta(seconds=60))).guarded


async def test_a_connection_lost_under_traffic_costs_one_request(
    pg_store: Store, pg_database: str
) -> None:
    # Busy connections are not pinged: when the server goes away under traffic, the first
    # statement on a dead connection fails (the agent hears the database is unavailable),
    # and the pool is renewed so that the requests after it are served.
    await pg_store.link("T1", "U1", "authcode-busy-0001", Method.CLI)
    assert await pg_store.is_linked("T1", "U1")
    assert await kill_other_connections(pg_database) >= 1
    failures = 0
    for _ in range(10):  # no pause: every connection is fresh from use, none is pinged
        try:
            assert await pg_store.is_linked("T1", "U1")
        except StoreUnavailable:
            failures += 1
    assert failures <= 1
    assert (await pg_store.claim("T1", "U1", timedelta(seconds=60))).guarded
    assert await pg_store.finish_request("T1", "U1", "OK") is None
