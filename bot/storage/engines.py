"""The engines: SQLite's (WAL, FULL) and PostgreSQL's (its pool, and when it pings)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy import create_engine as sa_create_engine
from sqlalchemy import event
from sqlalchemy.engine import Dialect, Engine, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.pool import StaticPool

if TYPE_CHECKING:  # SQLAlchemy's asyncio layer (and its ORM) only where an engine is made
    from sqlalchemy.ext.asyncio import AsyncEngine


def sqlite_pragmas(connection: Any, _: Any, synchronous: str = "FULL") -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    # FULL, not NORMAL: under WAL, NORMAL can lose the last commits on power loss, and an
    # audit row committed before its PIN is delivered must survive. Group commit pays for it.
    # NORMAL only for the light lane's connection (bot/storage/batches.Lanes).
    cursor.execute(f"PRAGMA synchronous={synchronous}")
    cursor.close()


def _light_pragmas(connection: Any, record: Any) -> None:
    sqlite_pragmas(connection, record, "NORMAL")


POOL_SIZE = 20  # PostgreSQL connections per process
# Short timeouts, in seconds: an unreachable database must fail a request fast, not hold it a
# minute. The same for SQLAlchemy's engine here and asyncpg's pool (pg.py).
CONNECT_TIMEOUT = 5.0  # opening a connection
ACQUIRE_TIMEOUT = 5.0  # waiting for one of the pool's
COMMAND_TIMEOUT = 10.0  # every statement


def create_engine(url: str) -> AsyncEngine:
    from sqlalchemy.ext.asyncio import create_async_engine

    if url.startswith("sqlite"):
        # Admin verbs' and tests' only: requests and start-up use the Database's own thread.
        engine = create_async_engine(url, connect_args={"timeout": 30})
        event.listen(engine.sync_engine, "connect", sqlite_pragmas)
        return engine
    engine = create_async_engine(
        url,
        # No overflow: a connection opened for a burst and closed after it (TCP, the SSL
        # offer, authentication, and the driver's prepared statements lost with it) cost
        # more CPU than the queries it served. A burst waits its turn; every query is short.
        pool_size=POOL_SIZE,
        max_overflow=0,
        pool_timeout=ACQUIRE_TIMEOUT,
        connect_args={"timeout": CONNECT_TIMEOUT, "command_timeout": COMMAND_TIMEOUT},
    )
    event.listen(engine.sync_engine, "connect", _note_idle)
    event.listen(engine.sync_engine, "checkin", _note_idle)
    event.listen(engine.sync_engine, "checkout", _pinging_if_idle(engine.dialect))
    return engine


# A connection back from the pool is pinged only when it sat there this long. pool_pre_ping
# pinged at every checkout: BEGIN, ";", ROLLBACK, three round trips before a one-statement
# read. One used a moment ago is as alive as a ping would show. Should the database restart
# in that moment, the first statement on a dead connection fails and says so (as it would
# mid-transaction), and the pool is renewed then (SQLAlchemy for its own statements,
# bot/storage/prepared.py for the hot path's), so one request pays, not every one after it.
PING_AFTER_IDLE_SECONDS = 1.0


def _note_idle(_: Any, record: Any, *__: Any) -> None:
    record.info["idle_since"] = time.monotonic()


def _pinging_if_idle(dialect: Dialect) -> Callable[[Any, Any, Any], None]:
    def on_checkout(dbapi_connection: Any, record: Any, _: Any) -> None:
        if time.monotonic() - record.info.get("idle_since", 0.0) < PING_AFTER_IDLE_SECONDS:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except Exception as error:
            # The pool drops this connection and checks out another (SQLAlchemy's recipe).
            raise DisconnectionError() from error

    return on_checkout


def sync_sqlite(async_url: str, durable: bool = True) -> Engine:
    """The SQLite file through the plain sqlite3 driver, for the Database's own thread;
    `durable=False`: the light lane's, whose commits are not flushed on their own."""
    url = make_url(async_url).set(drivername="sqlite+pysqlite")
    sync = sa_create_engine(
        url, connect_args={"timeout": 30, "check_same_thread": False}, poolclass=StaticPool
    )
    event.listen(sync, "connect", sqlite_pragmas if durable else _light_pragmas)
    return sync
