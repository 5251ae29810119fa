"""What every feature's store stands on: the one Database, and the cipher for what it seals."""

from __future__ import annotations

from bot.crypto import Cipher
from bot.storage.database import Database


class Transactions:
    """A feature's transactions, one a method, over the process's Database (SQLite or
    PostgreSQL). Nothing lives in process memory, so several processes behave as one."""

    def __init__(self, database: Database, cipher: Cipher) -> None:
        self._db = database
        self._cipher = cipher
