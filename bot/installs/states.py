"""OAuth `state` values in the app's own database: only a hash of each is kept."""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from sqlalchemy import delete, insert
from sqlalchemy.engine import Connection

from bot.storage.database import Database
from bot.storage.schema import oauth_states


def _digest(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)


class DatabaseOAuthStateStore(AsyncOAuthStateStore):
    """OAuth `state` values, each usable once and only before it expires, across processes."""

    def __init__(self, database: Database, expiration_seconds: int = 600) -> None:
        self._db = database
        self._lifetime = timedelta(seconds=expiration_seconds)
        self._logger = logging.getLogger("bot.installs.store")

    @property
    def logger(self) -> logging.Logger:
        return self._logger

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        state = secrets.token_urlsafe(32)
        digest = _digest(state)

        def work(tx: Connection) -> None:
            tx.execute(delete(oauth_states).where(oauth_states.c.expires_at < _now()))
            tx.execute(
                insert(oauth_states).values(digest=digest, expires_at=_now() + self._lifetime)
            )

        await self._db.write(work)
        return state

    async def async_consume(self, state: str) -> bool:
        if not isinstance(state, str) or not state or len(state) > 200:
            return False
        digest = _digest(state)

        def work(tx: Connection) -> bool:
            # Whoever deletes it owns it: a second use, here or in another process, gets False.
            return bool(
                tx.execute(
                    delete(oauth_states).where(
                        oauth_states.c.digest == digest, oauth_states.c.expires_at >= _now()
                    )
                ).rowcount
            )

        return await self._db.write(work)
