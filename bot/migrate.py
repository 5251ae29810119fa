"""Schema versions through Alembic: where a database stands, and bringing it to head.

Only `python -m bot migrate` changes an existing schema. The one exception is a brand-new,
empty SQLite file: the embedded default sets itself up on first start.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

BASELINE = "0001"  # the schema that releases before Alembic created with create_all
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
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).with_name("migrations")))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(_config())


def head() -> str:
    revision = _scripts().get_current_head()
    assert revision is not None  # the package ships its migrations
    return revision


def _inspect(connection: Connection) -> Schema:
    current = MigrationContext.configure(connection).get_current_revision()
    tables = set(inspect(connection).get_table_names())
    known = current is None or current in {rev.revision for rev in _scripts().walk_revisions()}
    return Schema(
        current=current,
        head=head(),
        known=known,
        empty=not (tables - {"alembic_version"}),
        legacy=current is None and "links" in tables,
    )


async def inspect_schema(engine: AsyncEngine) -> Schema:
    async with engine.connect() as connection:
        return await connection.run_sync(_inspect)


def _upgrade(connection: Connection, target: str) -> None:
    if _inspect(connection).legacy:
        command.stamp(_config(connection), BASELINE)
    command.upgrade(_config(connection), target)


async def upgrade(engine: AsyncEngine, target: str = "head") -> tuple[str | None, str | None]:
    """Bring the schema to `target` in one transaction; returns (before, after)."""
    before = (await inspect_schema(engine)).current
    async with engine.begin() as connection:
        await connection.run_sync(_upgrade, target)
    return before, (await inspect_schema(engine)).current


def describe(schema: Schema) -> str:
    if schema.empty:
        return f"the database has no schema yet; {HINT}"
    at = schema.current or f"{BASELINE} (from before migrations)"
    return f"the database schema is at {at}, this version needs {schema.head}; {HINT}"
