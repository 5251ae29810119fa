"""Fixtures: databases (SQLite and the local PostgreSQL), fakes, and the real app between them."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from cryptography.fernet import Fernet
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.config import Settings
from bot.runtime import Runtime
from bot.web import RUNTIME, create_app
from handlers import register
from tests import sweep
from tests.fakes import FakeRescue, FakeSlack

SIGNING_SECRET = "test-signing-secret-8f3a9c"
BOT_TOKEN = "xoxb-1111-2222-testbottoken"
TEAM = "T0001"
PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://127.0.0.1:5432/test")


def _pg_driver_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+asyncpg://", 1)


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A database of its own for this run on the local PostgreSQL, dropped at the end."""
    import asyncio

    name = f"rescue_pin_test_{uuid.uuid4().hex[:10]}"

    async def admin(statement: str) -> None:
        engine = create_async_engine(_pg_driver_url(PG_ADMIN_URL), isolation_level="AUTOCOMMIT")
        try:
            async with engine.connect() as connection:
                await connection.execute(text(statement))
        finally:
            await engine.dispose()

    def run(statement: str) -> None:
        # Session fixtures are set up inside pytest-asyncio's loop: use a thread of its own.
        with ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, admin(statement)).result()

    try:
        run(f'CREATE DATABASE "{name}"')
    except Exception as error:  # no server here
        if os.environ.get("CI") == "true":
            pytest.fail(
                f"PostgreSQL at {PG_ADMIN_URL} is required in CI: {type(error).__name__}: {error}"
            )
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN_URL} ({type(error).__name__})")
    base, _, _ = PG_ADMIN_URL.rpartition("/")
    yield f"{base}/{name}"
    run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def reset_pg(url: str, migrated: bool = True) -> None:
    """An empty database, then (as the release phase would) migrated to head."""
    from bot import migrate

    engine = create_async_engine(_pg_driver_url(url))
    try:
        async with engine.begin() as connection:
            # What the last test left in PostgreSQL goes to the secrets sweep before it goes.
            tables = await connection.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            )
            for (table,) in tables.all():
                rows = await connection.execute(text(f'SELECT t::text FROM "{table}" t'))
                sweep.keep(f"postgresql table {table}", "\n".join(r[0] for r in rows.all()))
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
        if migrated:
            await migrate.upgrade(engine)
    finally:
        await engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Any) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'rescue.sqlite3'}"
        return
    url = request.getfixturevalue("pg_database")
    await reset_pg(url)
    yield url
    await reset_pg(url, migrated=False)


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    slack = FakeSlack(TEAM)
    await slack.start()
    yield slack
    await slack.stop()


@pytest.fixture
async def fake_rescue() -> AsyncIterator[FakeRescue]:
    rescue = FakeRescue()
    await rescue.start()
    yield rescue
    await rescue.stop()
    sweep.remember(rescue.sso_password, *rescue.answers, *rescue.sso.values(), stored=True)
    for password, authcode in rescue.accounts.values():
        sweep.remember(password, authcode, stored=True)


def make_settings(
    slack: FakeSlack, rescue: FakeRescue, database_url: str, **extra: Any
) -> Settings:
    values: dict[str, Any] = {
        "slack_bot_token": BOT_TOKEN,
        "slack_signing_secret": SIGNING_SECRET,
        "slack_api_url": slack.api_url(),
        "rescue_api_url": rescue.api_url(),
        "rescue_timeout_seconds": 2,
        "database_url": database_url,
        "encryption_key": Fernet.generate_key().decode(),
        **extra,
    }
    sweep.remember(values["encryption_key"], values.get("rescue_sso_password"))
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def state_values(fields: dict[str, str], no_console: bool = False) -> dict[str, Any]:
    values: dict[str, Any] = {
        name: {"value": {"type": "plain_text_input", "value": value}}
        for name, value in fields.items()
    }
    values["notechconsole"] = {
        "value": {"type": "checkboxes", "selected_options": [{"value": "1"}] if no_console else []}
    }
    return values


class Harness:
    """The real app on a loopback port, talking to the fakes; helpers speak as Slack would."""

    def __init__(
        self, slack: FakeSlack, rescue: FakeRescue, server: TestServer, http: aiohttp.ClientSession
    ):
        self.slack, self.rescue, self.server, self.http = slack, rescue, server, http
        self.verifier = SignatureVerifier(SIGNING_SECRET)
        self.views_seen = 0

    @property
    def services(self) -> Runtime:
        return self.server.app[RUNTIME]

    @property
    def url(self) -> str:
        return str(self.server.make_url("/slack/events"))

    async def link(self, user: str, authcode: str, team: str = TEAM) -> None:
        sweep.remember(authcode, stored=True)
        await self.services.store.link(team, user, authcode, "cli")

    def signed_headers(self, body: bytes, timestamp: int | None = None) -> dict[str, str]:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        # Over raw bytes, as Slack would: slack_sdk's helper insists on UTF-8.
        digest = hmac.new(
            SIGNING_SECRET.encode(), b"v0:" + ts.encode() + b":" + body, hashlib.sha256
        )
        signature = "v0=" + digest.hexdigest()
        return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature}

    async def post(
        self,
        body: bytes,
        content_type: str = "application/x-www-form-urlencoded",
        *,
        signed: bool = True,
        timestamp: int | None = None,
    ) -> tuple[int, str, float]:
        headers = {"Content-Type": content_type}
        if signed:
            headers.update(self.signed_headers(body, timestamp))
        started = time.perf_counter()
        async with self.http.post(self.url, data=body, headers=headers) as response:
            text = await response.text()
            return response.status, text, time.perf_counter() - started

    async def command(
        self,
        text: str = "",
        *,
        command: str = "/rescue-pin",
        user: str = "U1",
        team: str = TEAM,
        channel: str = "C1",
        trigger_id: str = "trigger-1",
    ) -> tuple[int, str, str]:
        """A signed slash command; returns status, body and the response_url's id."""
        rid = uuid.uuid4().hex[:8]
        form = {
            "token": "legacy",
            "team_id": team,
            "team_domain": "acme",
            "channel_id": channel,
            "channel_name": "support",
            "user_id": user,
            "user_name": user.lower(),
            "command": command,
            "text": text,
            "api_app_id": "A1",
            "is_enterprise_install": "false",
            "response_url": self.slack.response_url(rid),
            "trigger_id": trigger_id,
        }
        status, body, _ = await self.post(urlencode(form).encode())
        return status, body, rid

    async def interact(self, payload: dict[str, Any]) -> tuple[int, str]:
        status, body, _ = await self.post(urlencode({"payload": json.dumps(payload)}).encode())
        return status, body

    async def opened_view(self) -> dict[str, Any]:
        """The next modal the app opened that this helper has not handed out yet: a command's
        own modal, even when its views.open arrives after the command's ack."""
        seen = self.views_seen
        await self.slack.wait_for(lambda: len(self.slack.calls_to("views.open")) > seen)
        self.views_seen += 1
        return self.slack.calls_to("views.open")[seen].params["view"]

    async def submit(
        self,
        view: dict[str, Any],
        fields: dict[str, str],
        *,
        no_console: bool = False,
        user: str = "U1",
        team: str = TEAM,
        values: dict[str, Any] | None = None,
    ) -> tuple[int, str]:
        payload = {
            "type": "view_submission",
            "team": {"id": team, "domain": "acme"},
            "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": team},
            "api_app_id": "A1",
            "token": "legacy",
            "trigger_id": "trigger-2",
            "view": {
                "id": "V1",
                "team_id": team,
                "type": "modal",
                "callback_id": view["callback_id"],
                "private_metadata": view.get("private_metadata", ""),
                "blocks": view.get("blocks", []),
                "state": {
                    "values": values if values is not None else state_values(fields, no_console)
                },
                "hash": "h",
                "title": view.get("title"),
                "app_id": "A1",
                "bot_id": "BBOT",
            },
            "response_urls": [],
        }
        return await self.interact(payload)

    async def click(
        self,
        action_id: str,
        value: str = "",
        *,
        user: str = "U1",
        team: str = TEAM,
        response_rid: str = "click",
        channel: str = "C1",
    ) -> tuple[int, str]:
        payload = {
            "type": "block_actions",
            "team": {"id": team, "domain": "acme"},
            "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": team},
            "api_app_id": "A1",
            "token": "legacy",
            "trigger_id": "trigger-3",
            "container": {
                "type": "message",
                "message_ts": "1.1",
                "channel_id": channel,
                "is_ephemeral": True,
            },
            "channel": {"id": channel, "name": "support"},
            "response_url": self.slack.response_url(response_rid),
            "actions": [
                {
                    "action_id": action_id,
                    "block_id": "b",
                    "value": value,
                    "type": "button",
                    "action_ts": "1",
                }
            ],
        }
        return await self.interact(payload)


@pytest.fixture
async def sqlite_url(tmp_path: Any) -> str:
    return f"sqlite:///{tmp_path / 'rescue.sqlite3'}"


async def start_harness(
    slack: FakeSlack, rescue: FakeRescue, url: str, **extra: Any
) -> tuple[Harness, Any]:
    app = create_app(make_settings(slack, rescue, url, **extra), register)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    http = aiohttp.ClientSession()
    return Harness(slack, rescue, server, http), (server, http)


@pytest.fixture
async def harness(
    fake_slack: FakeSlack, fake_rescue: FakeRescue, sqlite_url: str
) -> AsyncIterator[Harness]:
    h, (server, http) = await start_harness(fake_slack, fake_rescue, sqlite_url)
    yield h
    await http.close()
    await server.close()


@pytest.fixture
async def pg_harness(
    fake_slack: FakeSlack, fake_rescue: FakeRescue, database_url: str
) -> AsyncIterator[Harness]:
    """The same app on each database in turn."""
    h, (server, http) = await start_harness(fake_slack, fake_rescue, database_url)
    yield h
    await http.close()
    await server.close()


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
