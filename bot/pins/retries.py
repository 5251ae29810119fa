"""Retries without the console: a failed request's fields, sealed, for one click by its own
agent before they expire. Reached as `Store.retries`; each method is one transaction."""

from __future__ import annotations

import json
import secrets
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, delete, insert, select
from sqlalchemy.engine import Connection

from bot.crypto import Cipher
from bot.storage.database import Database, now, utc
from bot.storage.schema import Retry, retries


class RetryStore:
    def __init__(self, database: Database, cipher: Cipher) -> None:
        self._db = database
        self._cipher = cipher

    async def save(
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

    async def take(self, token: str, team_id: str, user_id: str) -> Retry | None:
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
