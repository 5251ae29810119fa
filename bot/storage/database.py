"""Reaching the database: group commit and reads (engines: engines.py; what a failure was,
StoreUnavailable or StoreRefused: failures.py).

PostgreSQL runs on asyncpg's pool (pg.py): the hot path's statements (prepared.Steps) on
asyncpg directly, every other function of a Connection in a greenlet. SQLite runs it on a thread of
its own with the sqlite3 driver: SQLAlchemy's asyncio adapter over aiosqlite cost about 2 ms
of CPU per statement here, the plain driver about 0.1 ms, and one thread is also SQLite's one
writer at a time, so writers never sleep in its busy handler.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar, cast

from sqlalchemy import literal_column, select
from sqlalchemy.engine import Connection, Engine

from bot.logs import get_logger
from bot.storage import migrate
from bot.storage.batches import Lanes, Settled, Write, as_one, attempt, attempt_async, settle
from bot.storage.connections import BUSY, HeldPg, KeptConnection, QuickReader
from bot.storage.engines import create_engine, sync_sqlite
from bot.storage.failures import StoreUnavailable, reaching
from bot.storage.prepared import Prepared, Step, Steps

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

    from bot.storage.pg import PgPool

log = get_logger(__name__)
T = TypeVar("T")


def now() -> datetime:
    return datetime.now(UTC)


def utc(moment: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes; everything stored is UTC.
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


class Database:
    """Runs one function as one transaction (write) or one connection (read)."""

    def __init__(self, url: str, pg: PgPool | None = None) -> None:
        self._url, self._pg = url, pg  # PostgreSQL's one pool
        self._engine: AsyncEngine | None = None  # SQLAlchemy's asyncio engine: if asked for
        self._sqlite: Engine | None = None
        self._thread: ThreadPoolExecutor | None = None
        self._lanes = Lanes()  # group commit: writes waiting, and whether a taker runs
        self._lock = threading.Lock()
        self._taker: asyncio.Task[None] | None = None  # PostgreSQL's group commit
        if pg is None:
            self._sqlite = sync_sqlite(url)
            self._kept = KeptConnection(self._sqlite)  # SQLite's thread's
            self._light = sync_sqlite(url, durable=False)  # ... and its light lane's
            self._kept_light = KeptConnection(self._light)
            self._thread = ThreadPoolExecutor(1, thread_name_prefix="sqlite")
            self._quick_reader = QuickReader(self._sqlite)

    @property
    def postgres(self) -> bool:
        return self._pg is not None

    @property
    def engine(self) -> AsyncEngine:
        """SQLAlchemy's asyncio engine, made when first asked for (the admin verbs, tests):
        a server's requests and start-up never use it (SQLite's thread; PostgreSQL's pool)."""
        if self._engine is None:
            self._engine = create_engine(self._url)
        return self._engine

    @classmethod
    async def open(cls, url: str, migrate_apart: bool = False) -> Database:
        """Refuses a schema behind this code (SchemaBehind says what to run).

        A brand-new SQLite file is the one database set up here: nothing in it to protect.
        `migrate_apart` (the servers): by a child process, so that Alembic never stays in
        this process's memory.
        """
        sqlite = url.startswith("sqlite")
        if sqlite:
            database = cls(url)
        else:
            from bot.storage.pg import PgPool  # asyncpg: only where PostgreSQL is the database

            database = cls(url, PgPool(url))
        try:
            if database._pg is not None:
                await database._pg.open()
            schema = await database.read(migrate.inspect_on)
            if sqlite and schema.empty and migrate_apart:
                await migrate.upgrade_apart(url)
            elif sqlite and schema.empty:
                await database.write(migrate.upgrade_on, alone=True)
            if schema.behind and not (sqlite and schema.empty):
                raise migrate.SchemaBehind(migrate.describe(schema))
            if not schema.known:
                # A newer release migrated first (rolling deploy): its changes are additive.
                log.warning("schema_newer_than_code", current=schema.current, head=schema.head)
        except BaseException:
            await database.close()
            raise
        return database

    async def close(self) -> None:
        if self._taker is not None:  # PostgreSQL's last batch
            with contextlib.suppress(Exception):
                await self._taker
        thread, self._thread = self._thread, None  # closing twice is harmless
        if thread is not None and self._sqlite is not None:
            self._quick_reader.dispose()
            await asyncio.get_running_loop().run_in_executor(thread, self._close_sqlite)
            thread.shutdown(wait=True)
        if self._pg is not None:
            await self._pg.close()
        if self._engine is not None:
            await self._engine.dispose()

    def _close_sqlite(self) -> None:
        self._kept.close()
        self._kept_light.close()
        self._light.dispose()
        assert self._sqlite is not None
        self._sqlite.dispose()

    def _in_transaction(self, work: Callable[[Connection], T], durable: bool = True) -> T:
        """On SQLite's thread: `work` in a transaction on the thread's kept connection (the
        light lane's when not `durable`)."""
        connection = (self._kept if durable else self._kept_light).get()
        with connection.begin():
            return work(connection)

    async def ping(self) -> bool:
        try:
            await self.read(_PING)
        except StoreUnavailable:
            return False
        return True

    async def write(
        self, work: Callable[[Connection], T], alone: bool = False, durable: bool = True
    ) -> T:
        """`work` in a transaction, committed before this returns.

        Writes that arrive while earlier ones are being committed are committed together, in
        one transaction (group commit): on SQLite one commit and one wake-up of the event
        loop for the lot, on PostgreSQL one checkout, BEGIN and COMMIT instead of one each.
        Each caller still returns only once its own work is committed, so nothing it
        acknowledges afterwards (a PIN's audit row before its delivery) can be lost. When one
        of them fails on its own data (a guard already taken, say), each is run again in a
        transaction of its own, so only it fails; when the database itself fails, they all do.

        `alone`: a long write (the purge) in its own transaction, not holding up the others
        (SQLite's one thread still runs one thing at a time). `durable=False`: the light lane
        (bot/storage/batches.Lanes says what may go there).
        """
        async with reaching("write"):
            if self._sqlite is not None and self._thread is None:
                raise StoreUnavailable("the store is closed")
            if alone and self._pg is not None:
                return await self._pg.sa_transaction(work)
            loop = asyncio.get_running_loop()
            done: asyncio.Future[T] = loop.create_future()
            with self._lock:
                start = self._lanes.add((work, done), durable)
            if start:
                if self._thread is not None:
                    self._thread.submit(self._take_writes, loop)
                else:
                    self._taker = loop.create_task(self._take_writes_async())
            return await done

    def _next_batches(self) -> tuple[list[Write], list[Write]]:
        with self._lock:
            return self._lanes.take()

    def _take_writes(self, loop: asyncio.AbstractEventLoop) -> None:
        """On SQLite's thread: commit what is waiting, batch after batch, until nothing is."""
        try:
            while any(batches := self._next_batches()):
                for batch, durable in zip(batches, (False, True), strict=True):
                    if batch:
                        loop.call_soon_threadsafe(settle, self._commit(batch, durable))
        except BaseException:  # the loop closed under it: let a later write start again
            with self._lock:
                self._lanes.taking = False
            raise

    def _commit(self, batch: list[Write], durable: bool) -> list[Settled]:
        def in_transaction(work: Callable[[Connection], Any]) -> Any:
            return self._in_transaction(work, durable)

        if len(batch) > 1:
            together = attempt(in_transaction, lambda tx: [work(tx) for work, _ in batch])
            if (settled := as_one(batch, together)) is not None:
                return settled
        return [(done, *attempt(in_transaction, work)) for work, done in batch]

    async def _take_writes_async(self) -> None:
        """PostgreSQL: commit what is waiting, batch after batch, until nothing is, on one
        connection held from batch to batch: a checkout (and its ping, after idling) once a
        run, not once a batch. It goes back to the pool when the run ends, or at once if it
        failed."""
        batches: tuple[list[Write], ...] = ()
        assert self._pg is not None
        held = HeldPg(self._pg)
        try:
            while any(batches := self._next_batches()):
                for batch, durable in zip(batches, (False, True), strict=True):
                    if batch:
                        settle(await self._commit_async(held, batch, durable))
                batches = ()
        except BaseException as error:  # cancelled at shutdown: nobody may wait for ever
            with self._lock:
                left = [write for batch in batches for write in batch] + self._lanes.drop()
            failed = StoreUnavailable(type(error).__name__)
            settle([(done, None, failed) for _, done in left if not done.done()])
            raise
        finally:
            await held.release()

    async def _commit_async(self, held: HeldPg, batch: list[Write], durable: bool) -> list[Settled]:
        if len(batch) > 1:
            together = await attempt_async(held.transaction([w for w, _ in batch], durable))
            if (settled := as_one(batch, together)) is not None:
                return settled
        alone: list[Settled] = []
        for work, done in batch:
            results, error = await attempt_async(held.transaction([work], durable))
            alone.append((done, None if error else results[0], error))
        return alone

    async def read(self, work: Callable[[Connection], T], quick: bool = False) -> T:
        """`work` reads with one statement (every read here does): on PostgreSQL it runs in
        autocommit, which spares the BEGIN and the ROLLBACK, two of its four round trips.

        `quick`: one row by its key, on every request. On SQLite it runs right here on the
        event loop's thread (about 10 µs, against about 70 µs to hand it to SQLite's thread
        and back), on a connection of its own that never waits: under WAL a reader does not
        wait for the writer, and should SQLite say busy all the same, the thread reads."""
        async with reaching("read"):
            if self._sqlite is not None:
                if self._thread is None:
                    raise StoreUnavailable("the store is closed")
                if quick and (found := self._quick_reader.read(work)) is not BUSY:
                    return cast(T, found)
                # Not run_in_executor: its two futures and their chaining cost ~30 µs of a
                # ~100 µs hand-off to the thread and back; the writes' way is lighter.
                loop = asyncio.get_running_loop()
                done: asyncio.Future[Any] = loop.create_future()

                def on_thread() -> None:
                    result, error = attempt(self._in_transaction, work)
                    settled: list[Settled] = [(done, result, error)]
                    loop.call_soon_threadsafe(settle, settled)

                self._thread.submit(on_thread)
                read: T = await done
                return read
            assert self._pg is not None
            if isinstance(work, Steps):
                answer: T = await self._pg.read(work)
                return answer
            return await self._pg.sa_read(work)


_PING = Steps((Step(Prepared(select(literal_column("1"))), "scalar", {}),))
