"""Alembic migrations on SQLite and PostgreSQL: they build what the code uses, and old
databases are refused until `python -m bot migrate` brings them up."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from cryptography.fernet import Fernet
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.crypto import Cipher
from bot.storage import migrate
from bot.storage.engines import create_engine
from bot.storage.schema import metadata
from bot.store import Store
from tests.support.postgres import reset_pg
from tests.support.settings import driver_url


async def empty_engine(database_url: str) -> AsyncEngine:
    if not database_url.startswith("sqlite"):
        await reset_pg(database_url, migrated=False)
    return create_engine(driver_url(database_url))


async def test_the_migrations_build_exactly_the_tables_the_code_uses(database_url: str) -> None:
    engine = await empty_engine(database_url)
    try:
        before, after = await migrate.upgrade(engine)
        assert (before, after) == (None, migrate.head())
        async with engine.connect() as connection:
            differences = await connection.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync), metadata)
            )
        assert differences == []
        # Down to nothing and back up: every migration can be undone.
        async with engine.begin() as connection:
            await connection.run_sync(lambda sync: command.downgrade(migrate._config(sync), "base"))
        assert (await migrate.inspect_schema(engine)).empty
        await migrate.upgrade(engine)
        assert not (await migrate.inspect_schema(engine)).behind
    finally:
        await engine.dispose()


def test_the_revision_list_is_the_migration_scripts() -> None:
    # bot.storage.migrate names the revisions so that starting never imports Alembic.
    scripts = migrate.scripts()
    assert [rev.revision for rev in reversed(list(scripts.walk_revisions()))] == list(
        migrate.REVISIONS
    )
    assert scripts.get_current_head() == migrate.head()


async def test_a_schema_behind_is_refused_until_migrated_and_rows_survive(
    database_url: str,
) -> None:
    engine = await empty_engine(database_url)
    try:
        await migrate.upgrade(engine, "0001")
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO audit (at, team_id, user_id, action, kind, no_tech_console,"
                    " outcome, pin) VALUES (CURRENT_TIMESTAMP, 'T1', 'U1', 'request', 'rescue',"
                    " false, 'OK', '123456')"
                )
            )
        cipher = Cipher([Fernet.generate_key().decode()])
        with pytest.raises(migrate.SchemaBehind) as refused:
            await Store.open(driver_url(database_url), cipher)
        assert str(refused.value) == (
            f"the database schema is at 0001, this version needs {migrate.head()}; "
            "run `python -m bot migrate`"
        )
        assert await migrate.upgrade(engine) == ("0001", migrate.head())
        store = await Store.open(driver_url(database_url), cipher)
        try:
            [row] = await store.audit_rows()
            assert (row.pin, row.request_id) == ("123456", None)
        finally:
            await store.close()
    finally:
        await engine.dispose()


async def test_tables_from_before_migrations_are_adopted(database_url: str) -> None:
    engine = await empty_engine(database_url)
    try:
        await migrate.upgrade(engine, "0001")
        async with engine.begin() as connection:
            await connection.execute(text("DROP TABLE alembic_version"))
        legacy = await migrate.inspect_schema(engine)
        assert legacy.legacy and legacy.behind
        assert "from before migrations" in migrate.describe(legacy)
        assert await migrate.upgrade(engine) == (None, migrate.head())
    finally:
        await engine.dispose()


async def test_only_an_empty_sqlite_file_sets_itself_up(database_url: str) -> None:
    engine = await empty_engine(database_url)
    await engine.dispose()
    cipher = Cipher([Fernet.generate_key().decode()])
    if database_url.startswith("sqlite"):
        store = await Store.open(driver_url(database_url), cipher)
        await store.close()
        return
    with pytest.raises(migrate.SchemaBehind, match="no schema yet; run `python -m bot migrate`"):
        await Store.open(driver_url(database_url), cipher)
