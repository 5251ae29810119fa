"""Fixtures only: databases (SQLite and the local PostgreSQL), the fakes, and the real app
between them; the session hooks that feed and run the secrets sweep. What they are built from
lives in tests/support."""

from __future__ import annotations

import io
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from bot import logs
from bot.crypto import Cipher
from bot.store import Store
from tests.support import postgres, sweep
from tests.support.fakes import FakeRescue, FakeSlack, FakeSocketMode
from tests.support.harness import Harness, running_app
from tests.support.settings import TEAM, driver_url


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A database of its own for this run on the local PostgreSQL, dropped at the end.
    Without a server the tests that need it skip, except in CI (CI=true), where they fail."""
    try:
        url = postgres.create_database()
    except Exception as error:  # no server here
        if os.environ.get("CI") == "true":
            pytest.fail(
                f"PostgreSQL at {postgres.ADMIN_URL} is required in CI:"
                f" {type(error).__name__}: {error}"
            )
        pytest.skip(f"PostgreSQL not reachable at {postgres.ADMIN_URL} ({type(error).__name__})")
    yield url
    postgres.drop_database(url)


@pytest.fixture
async def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'rescue.sqlite3'}"


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """Each database in turn: a fresh SQLite file, then the run's PostgreSQL, migrated."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'rescue.sqlite3'}"
        return
    url = request.getfixturevalue("pg_database")
    await postgres.reset_pg(url)
    yield url
    await postgres.reset_pg(url, migrated=False)


@pytest.fixture
async def two_stores(database_url: str) -> AsyncIterator[tuple[Store, Store]]:
    """Two stores on one database, each with its own key: two processes, as far as the
    database can tell."""
    url = driver_url(database_url)
    one = await Store.open(url, Cipher([Fernet.generate_key().decode()]))
    two = await Store.open(url, Cipher([Fernet.generate_key().decode()]))
    yield one, two
    await one.close()
    await two.close()


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    slack = FakeSlack(TEAM)
    await slack.start()
    yield slack
    await slack.stop()
    # OAuth: every token it handed out (bot, refresh, rotated) and the app's client secret
    # may be in no log line, and in no database file or row in plain text.
    sweep.remember(slack.client_secret, *slack.issued, stored=True)


@pytest.fixture
async def fake_rescue() -> AsyncIterator[FakeRescue]:
    rescue = FakeRescue()
    await rescue.start()
    yield rescue
    await rescue.stop()
    sweep.remember(rescue.sso_password, *rescue.answers, *rescue.sso.values(), stored=True)
    for password, authcode in rescue.accounts.values():
        sweep.remember(password, authcode, stored=True)


@pytest.fixture
async def fake_socket() -> AsyncIterator[FakeSocketMode]:
    socket = FakeSocketMode()
    await socket.start()
    yield socket
    await socket.stop()


@pytest.fixture
async def harness(
    fake_slack: FakeSlack, fake_rescue: FakeRescue, sqlite_url: str
) -> AsyncIterator[Harness]:
    """The app on SQLite with the usual settings."""
    async with running_app(fake_slack, fake_rescue, sqlite_url) as h:
        yield h


@pytest.fixture
async def pg_harness(
    fake_slack: FakeSlack, fake_rescue: FakeRescue, database_url: str
) -> AsyncIterator[Harness]:
    """The same app on each database in turn."""
    async with running_app(fake_slack, fake_rescue, database_url) as h:
        yield h


@pytest.fixture
def log_stream() -> Iterator[io.StringIO]:
    """The app's JSON log lines (DEBUG and up) from here on, as one text."""
    stream = io.StringIO()
    logs.setup("DEBUG", "json", stream)
    yield stream
    logs.setup("INFO", "json")


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    # Everything the app logged in-process was captured by pytest, test by test.
    for title, content in report.sections:
        sweep.keep(f"{report.nodeid} ({title})", content)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    factory = getattr(session.config, "_tmp_path_factory", None)
    if factory is None or session.config.option.collectonly:
        return
    found = sweep.findings(factory.getbasetemp())
    if found:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        lines = ["", "secrets sweep: a secret was found where none may be:", *dict.fromkeys(found)]
        if reporter is not None:
            reporter.write_line("\n".join(lines), red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
