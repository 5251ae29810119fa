"""One share per PIN, across processes (see schema.shares). Reached as `Store.shares`; each
method is one transaction."""

from __future__ import annotations

from sqlalchemy import delete, insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from bot.storage.database import Database, now, utc
from bot.storage.failures import StoreUnavailable
from bot.storage.schema import Share, shares


class ShareStore:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def claim(
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

    async def release(self, request_audit_id: int) -> None:
        """Slack would not take the post: the PIN may be shared again."""
        await self._db.write(
            lambda tx: tx.execute(
                delete(shares).where(shares.c.request_audit_id == request_audit_id)
            )
        )
