"""Links: each Slack user's Rescue authcode, encrypted before it reaches the database."""

from __future__ import annotations

from sqlalchemy import and_, bindparam, delete, insert, select, update
from sqlalchemy.engine import Connection

from bot.storage.database import now, utc
from bot.storage.prepared import Prepared, Step, steps
from bot.storage.schema import LinkInfo, links
from bot.storage.transactions import Transactions


class LinkStore(Transactions):
    """Link, unlink, read an agent's authcode, list who is linked, re-encrypt them all."""

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
            steps(Step(_IS_LINKED, "scalar", {"team_id": team_id, "user_id": user_id})),
            quick=True,
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
        return count


# The slash command's "is this agent linked?", on every request: prepared once per dialect.
_IS_LINKED = Prepared(
    select(links.c.user_id).where(
        links.c.team_id == bindparam("team_id"), links.c.user_id == bindparam("user_id")
    )
)
