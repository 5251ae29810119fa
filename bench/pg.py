"""The bench on PostgreSQL (`python -m bench --postgres`, and `make bench` after SQLite): a
database of the run's own on TEST_POSTGRES_URL's server (the local one by default), created,
migrated as the release phase would, and dropped at the end; skipped, saying so, when no
server answers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import create_async_engine

from bot.storage import migrate
from tests.support import postgres


@asynccontextmanager
async def database() -> AsyncIterator[str | None]:
    """A new, migrated database's URL; None when there is no server."""
    try:
        url = postgres.create_database()
    except Exception as error:
        print(f"PostgreSQL not reachable at {postgres.ADMIN_URL} ({type(error).__name__}): skipped")
        yield None
        return
    try:
        engine = create_async_engine(url.replace("postgresql://", "postgresql+asyncpg://", 1))
        try:
            await migrate.upgrade(engine)
        finally:
            await engine.dispose()
        yield url
    finally:
        postgres.drop_database(url)
