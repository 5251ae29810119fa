"""PostgreSQL through asyncpg's own pool (issue 22, decision 3): the process's one pool.

The hot path's statements (`bot.storage.prepared.Steps`) run on it directly: their SQL is
the Core statement compiled once for SQLAlchemy's asyncpg dialect, and their values go
through the columns' bind processors, as on every other path. Everything else is still a
function of a SQLAlchemy `Connection`: it runs in a greenlet (as SQLAlchemy's asyncio
extension would run it, without importing that extension and the ORM it pulls in) on a
connection lent by the same pool. SQLAlchemy's asyncio adapter and its greenlet switches
cost about 0.5 ms of CPU per PIN request here, more than the SQL.

Driver errors become SQLAlchemy's (IntegrityError, DataError, ...) without their
parameters, so bot/storage/failures.py tells them apart in one place, as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import Any, TypeVar

import asyncpg
from sqlalchemy import create_engine, exc
from sqlalchemy.dialects import registry
from sqlalchemy.dialects.postgresql.asyncpg import PGDialect_asyncpg
from sqlalchemy.engine import Connection, Dialect, Engine, make_url
from sqlalchemy.pool import NullPool
from sqlalchemy.util.concurrency import greenlet_spawn

from bot.storage.engines import (  # one pool size, timeouts and idle ping for both engines
    ACQUIRE_TIMEOUT,
    COMMAND_TIMEOUT,
    CONNECT_TIMEOUT,
    PING_AFTER_IDLE_SECONDS,
    POOL_SIZE,
)
from bot.storage.prepared import Steps

T = TypeVar("T")


# What asyncpg raises: the server's errors, a connection's, and its own protocol's (a
# connection cut mid-statement can leave it "in another operation": InternalClientError).
_DRIVER_ERRORS = (asyncpg.PostgresError, asyncpg.InterfaceError, asyncpg.InternalClientError)
# ... of which these leave the connection unusable: the pool opens new ones.
_LOST = (
    asyncpg.ConnectionDoesNotExistError,
    asyncpg.PostgresConnectionError,
    asyncpg.InternalClientError,
)


class _Dialect(PGDialect_asyncpg):
    """SQLAlchemy's asyncpg dialect, minus its per-connection set-up: it gives asyncpg JSON
    and INET codecs (this schema has neither), and asyncpg drops a connection's prepared
    statements whenever a codec is set, which here is every time SQLAlchemy borrows one."""

    supports_statement_cache = True  # as its parent's: only on_connect differs

    def on_connect(self) -> None:
        return None


registry.register("postgresql.rescuepin", __name__, "_Dialect")


def _closed(connection: Any) -> bool:
    """Whether `connection` (a pool's) is gone: asyncpg detaches a lost one from the pool's
    handle, which then answers every call, this one too, with an InterfaceError."""
    try:
        return bool(connection.is_closed())
    except asyncpg.InterfaceError:
        return True


class _Stale(Exception):
    """A connection from the pool failed its ping."""


class _Lent:
    """A pool connection as SQLAlchemy's adapter sees it: closing it gives it back."""

    def __init__(self, connection: Any, pool: PgPool) -> None:
        self._connection = connection
        self._pool = pool

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connection, name)

    def is_closed(self) -> bool:
        return _closed(self._connection)

    async def close(self, **_: Any) -> None:  # SQLAlchemy may pass asyncpg's timeout=
        await self._pool.release(self._connection)

    def terminate(self) -> None:
        with contextlib.suppress(asyncpg.InterfaceError):
            self._connection.terminate()
        asyncio.get_running_loop().create_task(self._pool.release(self._connection))


class PgPool:
    """asyncpg's pool, and the engine that lends its connections to SQLAlchemy."""

    def __init__(self, url: str) -> None:
        parsed = make_url(url).set(drivername="postgresql+rescuepin")
        self.engine: Engine = create_engine(parsed, poolclass=NullPool, creator=self._creator)
        self.autocommit = self.engine.execution_options(isolation_level="AUTOCOMMIT")
        self.dialect: Dialect = self.engine.dialect
        _, self._connect_args = self.dialect.create_connect_args(parsed)
        self._pool: asyncpg.Pool | None = None
        self._idle_since: dict[int, float] = {}  # by server pid

    async def open(self) -> None:
        self._pool = await asyncpg.create_pool(
            **self._connect_args,
            min_size=1,
            max_size=POOL_SIZE,
            timeout=CONNECT_TIMEOUT,
            command_timeout=COMMAND_TIMEOUT,
            init=self._note_idle,
            setup=self._ping_if_idle,
            reset=self._note_idle,  # not asyncpg's RESET ALL: one round trip per checkin
        )

    async def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            await asyncio.wait_for(pool.close(), COMMAND_TIMEOUT)

    async def _note_idle(self, connection: Any) -> None:
        if connection.is_in_transaction():  # a failed statement's: never lent on in one
            await connection.execute("ROLLBACK")
        self._idle_since[connection.get_server_pid()] = time.monotonic()

    async def _ping_if_idle(self, connection: Any) -> None:
        pid = connection.get_server_pid()
        if time.monotonic() - self._idle_since.get(pid, 0.0) >= PING_AFTER_IDLE_SECONDS:
            try:
                await connection.execute("SELECT 1")
            except (OSError, *_DRIVER_ERRORS) as error:
                raise _Stale() from error  # asyncpg closes it; acquire takes another

    async def acquire(self) -> Any:
        if self._pool is None:
            raise exc.InterfaceError("the pool is closed", None, Exception("closed"))
        try:
            try:
                return await self._pool.acquire(timeout=ACQUIRE_TIMEOUT)
            except _Stale:
                # The database went away meanwhile (a restart takes every connection): the
                # pool opens new ones; should that fail too, the caller hears why.
                self._pool.expire_connections()
                return await self._pool.acquire(timeout=ACQUIRE_TIMEOUT)
        except _Stale as stale:
            cause = stale.__cause__
            if isinstance(cause, OSError):
                raise cause from None
            assert isinstance(cause, Exception)
            raise self.translated("(a connection)", cause, None) from None
        except _DRIVER_ERRORS as error:
            raise self.translated("(a connection)", error, None) from None

    async def release(self, connection: Any) -> None:
        if self._pool is not None:
            await self._pool.release(connection, timeout=COMMAND_TIMEOUT)

    def _creator(self) -> Any:
        return self.dialect.loaded_dbapi.connect(async_creator_fn=self._lend)

    async def _lend(self) -> _Lent:
        return _Lent(await self.acquire(), self)

    # SQLAlchemy's side: functions of a Connection, in a greenlet.

    async def sa_transaction(self, work: Callable[[Connection], T], durable: bool = True) -> T:
        def run() -> T:
            with self.engine.connect() as connection, connection.begin():
                if not durable:
                    connection.exec_driver_sql("SET LOCAL synchronous_commit = off")
                return work(connection)

        result: T = await greenlet_spawn(run)
        return result

    async def sa_read(self, work: Callable[[Connection], T]) -> T:
        def run() -> T:
            with self.autocommit.connect() as connection:
                return work(connection)

        result: T = await greenlet_spawn(run)
        return result

    # asyncpg's side: the hot path's statements.

    async def run(self, connection: Any, steps: Steps) -> Any:
        """`steps` on `connection` (in whatever transaction it is in); the last one's answer."""
        result: Any = None
        dialect = self.dialect
        for step in steps:
            sql, args = step.statement_for(dialect).bound(dialect, step.params)
            try:
                if step.want == "first":
                    result = await connection.fetchrow(sql, *args)
                elif step.want == "scalar":
                    result = await connection.fetchval(sql, *args)
                else:
                    status = await connection.execute(sql, *args)
                    result = int(status.rpartition(" ")[2] or 0)
            except _DRIVER_ERRORS as error:
                raise self.translated(sql, error, connection) from None
        return result

    async def transaction(self, connection: Any, batch: list[Steps], durable: bool) -> list[Any]:
        """Each of `batch` in one transaction on `connection`, committed; their answers."""
        # BEGIN and the light lane's setting in one round trip.
        begin = "BEGIN" if durable else "BEGIN; SET LOCAL synchronous_commit = off"
        try:
            await connection.execute(begin)
            results = [await self.run(connection, steps) for steps in batch]
            await connection.execute("COMMIT")
        except BaseException as error:
            if not _closed(connection) and connection.is_in_transaction():
                try:
                    await connection.execute("ROLLBACK")
                except Exception:
                    with contextlib.suppress(Exception):
                        connection.terminate()
            if isinstance(error, _DRIVER_ERRORS):
                raise self.translated(begin, error, connection) from None
            raise
        return results

    async def read(self, steps: Steps) -> Any:
        """`steps` outside a transaction, on a connection of the pool's."""
        connection = await self.acquire()
        try:
            return await self.run(connection, steps)
        finally:
            await self.release(connection)

    def translated(self, sql: str, error: Exception, connection: Any) -> exc.DBAPIError:
        """`error` as SQLAlchemy's, without its parameters (they can be customer fields).
        A connection lost (a database restart takes them all) has the pool open new ones."""
        dbapi = self.dialect.loaded_dbapi
        try:
            dbapi_error: Any = dbapi.Error(str(error), error)
            for kind in type(error).__mro__:
                if (to := dbapi._asyncpg_error_translate.get(kind)) is not None:
                    dbapi_error = to(error.args[0] if error.args else str(error), error)
                    break
            dbapi_error.__cause__ = error
        except Exception:  # noqa: BLE001 - never let classifying hide the failure
            dbapi_error = dbapi.Error(type(error).__name__)
        lost = (connection is not None and _closed(connection)) or isinstance(error, _LOST)
        if lost and self._pool is not None:
            self._pool.expire_connections()
        translated: exc.DBAPIError = exc.DBAPIError.instance(
            sql,
            None,
            dbapi_error,
            dbapi.Error,
            hide_parameters=True,
            dialect=self.dialect,
            connection_invalidated=lost,
        )
        return translated
