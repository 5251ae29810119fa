"""Everything kept between requests: each method of Store is one transaction.

Authcodes are encrypted before they reach the database. Nothing here lives in process
memory, so several processes on one database behave as one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import import_module
from typing import Any

from sqlalchemy import and_, bindparam, delete, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql.dml import Delete, Update
from sqlalchemy.sql.elements import BindParameter
from sqlalchemy.sql.expression import Executable

from bot.audit.insert import INSERT_AUDIT, audit_values, insert_audit
from bot.crypto import Cipher
from bot.installs.owners import OwnerStore
from bot.logs import current_request_id
from bot.pins.retries import RetryStore
from bot.sessions.store import SessionStore
from bot.sharing.store import ShareStore
from bot.storage.database import Database, now, utc
from bot.storage.prepared import Prepared, PreparedPerDialect
from bot.storage.schema import AuditRow, LinkInfo, audit, in_flight, links, shares, step_runs
from bot.workflow.store import StepRunStore


@dataclass(frozen=True)
class Claim:
    """What `Store.claim` found: whether this request took the agent's guard, and the authcode
    (None when the agent is not linked, or when another request holds the guard)."""

    guarded: bool
    authcode: str | None


class Store:
    """The app's transactions, one a method, over a Database (SQLite or PostgreSQL): links,
    the PIN guard, the audit and its retention here; each feature's own in its module."""

    def __init__(self, database: Database, cipher: Cipher) -> None:
        self._db = database
        self._cipher = cipher
        self.sessions = SessionStore(database, cipher)  # session follow-through
        self.shares = ShareStore(database)  # one share per PIN
        self.step_runs = StepRunStore(database)  # Workflow step runs
        self.retries = RetryStore(database, cipher)  # retries without the console
        self.owners = OwnerStore(database)  # uninstalls, org-wide adoption

    @classmethod
    async def open(cls, url: str, cipher: Cipher) -> Store:
        """Refuses a schema behind this code (migrate.SchemaBehind says what to run)."""
        return cls(await Database.open(url), cipher)

    @property
    def engine(self) -> AsyncEngine:
        return self._db.engine

    @property
    def database(self) -> Database:
        """For the OAuth stores (bot.installs.store), which keep their own tables."""
        return self._db

    async def close(self) -> None:
        await self._db.close()

    async def ping(self) -> bool:
        return await self._db.ping()

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

        await self._db.write(work)

    async def unlink(self, team_id: str, user_id: str) -> bool:
        gone = await self._db.write(
            lambda tx: (
                tx.execute(
                    delete(links).where(links.c.team_id == team_id, links.c.user_id == user_id)
                ).rowcount
            )
        )
        return bool(gone)

    async def authcode(self, team_id: str, user_id: str) -> str | None:
        token = await self._db.read(
            lambda connection: connection.scalar(
                select(links.c.authcode).where(
                    links.c.team_id == team_id, links.c.user_id == user_id
                )
            )
        )
        return None if token is None else self._cipher.decrypt(token)

    async def is_linked(self, team_id: str, user_id: str) -> bool:
        found = await self._db.read(
            lambda tx: _IS_LINKED.scalar(tx, team_id=team_id, user_id=user_id), quick=True
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
        rows = await self._db.read(lambda connection: connection.execute(query).all())
        return [
            LinkInfo(
                r.team_id,
                r.user_id,
                r.method,
                utc(r.linked_at) or now(),
                utc(r.last_used_at),
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

        count: int = await self._db.write(work)
        await self.sessions.rotate_key()  # response_urls and notes, not counted as authcodes
        return count

    # One PIN request per agent at a time, across processes.

    async def claim(self, team_id: str, user_id: str, stale_after: timedelta) -> Claim:
        """Take the agent's guard and read their authcode, in one transaction.

        A guard older than `stale_after` was left by a crashed process and is taken over.
        """
        key = {"team_id": team_id, "user_id": user_id}

        def work(tx: Connection) -> tuple[str | None] | None:
            started = now()
            taken: tuple[str | None] | None = _CLAIM.on(tx).first(
                tx, **key, started_at=started, before=started - stale_after
            )
            return taken

        taken = await self._db.write(work)
        if taken is None:  # another request holds the guard
            return Claim(guarded=False, authcode=None)
        token = taken[0]
        return Claim(guarded=True, authcode=None if token is None else self._cipher.decrypt(token))

    async def begin_request(self, team_id: str, user_id: str, stale_after: timedelta) -> bool:
        """The guard alone: True when this caller took it."""
        return (await self.claim(team_id, user_id, stale_after)).guarded

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

        key = {"team_id": team_id, "user_id": user_id}

        def work(tx: Connection) -> int | None:
            if tx.dialect.name == "postgresql" and outcome is not None and audit_row is not None:
                # The three below as one statement: one round trip, not three.
                values = audit_values(audit_row, request_id)
                return int(
                    _FINISH_IN_ONE.scalar(
                        tx,
                        **values,
                        key_team=team_id,
                        key_user=user_id,
                        last_used_at=now(),
                        last_outcome=outcome,
                    )
                )
            if outcome is not None:
                _NOTE_USE.execute(tx, **key, last_used_at=now(), last_outcome=outcome).close()
            _RELEASE_GUARD.execute(tx, **key).close()
            return None if audit_row is None else insert_audit(tx, audit_row, request_id)

        return await self._db.write(work)

    async def end_request(self, team_id: str, user_id: str, outcome: str | None = None) -> None:
        await self.finish_request(team_id, user_id, outcome)

    # Audit

    async def add_audit(self, **row: Any) -> int:
        request_id = current_request_id()  # read here: the worker thread has no context
        return await self._db.write(lambda tx: insert_audit(tx, row, request_id))

    async def set_delivered(self, audit_id: int, delivered: bool) -> None:
        await self._db.write(
            lambda tx: _SET_DELIVERED.execute(tx, id=audit_id, delivered=delivered).close()
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
        rows = await self._db.read(lambda connection: connection.execute(query).all())
        return [AuditRow(**{**row._mapping, "at": utc(row.at)}) for row in rows]

    async def audit_row(self, audit_id: int) -> AuditRow | None:
        row = await self._db.read(
            lambda connection: connection.execute(
                select(audit).where(audit.c.id == audit_id)
            ).first()
        )
        return None if row is None else AuditRow(**{**row._mapping, "at": utc(row.at)})

    async def purge_audit(self, older_than: timedelta) -> int:
        def work(tx: Connection) -> int:
            cutoff = now() - older_than
            tx.execute(delete(shares).where(shares.c.shared_at < cutoff))
            tx.execute(delete(step_runs).where(step_runs.c.updated_at < cutoff))
            return int(tx.execute(delete(audit).where(audit.c.at < cutoff)).rowcount or 0)

        # However many rows, the requests' writes don't wait for it.
        gone: int = await self._db.write(work, alone=True)
        # The follow-through's rows go with their requests; its notes far sooner.
        await self.sessions.purge(older_than)
        return gone


# The statements of every PIN request, prepared (bot/storage/prepared.py); the rest are built
# per call.
_KEY: dict[str, BindParameter[Any]] = {
    "team_id": bindparam("team_id"),
    "user_id": bindparam("user_id"),
}
_IS_LINKED = Prepared(
    select(links.c.user_id).where(
        links.c.team_id == _KEY["team_id"], links.c.user_id == _KEY["user_id"]
    )
)


def _claim(dialect: str) -> Executable:
    """Take the guard, or take over one older than `before` (a crashed process's), and
    read the authcode: one statement. No row back: another request holds the guard; a row
    with None: guarded, not linked. A guard held is no error, so a batch of writes that
    holds a busy agent's claim is not rolled back and run again one by one."""
    insert_of = import_module(f"sqlalchemy.dialects.{dialect}").insert  # its own upsert
    take = insert_of(in_flight).values(**_KEY, started_at=bindparam("started_at"))
    authcode = select(links.c.authcode).where(
        links.c.team_id == _KEY["team_id"], links.c.user_id == _KEY["user_id"]
    )
    upsert: Executable = take.on_conflict_do_update(
        index_elements=[in_flight.c.team_id, in_flight.c.user_id],
        set_={"started_at": take.excluded.started_at},
        where=in_flight.c.started_at < bindparam("before"),
    ).returning(authcode.scalar_subquery())
    return upsert


_CLAIM = PreparedPerDialect(_claim)


def _release_guard(key: dict[str, BindParameter[Any]]) -> Delete:
    return delete(in_flight).where(
        in_flight.c.team_id == key["team_id"], in_flight.c.user_id == key["user_id"]
    )


def _note_use(key: dict[str, BindParameter[Any]]) -> Update:
    return (
        update(links)
        .where(links.c.team_id == key["team_id"], links.c.user_id == key["user_id"])
        .values(last_used_at=bindparam("last_used_at"), last_outcome=bindparam("last_outcome"))
    )


_RELEASE_GUARD = Prepared(_release_guard(_KEY))
_NOTE_USE = Prepared(_note_use(_KEY))
# PostgreSQL: both, and the audit row, in one statement (data-modifying CTEs). The key has
# names of its own there: the audit row's team_id and user_id are parameters already.
_ROW_KEY: dict[str, BindParameter[Any]] = {
    "team_id": bindparam("key_team"),
    "user_id": bindparam("key_user"),
}
_FINISH_IN_ONE = Prepared(
    INSERT_AUDIT.add_cte(_note_use(_ROW_KEY).cte("noted")).add_cte(
        _release_guard(_ROW_KEY).cte("released")
    )
)
_SET_DELIVERED = Prepared(
    update(audit).where(audit.c.id == bindparam("id")).values(delivered=bindparam("delivered"))
)
