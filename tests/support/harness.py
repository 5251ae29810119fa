"""The real app on a loopback port, talking to the fakes; `Harness` speaks to it as Slack
would (signed requests), and the functions below walk it through whole requests."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlencode

import aiohttp
from aiohttp.test_utils import TestServer

from bot.runtime import Runtime
from bot.web import RUNTIME, create_app
from handlers import register
from tests.support import slack_payloads as payloads
from tests.support import sweep
from tests.support.fakes import FakeRescue, FakeSlack
from tests.support.settings import SIGNING_SECRET, TEAM, make_settings
from tests.support.signing import signature_headers


class Harness:
    """Signed requests into POST /slack/events; `slack` and `rescue` are the recording fakes."""

    def __init__(
        self, slack: FakeSlack, rescue: FakeRescue, server: TestServer, http: aiohttp.ClientSession
    ):
        self.slack, self.rescue, self.server, self.http = slack, rescue, server, http
        self.views_seen = 0

    @property
    def runtime(self) -> Runtime:
        return self.server.app[RUNTIME]

    @property
    def base_url(self) -> str:
        return str(self.server.make_url("")).rstrip("/")

    @property
    def url(self) -> str:
        return self.base_url + "/slack/events"

    async def link(self, user: str, authcode: str, team: str = TEAM) -> None:
        """Link `user` straight in the store, as `python -m bot link` would."""
        sweep.remember(authcode, stored=True)
        await self.runtime.store.link(team, user, authcode, "cli")

    def signed_headers(self, body: bytes, timestamp: int | None = None) -> dict[str, str]:
        return signature_headers(SIGNING_SECRET, body, timestamp)

    async def post(
        self,
        body: bytes,
        content_type: str = "application/x-www-form-urlencoded",
        *,
        signed: bool = True,
        timestamp: int | None = None,
    ) -> tuple[int, str, float]:
        """Status, body and seconds taken."""
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
        form = payloads.slash_command(
            text,
            response_url=self.slack.response_url(rid),
            command=command,
            user_id=user,
            team=team,
            channel=channel,
            trigger_id=trigger_id,
        )
        status, body, _ = await self.post(urlencode(form).encode())
        return status, body, rid

    async def interact(self, payload: dict[str, Any]) -> tuple[int, str]:
        status, body, _ = await self.post(urlencode({"payload": json.dumps(payload)}).encode())
        return status, body

    async def event(self, event: dict[str, Any]) -> int:
        status, _, _ = await self.post(json.dumps(event).encode(), "application/json")
        return status

    async def opened_view(self) -> dict[str, Any]:
        """The next modal the app opened that this helper has not handed out yet: a command's
        own modal, even when its views.open arrives after the command's ack."""
        seen = self.views_seen
        await self.slack.wait_for(lambda: len(self.slack.calls_to("views.open")) > seen)
        self.views_seen += 1
        view: dict[str, Any] = self.slack.calls_to("views.open")[seen].params["view"]
        return view

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
        """Submit `view` with `fields` typed in (or with the raw state `values`)."""
        state = values if values is not None else payloads.state_values(fields, no_console)
        return await self.interact(payloads.view_submission(view, state, user_id=user, team=team))

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
        payload = payloads.block_actions(
            action_id,
            value,
            response_url=self.slack.response_url(response_rid),
            user_id=user,
            team=team,
            channel=channel,
        )
        return await self.interact(payload)

    async def healthz(self) -> int:
        async with self.http.get(self.base_url + "/healthz") as response:
            return response.status


async def start_harness(
    slack: FakeSlack, rescue: FakeRescue, url: str, **extra: Any
) -> tuple[Harness, tuple[TestServer, aiohttp.ClientSession]]:
    """The app with settings `extra` on top of the usual ones; close what it returns second."""
    app = create_app(make_settings(slack, rescue, url, **extra), register)
    server = TestServer(app, host="127.0.0.1")
    # No access log, as `bot.web.run` serves: a path may carry a secret (/rescue/sessions/…).
    await server.start_server(access_log=None)
    http = aiohttp.ClientSession()
    return Harness(slack, rescue, server, http), (server, http)


@asynccontextmanager
async def running_app(
    slack: FakeSlack, rescue: FakeRescue, url: str, **settings: Any
) -> AsyncIterator[Harness]:
    """The app with `settings` on top of the usual ones, for as long as the block runs."""
    harness, (server, http) = await start_harness(slack, rescue, url, **settings)
    try:
        yield harness
    finally:
        await http.close()
        await server.close()


# Whole requests, step by step as an agent would make them.


async def open_and_submit(
    h: Harness,
    fields: dict[str, str],
    *,
    command: str = "/rescue-pin",
    text: str = "",
    no_console: bool = False,
    user: str = "U1",
) -> tuple[str, dict[str, Any]]:
    """A command, its modal submitted with `fields`: the response_url's id and the answer."""
    status, body, rid = await h.command(text, command=command, user=user)
    assert (status, body) == (200, "")
    view = await h.opened_view()
    status, body = await h.submit(view, fields, no_console=no_console, user=user)
    assert status == 200 and body == ""
    return rid, await h.slack.response(rid)


async def open_home(h: Harness, user: str) -> int:
    """`user` opens the app's Home tab; the status the app answered."""
    return await h.event(payloads.app_home_opened(user))


async def published(h: Harness, user: str) -> dict[str, Any]:
    """The latest Home view the app published for `user`."""
    views = await h.slack.wait_for(
        lambda: [
            c.params["view"]
            for c in h.slack.calls_to("views.publish")
            if c.params["user_id"] == user
        ]
    )
    latest: dict[str, Any] = views[-1]
    return latest


async def audited(h: Harness, outcome: str, timeout: float = 20.0) -> list[Any]:
    """The audit rows with `outcome`, once there are any (the database may be coming back)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            rows = [r for r in await h.runtime.store.audit_rows() if r.outcome == outcome]
        except Exception:  # the database may still be coming back
            rows = []
        if rows:
            return rows
        await asyncio.sleep(0.2)
    raise AssertionError(f"no audit row with outcome {outcome}")


async def settled(h: Harness, count: int = 1, timeout: float = 10.0) -> list[Any]:
    """The audit rows once every delivery has been noted (that follows the message itself)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = await h.runtime.store.audit_rows()
        if len(rows) >= count and all(r.delivered is not None for r in rows):
            return list(rows)
        await asyncio.sleep(0.05)
    raise AssertionError("the audit trail never settled")
