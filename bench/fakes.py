"""Lean fake Slack and Rescue for the benchmark: they answer at once and hand each awaited
event to its waiter directly (tests/support/fakes.py records everything for assertions
instead, which costs the driver more than the servers under test). They start as the tests'
fakes do, through `FakeServer`."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from aiohttp import web

from tests.support.fakes import FakeServer


class Waiters:
    def __init__(self) -> None:
        self._futures: dict[str, asyncio.Future[Any]] = {}

    def expect(self, key: str) -> asyncio.Future[Any]:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._futures[key] = future
        return future

    def arrive(self, key: str, value: Any) -> None:
        future = self._futures.pop(key, None)
        if future is not None and not future.done():
            future.set_result(value)


class LeanSlack(FakeServer):
    def __init__(self) -> None:
        super().__init__(backlog=1024)
        self.views = Waiters()  # trigger_id -> the view opened
        self.answers = Waiters()  # response_url id -> the message posted
        self.app.router.add_post("/api/{method}", self._api)
        self.app.router.add_post("/response/{rid}", self._response)

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        body = await request.json() if request.content_type == "application/json" else {}
        if method == "views.open":
            view = body.get("view")
            self.views.arrive(body.get("trigger_id", ""), view)
            return web.json_response({"ok": True, "view": {"id": "V1"}})
        if method == "users.info":  # the agent's locale, asked once per agent (issue 24)
            return web.json_response({"ok": True, "user": {"id": "U", "locale": "en-US"}})
        return web.json_response({"ok": True, "channel": "D1", "ts": "1.1"})

    async def _response(self, request: web.Request) -> web.Response:
        self.answers.arrive(request.match_info["rid"], await request.json())
        return web.Response(text="ok")


class LeanRescue(FakeServer):
    def __init__(self, delay: float) -> None:
        super().__init__(backlog=1024)
        self.delay = delay
        self.app.router.add_post("/API/{page}", self._page)

    async def _page(self, request: web.Request) -> web.Response:
        await request.read()
        if self.delay:
            await asyncio.sleep(self.delay)
        return web.Response(text="OK PINCODE:123456")


def view_json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value
