"""Text from outside, stored on SQLite and on PostgreSQL: NUL replaced by U+FFFD the same way on
both, through the prepared hot path and through plain Core statements; and a write whose data
the database refuses is StoreRefused, alone, on a connection that goes on working."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import insert, select

from bot.crypto import Cipher
from bot.storage.database import now
from bot.storage.failures import StoreRefused
from bot.storage.schema import in_flight, sessions
from bot.store import Store
from tests.support.settings import driver_url

ROW = {"team_id": "T1", "user_id": "U1", "action": "request", "kind": "rescue", "outcome": "OK"}
ODD = "Ann\x00Nul \x1b[31m \x7f \u202egpj.exe"
KEPT = "Ann\ufffdNul \x1b[31m \x7f \u202egpj.exe"


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[Store]:
    opened = await Store.open(driver_url(database_url), Cipher([Fernet.generate_key().decode()]))
    yield opened
    await opened.close()


async def test_the_prepared_audit_insert_stores_nul_as_u_fffd(store: Store) -> None:
    audit_id = await store.add_audit(**ROW, cfield0=ODD, tracking0="\x00")
    row = await store.audit_row(audit_id)
    assert row is not None and (row.cfield0, row.tracking0) == (KEPT, "\ufffd")
    # The guard's transaction (finish_request: one CTE statement on PostgreSQL) likewise.
    assert (await store.claim("T1", "U1", timedelta(minutes=1))).guarded
    finished = await store.finish_request("T1", "U1", "OK", {**ROW, "cfield0": ODD})
    assert finished is not None
    row = await store.audit_row(finished)
    assert row is not None and row.cfield0 == KEPT
    assert (await store.claim("T1", "U1", timedelta(minutes=1))).guarded  # released


async def test_a_core_statement_and_its_lookup_agree(store: Store) -> None:
    db = store.database
    values = {
        "reference": "slack-ref\x00",
        "team_id": "T1",
        "user_id": "U\x001",
        "kind": "rescue",
        "state": "pending",
        "created_at": now(),
        "customer": ODD,
    }
    await db.write(lambda tx: tx.execute(insert(sessions).values(**values)))
    # The same text looked up finds the row: the key is made storable the same way.
    found = await db.read(
        lambda c: c.execute(
            select(sessions.c.customer, sessions.c.user_id).where(
                sessions.c.reference == "slack-ref\x00"
            )
        ).first()
    )
    assert found is not None and tuple(found) == (KEPT, "U\ufffd1")


async def test_a_value_too_long_is_refused_on_postgresql_alone(
    store: Store, database_url: str
) -> None:
    """The one way the two databases still differ: SQLite keeps a value longer than its
    column, PostgreSQL refuses it. The refusal is StoreRefused, not an outage; the writes
    beside it in the same group commit are kept, and the next write works."""
    long = {**ROW, "cfield0": "x" * 65}
    results = await asyncio.gather(
        store.add_audit(**ROW, cfield0="before"),
        store.add_audit(**long),
        store.add_audit(**ROW, cfield0="after"),
        return_exceptions=True,
    )
    kept = [r.cfield0 for r in await store.audit_rows()]
    if database_url.startswith("sqlite"):
        assert all(isinstance(r, int) for r in results)
        assert sorted(kept, key=len) == ["after", "before", "x" * 65]
        return
    refused = results[1]
    assert isinstance(refused, StoreRefused) and refused.code == "22001"
    assert "x" * 65 not in str(refused)
    assert sorted(kept) == ["after", "before"]
    assert await store.add_audit(**ROW, cfield0="still working") > 0


async def test_a_refused_guard_leaves_the_store_usable(store: Store, database_url: str) -> None:
    long_user = "U" * 40
    if database_url.startswith("sqlite"):  # kept whole: the difference the README names
        assert (await store.claim("T1", long_user, timedelta(minutes=1))).guarded
    else:
        with pytest.raises(StoreRefused):
            await store.claim("T1", long_user, timedelta(minutes=1))
    assert (await store.claim("T1", "U1", timedelta(minutes=1))).guarded
    rows = await store.database.read(lambda c: c.execute(select(in_flight.c.user_id)).all())
    expected = ["U1"] if database_url.startswith("postgresql") else sorted(["U1", long_user])
    assert sorted(r.user_id for r in rows) == expected


async def test_a_lone_surrogate_is_refused_alike_on_both(store: Store) -> None:
    """Not a character either database can encode (JSON can carry one as "\\ud800"): not
    made storable, refused the same way on both, and the store goes on."""
    with pytest.raises(StoreRefused):
        await store.add_audit(**ROW, cfield0="a\ud800b")
    assert await store.add_audit(**ROW, cfield0="ok") > 0
    assert [r.cfield0 for r in await store.audit_rows()] == ["ok"]
