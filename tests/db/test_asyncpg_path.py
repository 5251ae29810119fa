"""PostgreSQL's hot path on asyncpg directly (issue 22, decision 3): its SQL is the Core
statement's compilation for SQLAlchemy's asyncpg dialect, nothing of it goes through
SQLAlchemy's execution, and a serving process's database layer never imports SQLAlchemy's
asyncio extension (nor the ORM it pulls in)."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import event
from sqlalchemy.dialects.postgresql.asyncpg import PGDialect_asyncpg
from sqlalchemy.sql.expression import Executable

import bot.audit.insert as audit_insert
import bot.linking.store as linking
import bot.pins.store as pins
from bot.crypto import Cipher
from bot.storage.pg import PgPool
from bot.storage.prepared import Prepared
from bot.store import Store
from tests.support import postgres
from tests.support.settings import driver_url

ROW = {"team_id": "T1", "user_id": "U1", "action": "request", "kind": "rescue", "outcome": "OK"}
STALE = timedelta(minutes=5)


@pytest.fixture
async def pg_url(pg_database: str) -> AsyncIterator[str]:
    await postgres.reset_pg(pg_database)
    yield driver_url(pg_database)
    await postgres.reset_pg(pg_database, migrated=False)


def _hot_path() -> dict[str, tuple[Prepared, Executable]]:
    claim = pins._CLAIM.for_dialect(PGDialect_asyncpg())  # type: ignore[no-untyped-call]
    return {
        name: (prepared, prepared.statement)
        for name, prepared in {
            "claim": claim,
            "finish": pins._FINISH_IN_ONE,
            "release": pins._RELEASE_GUARD,
            "note use": pins._NOTE_USE,
            "delivered": pins._SET_DELIVERED,
            "audit": audit_insert._INSERT_AUDIT,
            "is linked": linking._IS_LINKED,
        }.items()
    }


async def test_the_sql_asyncpg_runs_is_the_core_statements_compilation(pg_url: str) -> None:
    pool = PgPool(pg_url)  # the dialect asyncpg's statements are compiled for
    for name, (prepared, statement) in _hot_path().items():
        compiled = statement.compile(dialect=PGDialect_asyncpg())  # type: ignore[attr-defined,no-untyped-call]
        params = {key: None for key in compiled.positiontup}
        sql, args = prepared.bound(pool.dialect, params)
        assert sql == compiled.string, name
        # Numbered parameters, one value each (a name used twice is one number).
        assert max(int(n) for n in re.findall(r"\$(\d+)", sql)) == len(args) > 0, name


async def test_the_hot_path_runs_on_asyncpg_and_binds_through_the_column_types(
    pg_url: str,
) -> None:
    store = await Store.open(pg_url, Cipher([Fernet.generate_key().decode()]))
    seen: list[str] = []

    def through_sqlalchemy(*args: Any) -> None:
        seen.append(args[2])  # the statement's SQL

    engine = store.database._pg.engine  # type: ignore[union-attr]
    event.listen(engine, "before_cursor_execute", through_sqlalchemy)
    try:
        await store.link("T1", "U1", "code-1", "cli")
        assert seen, "a write that is not the hot path's goes through SQLAlchemy"
        seen.clear()
        assert await store.is_linked("T1", "U1")
        claim = await store.claim("T1", "U1", STALE)
        assert claim.guarded and claim.authcode == "code-1"
        assert not (await store.claim("T1", "U1", STALE)).guarded  # the guard held
        audit_id = await store.finish_request("T1", "U1", "OK", {**ROW, "cfield0": "A\x00B"})
        assert audit_id is not None
        await store.set_delivered(audit_id, True)
        extra = await store.add_audit(**ROW, tracking0="\x00")
        assert await store.ping()
        assert seen == []  # none of it through SQLAlchemy's execution
        # What it wrote is there, NUL bound as U+FFFD by the column's type on this path too.
        row = await store.audit_row(audit_id)
        assert row is not None and row.cfield0 == "A\ufffdB" and row.delivered is True
        other = await store.audit_row(extra)
        assert other is not None and other.tracking0 == "\ufffd"
        assert (await store.claim("T1", "U1", STALE)).guarded  # released with the audit row
    finally:
        event.remove(engine, "before_cursor_execute", through_sqlalchemy)
        await store.close()


async def test_a_postgresql_database_never_imports_sqlalchemy_asyncio(pg_url: str) -> None:
    code = f"""
import asyncio, sys
from datetime import timedelta
from cryptography.fernet import Fernet
from bot.crypto import Cipher
from bot.store import Store

async def main():
    store = await Store.open({pg_url!r}, Cipher([Fernet.generate_key().decode()]))
    await store.link("T1", "U1", "code-1", "cli")
    assert (await store.claim("T1", "U1", timedelta(minutes=1))).guarded
    await store.finish_request("T1", "U1", "OK", {ROW!r})
    await store.audit_rows(team_id="T1")
    await store.close()

asyncio.run(main())
print(sorted(m for m in sys.modules if m.startswith(("sqlalchemy.ext", "sqlalchemy.orm"))))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
