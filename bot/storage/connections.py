"""Connections the database layer keeps open between uses (bot/storage/database.py uses them).

SQLite's quick reader lives on the event loop's thread; PostgreSQL's group-commit taker
holds one connection from batch to batch.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast

from sqlalchemy import create_engine
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.pool import StaticPool

from bot.storage.failures import refused_by_data
from bot.storage.prepared import Steps

if TYPE_CHECKING:  # asyncpg is loaded only for PostgreSQL (bot.storage.database.open)
    from bot.storage.pg import PgPool

T = TypeVar("T")

BUSY = object()  # a quick read SQLite would have made wait


class KeptConnection:
    """One connection of a (sync) engine, for one thread: opened when first needed and kept
    (a checkout and check-in per transaction cost more than the SQL); one that failed
    (closed or invalidated) is replaced by a new one at the next `get`."""

    def __init__(self, engine: Engine, on_open: Callable[[Connection], None] | None = None) -> None:
        self._engine = engine
        self._on_open = on_open
        self._connection: Connection | None = None

    def get(self) -> Connection:
        connection = self._connection
        if connection is None or connection.closed or connection.invalidated:
            connection = self._connection = self._engine.connect()
            if self._on_open is not None:
                self._on_open(connection)
        return connection

    def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(Exception):
                connection.close()


def _never_wait(connection: Connection) -> None:
    connection.exec_driver_sql("PRAGMA busy_timeout=0")
    connection.commit()


class QuickReader:
    """SQLite's connection for quick reads on the event loop's thread, told never to wait
    for a lock (busy_timeout 0)."""

    def __init__(self, engine: Engine) -> None:
        # Its own engine: the thread's StaticPool hands every caller its one connection.
        self._engine = create_engine(
            engine.url, connect_args={"check_same_thread": False}, poolclass=StaticPool
        )
        self._kept = KeptConnection(self._engine, on_open=_never_wait)

    def read(self, work: Callable[[Connection], T]) -> T | object:
        connection = self._kept.get()
        try:
            with connection.begin():
                return work(connection)
        except OperationalError:  # busy (or worse): the thread's read waits, or says
            self._kept.close()
            return BUSY

    def dispose(self) -> None:
        self._kept.close()
        self._engine.dispose()


class HeldPg:
    """The group-commit taker's connection, held from batch to batch (a checkout once a
    run, not once a batch), and given back at once when anything but a write's own data (a
    key taken, a value refused) fails on it, so that a broken one is never used again.

    A batch of hot-path writes (all `Steps`) runs on it through asyncpg; a batch holding any
    other write runs through SQLAlchemy on a connection the pool lends for it."""

    def __init__(self, pool: PgPool) -> None:
        self._pool = pool
        self._connection: Any = None

    async def transaction(
        self, works: list[Callable[[Connection], Any]], durable: bool
    ) -> list[Any]:
        """`durable=False`: the light lane's (bot/storage/batches.Lanes), committed without
        waiting for its WAL to be flushed, this transaction alone."""
        if not all(isinstance(work, Steps) for work in works):
            return await self._pool.sa_transaction(lambda tx: [w(tx) for w in works], durable)
        if self._connection is None:
            self._connection = await self._pool.acquire()
        try:
            return await self._pool.transaction(self._connection, cast(list[Steps], works), durable)
        except IntegrityError:
            raise
        except BaseException as error:
            if not refused_by_data(error):  # only the data was refused: the connection is fine
                await self.release(broken=True)
            raise

    async def release(self, broken: bool = False) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            if broken:
                with contextlib.suppress(Exception):
                    connection.terminate()
            with contextlib.suppress(Exception):
                await self._pool.release(connection)
