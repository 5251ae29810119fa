"""The release phase as Heroku runs it: `serve` refuses a database behind, `migrate` brings
it up (twice is harmless), then `serve` starts."""

from __future__ import annotations

from pathlib import Path

from cryptography.fernet import Fernet

from bot.storage import migrate
from tests.support.postgres import reset_pg
from tests.support.processes import BotProcess


async def test_serve_refuses_a_database_behind_and_migrate_fixes_it(
    pg_database: str, tmp_path: Path
) -> None:
    await reset_pg(pg_database, migrated=False)
    settings = {
        "DATABASE_URL": pg_database.replace("postgresql://", "postgres://", 1),  # Heroku's form
        "ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "SLACK_BOT_TOKEN": "xoxb-1-migrate",
        "SLACK_SIGNING_SECRET": "migrate-secret",
    }
    refused = BotProcess(tmp_path, "serve", "refused", **settings)
    await refused.start()
    assert await refused.wait_exit() == 1
    assert refused.log().strip().splitlines()[-1] == (
        "error: the database has no schema yet; run `python -m bot migrate`"
    )

    for expected in (f"from nothing to {migrate.head()}", f"already at {migrate.head()}"):
        release = BotProcess(tmp_path, "migrate", "release", **settings)
        await release.start()
        assert await release.wait_exit() == 0, release.log()
        assert expected in release.log()

    web = BotProcess(tmp_path, "serve", "web", **settings)
    await web.start()
    try:
        await web.wait_healthy()
    finally:
        await web.stop()
    assert web.process is not None and web.process.returncode == 0
