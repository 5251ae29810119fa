"""A server's first start on a new SQLite file: the schema is set up by a child process
(`python -m bot.storage.migrate`), so Alembic never stays in the server's memory."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from bot.storage import migrate
from bot.storage.database import Database
from tests.support.settings import driver_url


async def test_a_new_sqlite_file_is_set_up_by_a_child_process(tmp_path: Path) -> None:
    url = driver_url(f"sqlite:///{tmp_path / 'new.sqlite3'}")
    database = await Database.open(url, migrate_apart=True)
    try:
        schema = await database.read(migrate.inspect_on)
        assert schema.current == migrate.head() and not schema.empty
    finally:
        await database.close()
    again = await Database.open(url, migrate_apart=True)  # a later start: nothing to set up
    await again.close()


async def test_a_child_that_fails_stops_the_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "executable", "/bin/false")  # the child exits 1
    url = driver_url(f"sqlite:///{tmp_path / 'new.sqlite3'}")
    with pytest.raises(migrate.MigrationFailed, match="exit 1"):
        await Database.open(url, migrate_apart=True)
