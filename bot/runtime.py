"""Process-wide resources, made once at start: the HTTP session, the store, the Slack and Rescue
clients, and the count of PIN requests under way (a shutdown waits for them)."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import aiohttp
from slack_sdk.http_retry.builtin_async_handlers import AsyncConnectionErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import Settings
from bot.crypto import load_cipher
from bot.installs.tenancy import OrgDirectory, request_token
from bot.language import Locales, set_default
from bot.logs import get_logger, register_secrets
from bot.metrics import IN_FLIGHT
from bot.rescue.client import RescueClient
from bot.slack import calls as slack_calls
from bot.slack.calls import SlackClient
from bot.store import Store

if TYPE_CHECKING:
    from bot.installs.states import DatabaseOAuthStateStore
    from bot.installs.store import DatabaseInstallationStore

log = get_logger(__name__)


def new_event_loop() -> asyncio.AbstractEventLoop:
    """uvloop's event loop for the server processes: the same asyncio API, with its
    scheduling, sockets and timers in C (issue 13: less CPU per request)."""
    import uvloop

    return uvloop.new_event_loop()


# Allocations between two young collections (CPython's default is 700). A request allocates
# thousands of short-lived objects; at 700 the collector ran ~50 times a 200-agent round and
# took 0.46 ms of CPU per flow, at 10 000 it took 0.02 ms, its longest pause about 9 ms.
YOUNG_GC_THRESHOLD = 10_000


def settle_heap() -> None:
    """Once started: what start-up built (modules, Bolt, SQLAlchemy's tables and caches) lives
    as long as the process. Frozen out of the collector's sight, it is no longer walked by every
    full collection: those took 80-110 ms of CPU in one go under the bench, holding the event
    loop (and every ack) that long. The collector, off while the server started (bot/__main__:
    start-up's objects all live on, walking them again and again found nothing), comes on."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_GC_THRESHOLD, *gc.get_threshold()[1:])
    gc.enable()


class RuntimeWebClient(SlackClient):
    """The Web API client of the process (see bot.slack.calls.SlackClient).

    Its token is the request's own installation's when one is serving (OAuth: set by
    bot.web for the request and the tasks it starts), else the one it was made with.
    """

    @property
    def token(self) -> str | None:
        return request_token.get() or self._default_token

    @token.setter
    def token(self, value: str | None) -> None:
        self._default_token = value


class OrgTeamsUnavailable(Exception):
    """auth.teams.list failed; the message says how (bot.slack.calls' fault and error)."""


class RequestsUnderWay:
    """How many PIN requests are under way, so a shutdown can wait for them to finish."""

    def __init__(self) -> None:
        self.count = 0
        self._idle = asyncio.Event()
        self._idle.set()

    @asynccontextmanager
    async def track(self) -> AsyncIterator[None]:
        self.count += 1
        self._idle.clear()
        IN_FLIGHT.inc()
        try:
            yield
        finally:
            self.count -= 1
            IN_FLIGHT.dec()
            if self.count == 0:
                self._idle.set()

    async def drain(self, within: float) -> bool:
        """True when every request finished within `within` seconds."""
        try:
            await asyncio.wait_for(self._idle.wait(), within)
        except TimeoutError:
            return False
        return True


@dataclass
class Runtime:
    settings: Settings
    http: aiohttp.ClientSession
    store: Store
    rescue: RescueClient
    slack: AsyncWebClient
    under_way: RequestsUnderWay = field(default_factory=RequestsUnderWay)
    locales: Locales = field(default_factory=Locales)  # each person's Slack locale
    # OAuth installation (SLACK_CLIENT_ID/SECRET set): the stores, and a client with no token
    # of its own for oauth.v2.access and token rotation.
    installations: DatabaseInstallationStore | None = None
    oauth_states: DatabaseOAuthStateStore | None = None
    oauth_client: AsyncWebClient | None = None
    orgs: OrgDirectory = field(init=False)

    def __post_init__(self) -> None:
        self.orgs = OrgDirectory(self.org_teams, self.store.owners.note_workspaces)

    async def org_teams(self, enterprise_id: str) -> set[str]:
        """The workspaces an org-wide install reaches, asked with the serving token."""
        teams: set[str] = set()
        cursor = None
        for _ in range(50):  # 50 pages of 1000: more workspaces than any organisation has
            # Asked while a request waits (its modal's trigger lives 3 s): kept short.
            answer = await slack_calls.call(
                self.slack, "auth.teams.list", budget=1.5, limit=1000, cursor=cursor
            )
            if not answer.ok:  # OrgDirectory keeps what it knew
                raise OrgTeamsUnavailable(f"{answer.fault}: {answer.error}")
            teams.update(t["id"] for t in answer.get("teams") or () if isinstance(t, dict))
            cursor = (answer.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                break
        return teams

    async def learn_organisation(self, enterprise_id: str, token: str) -> None:
        """An org-wide install's workspaces, asked at once with its own token and kept in the
        database. Slack or the database unreachable: learnt later, as requests come."""
        scope = request_token.set(token)
        try:
            teams = await self.org_teams(enterprise_id)
            await self.store.owners.note_workspaces(enterprise_id, teams)
        except Exception as error:
            log.warning("org_teams_not_kept", error=type(error).__name__)
        finally:
            request_token.reset(scope)

    @classmethod
    async def start(cls, settings: Settings, migrate_apart: bool = False) -> Runtime:
        """`migrate_apart`: a server process's; see bot.storage.database.Database.open."""
        set_default(settings.default_language)
        own = [
            secret.get_secret_value() if secret else None
            for secret in (
                settings.slack_bot_token,
                settings.slack_signing_secret,
                settings.slack_app_token,
                settings.encryption_key,
                settings.rescue_sso_password,
                settings.rescue_post_token,
                settings.slack_client_secret,
                settings.metrics_token,
            )
        ]
        if settings.encryption_key is not None:  # each key of a rotation on its own too
            own += settings.encryption_key.get_secret_value().split(",")
        register_secrets((value.strip() if value else None for value in own), held=True)
        cipher, created = load_cipher(settings.encryption_key, settings.sqlite_path)
        if created:
            log.warning("encryption_key_file_created", path=str(created))
        http = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=200, ttl_dns_cache=300),
            headers={"User-Agent": "rescue-pin-slack"},
        )
        try:
            store = await Store.open(settings.sqlalchemy_url, cipher, migrate_apart)
        except BaseException:
            await http.close()
            raise
        token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
        slack = RuntimeWebClient(
            token=token,
            base_url=settings.slack_api_url,
            session=http,
            # For Bolt's own calls (auth.test, before the ack): Slack waits 3 seconds for that.
            # bot.slack.calls gives each of its calls a timeout of its own.
            call_timeout=2.5,
            logger=logging.getLogger("slack_sdk.web"),
            retry_handlers=[],  # bot.slack.calls retries, knowing which calls may repeat
        )
        rescue = RescueClient(http, settings.rescue_api_url, settings.rescue_timeout_seconds)
        runtime = cls(settings, http, store, rescue, slack)
        if settings.oauth_enabled:
            from bot.installs.states import DatabaseOAuthStateStore
            from bot.installs.store import DatabaseInstallationStore

            runtime.installations = DatabaseInstallationStore(store.database, cipher)
            runtime.oauth_states = DatabaseOAuthStateStore(store.database)
            # Bolt's OAuth flow (oauth.v2.access) calls it: a timeout and readable failures.
            runtime.oauth_client = SlackClient(
                base_url=settings.slack_api_url,
                session=http,
                call_timeout=10,
                logger=logging.getLogger("slack_sdk.web"),
                retry_handlers=[AsyncConnectionErrorRetryHandler(max_retry_count=1)],
            )
        return runtime

    async def stop(self) -> None:
        await self.store.close()
        await self.http.close()
