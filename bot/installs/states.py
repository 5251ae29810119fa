"""OAuth `state` values in the app's own database: only a hash of each is kept."""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from sqlalchemy import delete, func, insert, select
from sqlalchemy.engine import Connection

from bot.storage.database import Database
from bot.storage.schema import oauth_states


def _digest(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)


# Unused states cannot pile up: expired ones go whenever a state is issued or used (and with
# the hourly purge), and past this many the oldest go first. A state lives 10 minutes: no
# real app has this many installs under way at once; someone loading /slack/install in a loop
# only pushes out their own states sooner.
OAUTH_STATES_KEPT = 1000


class DatabaseOAuthStateStore(AsyncOAuthStateStore):
    """OAuth `state` values, each usable once and only before it expires, across processes;
    at most `kept` of them at a time."""

    def __init__(
        self, database: Database, expiration_seconds: int = 600, kept: int = OAUTH_STATES_KEPT
    ) -> None:
        self._db = database
        self._lifetime = timedelta(seconds=expiration_seconds)
        self._kept = kept
        self._logger = logging.getLogger("bot.installs.store")

    @property
    def logger(self) -> logging.Logger:
        return self._logger

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        state = secrets.token_urlsafe(32)
        digest = _digest(state)

        def work(tx: Connection) -> None:
            tx.execute(delete(oauth_states).where(oauth_states.c.expires_at < _now()))
            count = tx.execute(select(func.count()).select_from(oauth_states)).scalar_one()
            if count >= self._kept:
                oldest = select(oauth_states.c.digest).order_by(oauth_states.c.expires_at)
                over = oldest.limit(count - self._kept + 1)
                tx.execute(delete(oauth_states).where(oauth_states.c.digest.in_(over)))
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
            used = tx.execute(
                delete(oauth_states).where(
                    oauth_states.c.digest == digest, oauth_states.c.expires_at >= _now()
                )
            ).rowcount
            tx.execute(delete(oauth_states).where(oauth_states.c.expires_at < _now()))
            return bool(used)

        return await self._db.write(work)
