"""The app's store: every feature's transactions over one database, composed once per process.

Each feature keeps its own transactions in its package (a method, a transaction); this is
only where they meet, reached as `runtime.store`. Authcodes are encrypted before they reach
the database, and nothing lives in process memory, so several processes behave as one.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from bot.audit.store import AuditStore
from bot.crypto import Cipher
from bot.installs.owners import OwnerStore
from bot.installs.people import PeopleStore
from bot.linking.store import LinkStore
from bot.pins.retries import RetryStore
from bot.pins.store import PinStore
from bot.sessions.store import SessionStore
from bot.sharing.store import ShareStore
from bot.storage.database import Database
from bot.workflow.store import StepRunStore

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine


class Store(LinkStore, PinStore, AuditStore):
    """Links, the PIN guard and the audit as methods; the other features' stores as fields."""

    def __init__(self, database: Database, cipher: Cipher) -> None:
        super().__init__(database, cipher)
        self.sessions = SessionStore(database, cipher)  # session follow-through
        self.shares = ShareStore(database)  # one share per PIN
        self.step_runs = StepRunStore(database)  # Workflow step runs
        self.retries = RetryStore(database, cipher)  # retries without the console
        self.owners = OwnerStore(database)  # uninstalls, org-wide adoption
        self.people = PeopleStore(database)  # forgetting one person

    @classmethod
    async def open(cls, url: str, cipher: Cipher, migrate_apart: bool = False) -> Store:
        """Refuses a schema behind this code (migrate.SchemaBehind says what to run);
        `migrate_apart`: see Database.open."""
        return cls(await Database.open(url, migrate_apart), cipher)

    @property
    def engine(self) -> AsyncEngine:
        return self._db.engine

    @property
    def database(self) -> Database:
        """For the OAuth stores (bot.installs.store), which keep their own tables."""
        return self._db

    async def close(self) -> None:
        await self._db.close()

    async def ping(self) -> bool:
        return await self._db.ping()

    async def rotate_key(self) -> int:
        """Re-encrypt every authcode with the first key; returns how many. The follow-through's
        sealed response_urls and notes are re-encrypted too, not counted as authcodes."""
        count = await super().rotate_key()
        await self.sessions.rotate_key()
        return count

    async def purge_audit(self, older_than: timedelta) -> int:
        gone = await super().purge_audit(older_than)
        # The follow-through's rows go with their requests; its notes far sooner.
        await self.sessions.purge(older_than)
        return gone
