"""The follow-through's upkeep: what the retention purge deletes, and re-encryption."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Connection

from bot.sessions.rows import ABANDONED_AFTER, NOTES_TTL, REQUESTED
from bot.storage.database import now
from bot.storage.schema import sessions
from bot.storage.transactions import Transactions


class SessionUpkeep(Transactions):
    """Rows past retention, notes past NOTES_TTL, requests never finished; key rotation."""

    async def purge(self, older_than: timedelta) -> int:
        """Rows past the audit's retention, notes past NOTES_TTL, requests never finished."""

        def work(tx: Connection) -> int:
            tx.execute(
                update(sessions)
                .where(sessions.c.notes.is_not(None), sessions.c.ended_at < now() - NOTES_TTL)
                .values(notes=None)
            )
            tx.execute(
                delete(sessions).where(
                    sessions.c.state == REQUESTED, sessions.c.created_at < now() - ABANDONED_AFTER
                )
            )
            gone = tx.execute(
                delete(sessions).where(sessions.c.created_at < now() - older_than)
            ).rowcount
            return int(gone or 0)

        result: int = await self._db.write(work)
        return result

    async def rotate_key(self) -> int:
        """Re-encrypt the response_urls and notes with the first key."""
        sealed = (sessions.c.pin_url, sessions.c.share_url, sessions.c.notes)

        def work(tx: Connection) -> int:
            rows = tx.execute(select(sessions.c.id, *sealed)).all()
            for row in rows:
                values = {
                    column.name: self._cipher.rotate(getattr(row, column.name))
                    for column in sealed
                    if getattr(row, column.name) is not None
                }
                if values:
                    tx.execute(update(sessions).where(sessions.c.id == row.id).values(values))
            return len(rows)

        result: int = await self._db.write(work)
        return result
