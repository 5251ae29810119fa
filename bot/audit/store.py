"""The audit trail's reads and its retention (rows are written by the features that act)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.engine import Connection

from bot.storage.database import now, utc
from bot.storage.schema import AuditRow, audit, oauth_states, shares, step_runs
from bot.storage.transactions import Transactions


class AuditStore(Transactions):
    """Reading the audit rows, and deleting what is past its retention."""

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
            # OAuth states nobody came back with (each is also purged when one is issued).
            tx.execute(delete(oauth_states).where(oauth_states.c.expires_at < now()))
            return int(tx.execute(delete(audit).where(audit.c.at < cutoff)).rowcount or 0)

        # However many rows, the requests' writes don't wait for it.
        gone: int = await self._db.write(work, alone=True)
        return gone
