"""The local PostgreSQL: a database of the run's own, emptied between tests."""

from __future__ import annotations

import asyncio
import os
import uuid
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from tests.support import sweep

ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://127.0.0.1:5432/test")


def _driver_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+asyncpg://", 1)


def _admin(statement: str) -> None:
    async def run() -> None:
        engine = create_async_engine(_driver_url(ADMIN_URL), isolation_level="AUTOCOMMIT")
        try:
            async with engine.connect() as connection:
                await connection.execute(text(statement))
        finally:
            await engine.dispose()

    # Session fixtures are set up inside pytest-asyncio's loop: use a thread of its own.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, run()).result()


def create_database() -> str:
    """A new database for this run; raises when there is no server."""
    name = f"rescue_pin_test_{uuid.uuid4().hex[:10]}"
    _admin(f'CREATE DATABASE "{name}"')
    base, _, _ = ADMIN_URL.rpartition("/")
    return f"{base}/{name}"


def drop_database(url: str) -> None:
    name = url.rpartition("/")[2]
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def reset_pg(url: str, migrated: bool = True) -> None:
    """An empty database, then (as the release phase would) migrated to head."""
    from bot.storage import migrate

    engine = create_async_engine(_driver_url(url))
    try:
        async with engine.begin() as connection:
            # What the last test left in PostgreSQL goes to the secrets sweep before it goes.
            tables = await connection.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            )
            for (table,) in tables.all():
                rows = await connection.execute(text(f'SELECT t::text FROM "{table}" t'))
                sweep.keep(f"postgresql table {table}", "\n".join(r[0] for r in rows.all()))
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
        if migrated:
            await migrate.upgrade(engine)
    finally:
        await engine.dispose()
