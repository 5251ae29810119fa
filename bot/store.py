"""Everything kept between requests, over SQLAlchemy async: SQLite or PostgreSQL.

Authcodes are encrypted before they reach the database. Nothing here lives in process
memory, so several processes on one database behave as one.
"""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    delete,
    event,
    insert,
    select,
    update,
)
from sqlalchemy import create_engine as sa_create_engine
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import StaticPool

from bot import migrate
from bot.crypto import Cipher
from bot.logs import current_request_id, get_logger

log = get_logger(__name__)
T = TypeVar("T")

metadata = MetaData()

links = Table(
    "links",
    metadata,
    Column("team_id", String(32), primary_key=True),
    Column("user_id", String(32), primary_key=True),
    Column("authcode", Text, nullable=False),  # Fernet token, never the code itself
    Column("method", String(16), nullable=False),
    Column("linked_at", DateTime(timezone=True), nullable=False),
    Column("linked_by", String(32), nullable=True),
    Column("last_used_at", DateTime(timezone=True), nullable=True),
    Column("last_outcome", String(32), nullable=True),
)

in_flight = Table(
    "in_flight",
    metadata,
    Column("team_id", String(32), primary_key=True),
    Column("user_id", String(32), primary_key=True),
    Column("started_at", DateTime(timezone=True), nullable=False),
)

audit = Table(
    "audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False, index=True),
    Column("team_id", String(32), nullable=False),
    Column("user_id", String(32), nullable=False),
    Column("action", String(16), nullable=False),  # request | share
    Column("kind", String(16), nullable=False),
    Column("channel_id", String(32), nullable=True),
    Column("cfield0", String(64), nullable=True),
    Column("tracking0", String(64), nullable=True),
    Column("no_tech_console", Boolean, nullable=False, default=False),
    Column("outcome", String(32), nullable=False),
    Column("pin", String(6), nullable=True),
    Column("delivered", Boolean, nullable=True),
    Column("ref_id", Integer, nullable=True),  # a share: the request row it shared
    Column("request_id", String(32), nullable=True),  # the one its log lines carry
    Index("ix_audit_team_user_at", "team_id", "user_id", "at"),
)

# The fields of a request that may be retried without the console: kept here, encrypted,
# so nothing about the customer travels through Slack twice and long fields survive.
retries = Table(
    "retries",
    metadata,
    Column("token", String(43), primary_key=True),
    Column("team_id", String(32), nullable=False),
    Column("user_id", String(32), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("channel_id", String(32), nullable=True),
    Column("fields", Text, nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False, index=True),
)


class StoreUnavailable(Exception):
    """The database could not be reached or answered with an error; the operation did nothing."""


@asynccontextmanager
async def _reaching(what: str) -> AsyncIterator[None]:
    try:
        yield
    except IntegrityError:
        raise  # an answer from a reachable database: the caller's business
    except (SQLAlchemyError, OSError) as error:
        # Driver errors can quote SQL parameters: keep only the kind.
        raise StoreUnavailable(f"{what}: {type(error).__name__}") from None


class Method:
    CLI = "cli"
    SELF = "self-service"
    SIGNIN = "sign-in"
    SSO = "sso"
    ADMIN = "admin"  # linked from Slack by a team lead, for someone else


@dataclass(frozen=True)
class LinkInfo:
    team_id: str
    user_id: str
    method: str
    linked_at: datetime
    last_used_at: datetime | None
    last_outcome: str | None


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    team_id: str
    user_id: str
    action: str
    kind: str
    channel_id: str | None
    cfield0: str | None
    tracking0: str | None
    no_tech_console: bool
    outcome: str
    pin: str | None
    delivered: bool | None
    ref_id: int | None
    request_id: str | None = None


@dataclass(frozen=True)
class Retry:
    kind: str
    channel_id: str | None
    fields: dict[str, str]


def now() -> datetime:
    return datetime.now(UTC)


def _utc(moment: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes; everything stored is UTC.
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def _sqlite_pragmas(connection: Any, _: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")  # WAL keeps this safe from app crashes
    cursor.close()


def create_engine(url: str) -> AsyncEngine:
    if url.startswith("sqlite"):
        # Used for migrations at start; requests go through the Store's own thread.
        engine = create_async_engine(url, connect_args={"timeout": 30})
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    # Short timeouts: an unreachable database must fail a request fast, not hold it a minute.
    return create_async_engine(
        url,
        pool_size=10,
        max_overflow=20,
        pool_pre_ping=True,
        pool_timeout=5,
        connect_args={"timeout": 5, "command_timeout": 10},
    )


class Store:
    """Each method is one transaction, written once against SQLAlchemy's plain Connection.

    PostgreSQL runs it through asyncpg (run_sync). SQLite runs it on a thread of its own
    with the sqlite3 driver: SQLAlchemy's asyncio adapter over aiosqlite cost about 2 ms of
    CPU per statement here, the plain driver about 0.1 ms, and one thread is also SQLite's
    one writer at a time, so writers never sleep in its busy handler.
    """

    def __init__(self, engine: AsyncEngine, cipher: Cipher) -> None:
        self.engine = engine
        self._cipher = cipher
        self._sqlite: Engine | None = None
        self._thread: ThreadPoolExecutor | None = None
        if engine.dialect.name == "sqlite":
            self._sqlite = _sync_sqlite(engine)
            self._thread = ThreadPoolExecutor(1, thread_name_prefix="sqlite")

    @classmethod
    async def open(cls, url: str, cipher: Cipher) -> Store:
        """Refuses a schema behind this code (SchemaBehind says what to run).

        A brand-new SQLite file is the one database set up here: nothing in it to protect.
        """
        engine = create_engine(url)
        try:
            schema = await migrate.inspect_schema(engine)
            if schema.empty and url.startswith("sqlite"):
                await migrate.upgrade(engine)
            elif schema.behind:
                raise migrate.SchemaBehind(migrate.describe(schema))
            elif not schema.known:
                # A newer release migrated first (rolling deploy): its changes are additive.
                log.warning("schema_newer_than_code", current=schema.current, head=schema.head)
        except BaseException:
            await engine.dispose()
            raise
        if engine.dialect.name == "sqlite":
            # Requests use the Store's own thread: let the migration check's connection go.
            await engine.dispose()
        return cls(engine, cipher)

    async def close(self) -> None:
        thread, self._thread = self._thread, None  # closing twice is harmless
        if thread is not None and self._sqlite is not None:
            await asyncio.get_running_loop().run_in_executor(thread, self._sqlite.dispose)
            thread.shutdown(wait=True)
        await self.engine.dispose()

    async def ping(self) -> bool:
        try:
            await self._read(lambda connection: connection.execute(select(1)).scalar())
        except StoreUnavailable:
            return False
        return True

    async def _run(self, work: Callable[[Connection], T], write: bool) -> T:
        async with _reaching("write" if write else "read"):
            if self._sqlite is not None:
                if self._thread is None:
                    raise StoreUnavailable("the store is closed")
                engine = self._sqlite

                def on_thread() -> T:
                    with engine.begin() if write else engine.connect() as connection:
                        return work(connection)

                return await asyncio.get_running_loop().run_in_executor(self._thread, on_thread)
            async with self.engine.begin() if write else self.engine.connect() as connection:
                return await connection.run_sync(work)

    async def _write(self, work: Callable[[Connection], T]) -> T:
        return await self._run(work, write=True)

    async def _read(self, work: Callable[[Connection], T]) -> T:
        return await self._run(work, write=False)

    # Links

    async def link(
        self, team_id: str, user_id: str, authcode: str, method: str, by: str | None = None
    ) -> None:
        row = {
            "authcode": self._cipher.encrypt(authcode),
            "method": method,
            "linked_at": now(),
            "linked_by": by,
            "last_used_at": None,
            "last_outcome": None,
        }
        key = and_(links.c.team_id == team_id, links.c.user_id == user_id)

        def work(tx: Connection) -> None:
            if tx.execute(update(links).where(key).values(**row)).rowcount == 0:
                tx.execute(insert(links).values(team_id=team_id, user_id=user_id, **row))

        await self._write(work)

    async def unlink(self, team_id: str, user_id: str) -> bool:
        gone = await self._write(
            lambda tx: (
                tx.execute(
                    delete(links).where(links.c.team_id == team_id, links.c.user_id == user_id)
                ).rowcount
            )
        )
        return bool(gone)

    async def authcode(self, team_id: str, user_id: str) -> str | None:
        token = await self._read(
            lambda connection: connection.scalar(
                select(links.c.authcode).where(
                    links.c.team_id == team_id, links.c.user_id == user_id
                )
            )
        )
        return None if token is None else self._cipher.decrypt(token)

    async def is_linked(self, team_id: str, user_id: str) -> bool:
        found = await self._read(
            lambda connection: connection.scalar(
                select(links.c.user_id).where(
                    links.c.team_id == team_id, links.c.user_id == user_id
                )
            )
        )
        return found is not None

    async def links(self, team_id: str | None = None) -> list[LinkInfo]:
        query = select(
            links.c.team_id,
            links.c.user_id,
            links.c.method,
            links.c.linked_at,
            links.c.last_used_at,
            links.c.last_outcome,
        ).order_by(links.c.team_id, links.c.user_id)
        if team_id is not None:
            query = query.where(links.c.team_id == team_id)
        rows = await self._read(lambda connection: connection.execute(query).all())
        return [
            LinkInfo(
                r.team_id,
                r.user_id,
                r.method,
                _utc(r.linked_at) or now(),
                _utc(r.last_used_at),
                r.last_outcome,
            )
            for r in rows
        ]

    async def rotate_key(self) -> int:
        """Re-encrypt every authcode with the first key; returns how many."""

        def work(tx: Connection) -> int:
            rows = tx.execute(select(links.c.team_id, links.c.user_id, links.c.authcode)).all()
            for row in rows:
                tx.execute(
                    update(links)
                    .where(links.c.team_id == row.team_id, links.c.user_id == row.user_id)
                    .values(authcode=self._cipher.rotate(row.authcode))
                )
            return len(rows)

        return await self._write(work)

    # One PIN request per agent at a time, across processes.

    async def claim(
        self, team_id: str, user_id: str, stale_after: timedelta
    ) -> tuple[bool, str | None]:
        """Take the agent's guard and read their authcode, in one transaction.

        (False, None) when another request holds the guard; (True, None) when unlinked.
        """
        key = and_(in_flight.c.team_id == team_id, in_flight.c.user_id == user_id)

        def work(tx: Connection) -> str | None:
            tx.execute(delete(in_flight).where(key, in_flight.c.started_at < now() - stale_after))
            tx.execute(insert(in_flight).values(team_id=team_id, user_id=user_id, started_at=now()))
            token: str | None = tx.scalar(
                select(links.c.authcode).where(
                    links.c.team_id == team_id, links.c.user_id == user_id
                )
            )
            return token

        try:
            token = await self._write(work)
        except IntegrityError:
            return False, None
        return True, None if token is None else self._cipher.decrypt(token)

    async def begin_request(self, team_id: str, user_id: str, stale_after: timedelta) -> bool:
        return (await self.claim(team_id, user_id, stale_after))[0]

    async def finish_request(
        self,
        team_id: str,
        user_id: str,
        outcome: str | None = None,
        audit_row: dict[str, Any] | None = None,
    ) -> int | None:
        """Release the guard, note the link's last use when Rescue was called, and write the
        audit row: one transaction. Returns the audit row's id."""
        request_id = current_request_id()

        def work(tx: Connection) -> int | None:
            if outcome is not None:
                tx.execute(
                    update(links)
                    .where(links.c.team_id == team_id, links.c.user_id == user_id)
                    .values(last_used_at=now(), last_outcome=outcome)
                )
            tx.execute(
                delete(in_flight).where(
                    in_flight.c.team_id == team_id, in_flight.c.user_id == user_id
                )
            )
            return None if audit_row is None else _insert_audit(tx, audit_row, request_id)

        return await self._write(work)

    async def end_request(self, team_id: str, user_id: str, outcome: str | None = None) -> None:
        await self.finish_request(team_id, user_id, outcome)

    # Audit

    async def add_audit(self, **row: Any) -> int:
        request_id = current_request_id()  # read here: the worker thread has no context
        return await self._write(lambda tx: _insert_audit(tx, row, request_id))

    async def set_delivered(self, audit_id: int, delivered: bool) -> None:
        await self._write(
            lambda tx: tx.execute(
                update(audit).where(audit.c.id == audit_id).values(delivered=delivered)
            )
        )

    async def audit_rows(
        self,
        since: datetime | None = None,
        user_id: str | None = None,
        limit: int | None = None,
        team_id: str | None = None,
        action: str | None = None,
    ) -> Sequence[AuditRow]:
        query = select(audit).order_by(audit.c.at.desc(), audit.c.id.desc())
        if team_id is not None:
            query = query.where(audit.c.team_id == team_id)
        if action is not None:
            query = query.where(audit.c.action == action)
        if since is not None:
            query = query.where(audit.c.at >= since)
        if user_id is not None:
            query = query.where(audit.c.user_id == user_id)
        if limit is not None:
            query = query.limit(limit)
        rows = await self._read(lambda connection: connection.execute(query).all())
        return [AuditRow(**{**row._mapping, "at": _utc(row.at)}) for row in rows]

    async def audit_row(self, audit_id: int) -> AuditRow | None:
        row = await self._read(
            lambda connection: connection.execute(
                select(audit).where(audit.c.id == audit_id)
            ).first()
        )
        return None if row is None else AuditRow(**{**row._mapping, "at": _utc(row.at)})

    async def purge_audit(self, older_than: timedelta) -> int:
        gone = await self._write(
            lambda tx: tx.execute(delete(audit).where(audit.c.at < now() - older_than)).rowcount
        )
        return int(gone or 0)

    # Retries without the console

    async def save_retry(
        self,
        team_id: str,
        user_id: str,
        kind: str,
        channel_id: str | None,
        fields: dict[str, str],
        ttl: timedelta,
    ) -> str:
        token = secrets.token_urlsafe(24)
        sealed = self._cipher.encrypt(json.dumps(fields))

        def work(tx: Connection) -> None:
            tx.execute(delete(retries).where(retries.c.expires_at < now()))
            tx.execute(
                insert(retries).values(
                    token=token,
                    team_id=team_id,
                    user_id=user_id,
                    kind=kind,
                    channel_id=channel_id,
                    fields=sealed,
                    expires_at=now() + ttl,
                )
            )

        await self._write(work)
        return token

    async def take_retry(self, token: str, team_id: str, user_id: str) -> Retry | None:
        """The saved request, once: only for its own agent, and only before it expires."""
        key = and_(
            retries.c.token == token, retries.c.team_id == team_id, retries.c.user_id == user_id
        )

        def work(tx: Connection) -> Any:
            row = tx.execute(select(retries).where(key)).first()
            # Whoever deletes it owns it: another process may have taken it first.
            if row is None or not tx.execute(delete(retries).where(key)).rowcount:
                return None
            return row

        row = await self._write(work)
        if row is None or (_utc(row.expires_at) or now()) < now():
            return None  # taken already, or expired
        return Retry(row.kind, row.channel_id, json.loads(self._cipher.decrypt(row.fields)))


def _insert_audit(tx: Connection, row: dict[str, Any], request_id: str | None) -> int:
    result = tx.execute(insert(audit).values({"at": now(), "request_id": request_id, **row}))
    key = result.inserted_primary_key
    return int(key[0]) if key else 0


def _sync_sqlite(engine: AsyncEngine) -> Engine:
    """The same SQLite file through the plain sqlite3 driver, for the Store's own thread."""
    url = engine.url.set(drivername="sqlite+pysqlite")
    sync = sa_create_engine(
        url, connect_args={"timeout": 30, "check_same_thread": False}, poolclass=StaticPool
    )
    event.listen(sync, "connect", _sqlite_pragmas)
    return sync
