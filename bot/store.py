"""Everything kept between requests: each method of Store is one transaction.

Authcodes are encrypted before they reach the database. Nothing here lives in process
memory, so several processes on one database behave as one.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, delete, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql.elements import BindParameter

from bot.crypto import Cipher
from bot.database import Database, StoreUnavailable, now, utc
from bot.logs import current_request_id
from bot.prepared import Prepared
from bot.schema import (
    AuditRow,
    LinkInfo,
    Retry,
    Share,
    StepRun,
    audit,
    in_flight,
    installations,
    links,
    retries,
    sessions,
    shares,
    step_runs,
)
from bot.session_store import SessionStore


@dataclass(frozen=True)
class Claim:
    """What `Store.claim` found: whether this request took the agent's guard, and the authcode
    (None when the agent is not linked, or when another request holds the guard)."""

    guarded: bool
    authcode: str | None


@dataclass(frozen=True)
class Forgotten:
    """What an uninstall deleted."""

    installation: bool
    links: int
    retries: int


class Store:
    """The app's transactions, one a method, over a Database (SQLite or PostgreSQL)."""

    def __init__(self, database: Database, cipher: Cipher) -> None:
        self._db = database
        self._cipher = cipher
        self.sessions = SessionStore(database, cipher)  # session follow-through

    @classmethod
    async def open(cls, url: str, cipher: Cipher) -> Store:
        """Refuses a schema behind this code (migrate.SchemaBehind says what to run)."""
        return cls(await Database.open(url), cipher)

    @property
    def engine(self) -> AsyncEngine:
        return self._db.engine

    @property
    def database(self) -> Database:
        """For the OAuth stores (bot.installations), which keep their own tables."""
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
            lambda tx: _IS_LINKED.scalar(tx, team_id=team_id, user_id=user_id)
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

    # Installations: whose links are whose

    async def forget_installation(
        self, owner: str, event: str, workspaces: Collection[str] = ()
    ) -> Forgotten:
        """An uninstall or a revoked bot token: the installation's tokens, its links (the
        authcodes), pending retries and step runs go in one transaction; the audit trail keeps
        a row. `workspaces`: for an organisation, its workspaces as far as known; their links
        not yet moved to the organisation (made under the workspace's key before the org-wide
        install) go too, unless the workspace still has an installation of its own."""
        request_id = current_request_id()
        own = select(installations.c.owner).where(installations.c.owner != owner)
        keys = [owner, *sorted(set(workspaces) - {owner})]

        def work(tx: Connection) -> Forgotten:
            gone = tx.execute(delete(installations).where(installations.c.owner == owner))
            still = set(tx.execute(own.where(installations.c.owner.in_(keys))).scalars())
            owners = [key for key in keys if key not in still]
            gone_links = tx.execute(delete(links).where(links.c.team_id.in_(owners)))
            gone_retries = tx.execute(delete(retries).where(retries.c.team_id.in_(owners)))
            tx.execute(delete(in_flight).where(in_flight.c.team_id.in_(owners)))
            tx.execute(delete(step_runs).where(step_runs.c.owner.in_(owners)))
            # Follow-through rows hold response_urls and notes (sealed): they go too.
            tx.execute(delete(sessions).where(sessions.c.team_id.in_(owners)))
            row = {
                "team_id": owner,
                "user_id": "",
                "action": event[:16],
                "kind": "",
                "outcome": "secrets_deleted",
                "no_tech_console": False,
            }
            _insert_audit(tx, row, request_id)
            return Forgotten(bool(gone.rowcount), gone_links.rowcount, gone_retries.rowcount)

        return await self._db.write(work)

    async def adopt_workspace(self, team_id: str, owner: str) -> int:
        """A workspace now served through its organisation's org-wide install: its links,
        retries and audit rows move from the team's key to the organisation's (a user linked
        under both keeps the organisation's link). Returns how many links moved."""
        if team_id == owner:
            return 0

        def work(tx: Connection) -> int:
            in_org = select(links.c.user_id).where(links.c.team_id == owner).scalar_subquery()
            tx.execute(delete(links).where(links.c.team_id == team_id, links.c.user_id.in_(in_org)))
            moved = tx.execute(
                update(links).where(links.c.team_id == team_id).values(team_id=owner)
            )
            tx.execute(update(retries).where(retries.c.team_id == team_id).values(team_id=owner))
            tx.execute(update(audit).where(audit.c.team_id == team_id).values(team_id=owner))
            tx.execute(
                update(sessions).where(sessions.c.team_id == team_id).values(team_id=owner)
            )
            return int(moved.rowcount)

        return await self._db.write(work)

    # One PIN request per agent at a time, across processes.

    async def claim(self, team_id: str, user_id: str, stale_after: timedelta) -> Claim:
        """Take the agent's guard and read their authcode, in one transaction.

        A guard older than `stale_after` was left by a crashed process and is taken over.
        """
        key = {"team_id": team_id, "user_id": user_id}

        def work(tx: Connection) -> str | None:
            started = now()
            _DROP_STALE_GUARD.execute(tx, **key, before=started - stale_after).close()
            _TAKE_GUARD.execute(tx, **key, started_at=started).close()
            token: str | None = _AUTHCODE.scalar(tx, **key)
            return token

        try:
            token = await self._db.write(work)
        except IntegrityError:
            return Claim(guarded=False, authcode=None)
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
            if outcome is not None:
                _NOTE_USE.execute(tx, **key, last_used_at=now(), last_outcome=outcome).close()
            _RELEASE_GUARD.execute(tx, **key).close()
            return None if audit_row is None else _insert_audit(tx, audit_row, request_id)

        return await self._db.write(work)

    async def end_request(self, team_id: str, user_id: str, outcome: str | None = None) -> None:
        await self.finish_request(team_id, user_id, outcome)

    # Audit

    async def add_audit(self, **row: Any) -> int:
        request_id = current_request_id()  # read here: the worker thread has no context
        return await self._db.write(lambda tx: _insert_audit(tx, row, request_id))

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

    # One share per PIN, across processes

    async def claim_share(
        self, request_audit_id: int, team_id: str, user_id: str, channel_id: str | None
    ) -> Share | None:
        """Take this PIN's one share: None when taken now, else the share taken before."""
        row = {
            "request_audit_id": request_audit_id,
            "team_id": team_id,
            "user_id": user_id,
            "channel_id": channel_id,
        }

        def take(tx: Connection) -> None:
            tx.execute(insert(shares).values(**row, shared_at=now()))

        for _ in range(3):  # an earlier share given back between our insert and our read
            try:
                await self._db.write(take)
            except IntegrityError:
                found = await self._db.read(
                    lambda connection: connection.execute(
                        select(shares.c.channel_id, shares.c.shared_at, shares.c.user_id).where(
                            shares.c.request_audit_id == request_audit_id
                        )
                    ).first()
                )
                if found is not None:
                    return Share(found.channel_id, utc(found.shared_at) or now(), found.user_id)
            else:
                return None
        raise StoreUnavailable("claim_share: the share kept changing hands")

    async def release_share(self, request_audit_id: int) -> None:
        """Slack would not take the post: the PIN may be shared again."""
        await self._db.write(
            lambda tx: tx.execute(
                delete(shares).where(shares.c.request_audit_id == request_audit_id)
            )
        )

    # Workflow step runs: one PIN at most per run (see schema.step_runs)

    async def start_step_run(self, run_id: str, owner: str, agent: str) -> bool:
        """The step started: False when this run is known already (Slack sent it again)."""
        row = {"id": run_id, "owner": owner, "agent": agent, "state": StepState.WAITING}
        try:
            await self._db.write(
                lambda tx: tx.execute(insert(step_runs).values(**row, updated_at=now()))
            )
        except IntegrityError:
            return False
        return True

    async def take_step_run(
        self, run_id: str, owner: str, agent: str, to: str, stale_after: timedelta
    ) -> StepRun | None:
        """Move a waiting run to `to` (requesting, declined): None when this caller moved it,
        else the run as another click left it. A run left `requesting` longer than
        `stale_after` (a crashed process) is waiting again. A run this database never saw
        (started before this table, or while it was down) is taken as if it were waiting."""
        movable = step_runs.c.state == StepState.WAITING
        if to == StepState.REQUESTING:
            stale = and_(
                step_runs.c.state == StepState.REQUESTING,
                step_runs.c.updated_at < now() - stale_after,
            )
            movable = movable | stale

        def work(tx: Connection) -> StepRun | None:
            moved = tx.execute(
                update(step_runs)
                .where(step_runs.c.id == run_id, movable)
                .values(state=to, updated_at=now())
            )
            if moved.rowcount:
                return None
            found = _step_run(tx, run_id)
            if found is None:
                tx.execute(
                    insert(step_runs).values(
                        id=run_id, owner=owner, agent=agent, state=to, updated_at=now()
                    )
                )
            return found

        for _ in range(2):  # another process inserted the unseen run between our read and write
            try:
                return await self._db.write(work)
            except IntegrityError:
                continue
        raise StoreUnavailable("take_step_run: the run kept changing")

    async def settle_step_run(self, run_id: str, was: str, to: str, pin: str | None = None) -> bool:
        """`was` -> `to` (with the PIN once completed); False when the run was not `was`."""
        values: dict[str, Any] = {"state": to, "updated_at": now()}
        if pin is not None:
            values["pin"] = pin
        moved = await self._db.write(
            lambda tx: (
                tx.execute(
                    update(step_runs)
                    .where(step_runs.c.id == run_id, step_runs.c.state == was)
                    .values(**values)
                ).rowcount
            )
        )
        return bool(moved)

    async def step_run(self, run_id: str) -> StepRun | None:
        return await self._db.read(lambda connection: _step_run(connection, run_id))

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

        await self._db.write(work)
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

        row = await self._db.write(work)
        if row is None or (utc(row.expires_at) or now()) < now():
            return None  # taken already, or expired
        return Retry(row.kind, row.channel_id, json.loads(self._cipher.decrypt(row.fields)))


# The statements of every PIN request, prepared (bot/prepared.py); the rest are built per call.
_KEY: dict[str, BindParameter[Any]] = {
    "team_id": bindparam("team_id"),
    "user_id": bindparam("user_id"),
}
_IS_LINKED = Prepared(
    select(links.c.user_id).where(
        links.c.team_id == _KEY["team_id"], links.c.user_id == _KEY["user_id"]
    )
)
_AUTHCODE = Prepared(
    select(links.c.authcode).where(
        links.c.team_id == _KEY["team_id"], links.c.user_id == _KEY["user_id"]
    )
)
_DROP_STALE_GUARD = Prepared(
    delete(in_flight).where(
        in_flight.c.team_id == _KEY["team_id"],
        in_flight.c.user_id == _KEY["user_id"],
        in_flight.c.started_at < bindparam("before"),
    )
)
_TAKE_GUARD = Prepared(insert(in_flight).values(**_KEY, started_at=bindparam("started_at")))
_RELEASE_GUARD = Prepared(
    delete(in_flight).where(
        in_flight.c.team_id == _KEY["team_id"], in_flight.c.user_id == _KEY["user_id"]
    )
)
_NOTE_USE = Prepared(
    update(links)
    .where(links.c.team_id == _KEY["team_id"], links.c.user_id == _KEY["user_id"])
    .values(last_used_at=bindparam("last_used_at"), last_outcome=bindparam("last_outcome"))
)
_SET_DELIVERED = Prepared(
    update(audit).where(audit.c.id == bindparam("id")).values(delivered=bindparam("delivered"))
)
_AUDIT_COLUMNS = tuple(column.name for column in audit.columns if column.name != "id")
_INSERT_AUDIT = Prepared(
    insert(audit).values({name: bindparam(name) for name in _AUDIT_COLUMNS}).returning(audit.c.id)
)
# What SQLAlchemy filled in for a column the row left out.
_AUDIT_DEFAULTS: dict[str, Any] = {name: None for name in _AUDIT_COLUMNS} | {
    "no_tech_console": False
}


class StepState:
    WAITING = "waiting"
    REQUESTING = "requesting"
    COMPLETED = "completed"
    DECLINED = "declined"
    FAILED = "failed"  # the agent's message never got through: the step failed at once


def _step_run(connection: Connection, run_id: str) -> StepRun | None:
    row = connection.execute(
        select(step_runs.c.state, step_runs.c.agent, step_runs.c.pin).where(
            step_runs.c.id == run_id
        )
    ).first()
    return None if row is None else StepRun(row.state, row.agent, row.pin)


def _insert_audit(tx: Connection, row: dict[str, Any], request_id: str | None) -> int:
    unknown = row.keys() - _AUDIT_DEFAULTS.keys()
    if unknown:
        raise TypeError(f"not audit columns: {sorted(unknown)}")
    values = {**_AUDIT_DEFAULTS, "at": now(), "request_id": request_id, **row}
    return int(_INSERT_AUDIT.scalar(tx, **values))
