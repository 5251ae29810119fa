"""A PIN request's own transactions: one request per agent at a time (the guard, taken with
the authcode), and its audit row, written in the transaction that releases the guard."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from importlib import import_module
from typing import Any

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.sql.dml import Delete, Update
from sqlalchemy.sql.elements import BindParameter
from sqlalchemy.sql.expression import Executable

from bot.audit import INSERT_AUDIT, audit_step, audit_values
from bot.logs import current_request_id
from bot.storage.database import now
from bot.storage.prepared import Prepared, PreparedPerDialect, Step, steps
from bot.storage.schema import audit, in_flight, links
from bot.storage.transactions import Transactions


@dataclass(frozen=True)
class Claim:
    """What `PinStore.claim` found: whether this request took the agent's guard, and the
    authcode (None when the agent is not linked, or when another request holds the guard)."""

    guarded: bool
    authcode: str | None


class PinStore(Transactions):
    """One PIN request per agent at a time, across processes; the request's audit row."""

    async def claim(self, team_id: str, user_id: str, stale_after: timedelta) -> Claim:
        """Take the agent's guard and read their authcode, in one transaction.

        A guard older than `stale_after` was left by a crashed process and is taken over.
        """
        started = now()
        work = steps(
            Step(
                _CLAIM,
                "first",
                {
                    "team_id": team_id,
                    "user_id": user_id,
                    "started_at": started,
                    "before": started - stale_after,
                },
            )
        )
        # Its own commit need not reach the disk: a guard means nothing after a crash.
        taken = await self._db.write(work, durable=False)
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
        if self._db.postgres and outcome is not None and audit_row is not None:
            # The three below as one statement: one round trip, not three.
            values = audit_values(audit_row, request_id)
            noted = {"last_used_at": now(), "last_outcome": outcome}
            work = steps(
                Step(
                    _FINISH_IN_ONE,
                    "scalar",
                    {**values, "key_team": team_id, "key_user": user_id, **noted},
                )
            )
        else:
            each = [Step(_RELEASE_GUARD, "rowcount", key)]
            if outcome is not None:
                noted = {"last_used_at": now(), "last_outcome": outcome}
                each.insert(0, Step(_NOTE_USE, "rowcount", {**key, **noted}))
            if audit_row is not None:
                each.append(audit_step(audit_row, request_id))
            work = steps(*each)
        found = await self._db.write(work)
        return None if audit_row is None else int(found)

    async def end_request(self, team_id: str, user_id: str, outcome: str | None = None) -> None:
        await self.finish_request(team_id, user_id, outcome)

    async def add_audit(self, **row: Any) -> int:
        request_id = current_request_id()  # read here: the worker thread has no context
        return int(await self._db.write(steps(audit_step(row, request_id))))

    async def set_delivered(self, audit_id: int, delivered: bool) -> None:
        # Not flushed on its own (issue 22, decision 2): a crash may leave it unknown (NULL),
        # which the audit trail shows as such, never as "not delivered".
        await self._db.write(
            steps(Step(_SET_DELIVERED, "rowcount", {"id": audit_id, "delivered": delivered})),
            durable=False,
        )


# The statements of every PIN request, prepared (bot/storage/prepared.py); the rest are built
# per call.
_KEY: dict[str, BindParameter[Any]] = {
    "team_id": bindparam("team_id"),
    "user_id": bindparam("user_id"),
}


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
