"""Workflow step runs: one PIN at most per run (see schema.step_runs). Reached as
`Store.step_runs`; each method is one transaction."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import and_, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from bot.storage.database import Database, now
from bot.storage.failures import StoreUnavailable
from bot.storage.schema import StepRun, step_runs


class StepState:
    WAITING = "waiting"
    REQUESTING = "requesting"
    COMPLETED = "completed"
    DECLINED = "declined"
    FAILED = "failed"  # the agent's message never got through: the step failed at once


class StepRunStore:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def start(self, run_id: str, owner: str, agent: str) -> bool:
        """The step started: False when this run is known already (Slack sent it again)."""
        row = {"id": run_id, "owner": owner, "agent": agent, "state": StepState.WAITING}
        try:
            await self._db.write(
                lambda tx: tx.execute(insert(step_runs).values(**row, updated_at=now()))
            )
        except IntegrityError:
            return False
        return True

    async def take(
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

    async def settle(self, run_id: str, was: str, to: str, pin: str | None = None) -> bool:
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

    async def get(self, run_id: str) -> StepRun | None:
        return await self._db.read(lambda connection: _step_run(connection, run_id))


def _step_run(connection: Connection, run_id: str) -> StepRun | None:
    row = connection.execute(
        select(step_runs.c.state, step_runs.c.agent, step_runs.c.pin).where(
            step_runs.c.id == run_id
        )
    ).first()
    return None if row is None else StepRun(row.state, row.agent, row.pin)
