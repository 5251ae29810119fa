"""Schema versions through Alembic: where a database stands, and bringing it to head.

Only `python -m bot migrate` changes an existing schema. The one exception is a brand-new,
empty SQLite file: the embedded default sets itself up on first start.
"""

from __future__ import annotations

import asyncio
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    from sqlalchemy.ext.asyncio import AsyncEngine

# Every revision, oldest first; tests hold this to the scripts in migrations/versions.
# Kept here so a start on an up-to-date schema never imports Alembic (~0.4 s, ~10 MB).
REVISIONS = ("0001", "0002", "0003", "0004", "0005", "0006", "0007", "0008")
BASELINE = REVISIONS[0]  # the schema that releases before Alembic created with create_all
HINT = "run `python -m bot migrate`"


class SchemaBehind(Exception):
    """The database is older than this code; the message says what to run."""


@dataclass(frozen=True)
class Schema:
    current: str | None
    head: str
    known: bool  # False when the database is newer than this code
    empty: bool
    legacy: bool  # tables from before Alembic, without a version

    @property
    def behind(self) -> bool:
        return self.known and self.current != self.head


def _config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).with_name("migrations")))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def scripts() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config())


def head() -> str:
    return REVISIONS[-1]


def inspect_on(connection: Connection) -> Schema:
    tables = set(inspect(connection).get_table_names())
    current = None
    if "alembic_version" in tables:
        current = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    return Schema(
        current=current,
        head=head(),
        known=current is None or current in REVISIONS,
        empty=not (tables - {"alembic_version"}),
        legacy=current is None and "links" in tables,
    )


async def inspect_schema(engine: AsyncEngine) -> Schema:
    async with engine.connect() as connection:
        return await connection.run_sync(inspect_on)


def _upgrade(connection: Connection, target: str) -> None:
    from alembic import command

    if inspect_on(connection).legacy:
        command.stamp(_config(connection), BASELINE)
    command.upgrade(_config(connection), target)


async def upgrade(engine: AsyncEngine, target: str = "head") -> tuple[str | None, str | None]:
    """Bring the schema to `target` in one transaction; returns (before, after)."""
    before = (await inspect_schema(engine)).current
    async with engine.begin() as connection:
        await connection.run_sync(_upgrade, target)
    return before, (await inspect_schema(engine)).current


def upgrade_on(connection: Connection) -> None:
    """To head, in the transaction `connection` is in."""
    _upgrade(connection, "head")


class MigrationFailed(Exception):
    """The child process setting up a new SQLite file failed (its own output says why)."""


async def upgrade_apart(url: str) -> None:
    """A new SQLite file set up to head by a child process (`python -m bot.storage.migrate`):
    Alembic and the migration scripts (~10 MB) then never stay in this process's memory, and
    a first start ends where every later one does. The URL is a file's path: no secret."""
    child = await asyncio.create_subprocess_exec(sys.executable, "-m", __name__, url)
    if await child.wait() != 0:
        raise MigrationFailed(f"setting up the new database failed (exit {child.returncode})")


def describe(schema: Schema) -> str:
    if schema.empty:
        return f"the database has no schema yet; {HINT}"
    at = schema.current or f"{BASELINE} (from before migrations)"
    return f"the database schema is at {at}, this version needs {schema.head}; {HINT}"


def _main(url: str) -> None:
    from bot.storage.engines import sync_sqlite

    engine = sync_sqlite(url)
    try:
        with engine.begin() as connection:
            upgrade_on(connection)
    finally:
        engine.dispose()


if __name__ == "__main__":  # upgrade_apart's child
    _main(sys.argv[1])
