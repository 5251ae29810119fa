"""The same app over Socket Mode, for deployments that accept no inbound HTTP."""

from __future__ import annotations

import asyncio
import signal
from typing import Any

import structlog
from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

from bot.bolt import Wiring, build_bolt
from bot.config import Settings
from bot.logs import get_logger, new_request_id
from bot.runtime import Runtime, new_event_loop, settle_heap
from bot.slack import calls as slack_calls
from bot.web import DRAIN_SECONDS

log = get_logger(__name__)
# How often the SDK pings Slack and checks its socket: a silent drop is found within this.
PING_SECONDS = 5.0


class _Handler(AsyncSocketModeHandler):
    """Each envelope gets its own request id, as each HTTP request does in bot.web."""

    async def handle(self, client: Any, req: Any) -> None:
        slack_calls.mark_arrival()  # a trigger_id lives 3 seconds from here
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=new_request_id())
        await super().handle(client, req)


class _Watch:
    """A log line each time the socket goes down or a new one comes up, for whoever
    watches logs. A new session counts even when the gap fell between two looks."""

    def __init__(self, handler: AsyncSocketModeHandler) -> None:
        self.client = handler.client
        self.session = self.client.current_session
        self.connected = True

    async def look(self) -> None:
        connected = await self.client.is_connected()
        session = self.client.current_session
        if connected and (session is not self.session or not self.connected):
            log.info("socket_mode_reconnected")
        elif not connected and self.connected:
            log.warning("socket_mode_disconnected")
        self.connected, self.session = connected, session

    async def forever(self, every: float = 0.5) -> None:
        while True:
            await asyncio.sleep(every)
            await self.look()


async def _health_site(
    handler: AsyncSocketModeHandler, runtime: Runtime, port: int
) -> web.AppRunner:
    async def healthz(_: web.Request) -> web.Response:
        connected = await handler.client.is_connected()
        database = await runtime.store.ping()
        status = 200 if connected and database else 503
        return web.json_response(
            {"ok": status == 200, "socket": connected, "database": database}, status=status
        )

    health = web.Application()
    health.router.add_get("/healthz", healthz)
    runner = web.AppRunner(health, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, port=port).start()
    return runner


async def serve(settings: Settings, wire: Wiring) -> None:
    runtime = await Runtime.start(settings, migrate_apart=True)
    assert settings.slack_app_token is not None  # load_settings("socket") checked it
    bolt = build_bolt(runtime, wire, oauth_install=False)  # Socket Mode: SLACK_BOT_TOKEN
    settle_heap()
    # The SDK client reconnects by itself after a dropped socket.
    handler = _Handler(
        bolt,
        settings.slack_app_token.get_secret_value(),
        web_client=runtime.slack,
        ping_interval=PING_SECONDS,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    runner = (
        await _health_site(handler, runtime, settings.port)
        if "port" in settings.model_fields_set
        else None
    )
    try:
        await handler.connect_async()
        log.info("socket_mode_connected")
        watch = _Watch(handler)
        watcher = asyncio.create_task(watch.forever())
        await stop.wait()
        watcher.cancel()
        await watch.look()  # a reconnection since the last look is still told
        log.info("socket_mode_stopping", in_flight=runtime.under_way.count)
        await handler.disconnect_async()
        await runtime.under_way.drain(DRAIN_SECONDS)
    finally:
        await handler.close_async()
        if runner is not None:
            await runner.cleanup()
        await runtime.stop()


def run(settings: Settings, wire: Wiring) -> None:
    with asyncio.Runner(loop_factory=new_event_loop) as runner:
        runner.run(serve(settings, wire))
