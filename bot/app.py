"""The aiohttp web app with Bolt mounted on /slack/events, beside /healthz."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import AsyncIterator
from typing import Any

import structlog
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.signature import SignatureVerifier

import handlers
from bot.audit import purge_forever
from bot.config import Settings
from bot.logs import get_logger
from bot.metrics import CONTENT_TYPE, EVENTS, render
from bot.services import Services
from bot.store import StoreUnavailable
from handlers.common import database_down

log = get_logger(__name__)

SERVICES = web.AppKey("services", Services)
BOLT = web.AppKey("bolt", AsyncApp)
VERIFIER = web.AppKey("verifier", SignatureVerifier)
MAX_BODY_BYTES = 1024 * 1024
# Heroku gives 30 s between SIGTERM and SIGKILL; keep a margin.
DRAIN_SECONDS = 25.0


def build_bolt(services: Services) -> AsyncApp:
    secret = services.settings.slack_signing_secret
    bolt = AsyncApp(
        client=services.slack,
        signing_secret=secret.get_secret_value() if secret else None,
        # slack_events checks every signature on the raw bytes before Bolt sees the request,
        # and Socket Mode needs none: checking again here only cost CPU.
        request_verification_enabled=False,
        logger=logging.getLogger("slack_bolt"),
    )
    handlers.register(bolt, services)

    @bolt.error
    async def on_error(error: Exception, body: dict[str, Any]) -> BoltResponse:
        if isinstance(error, StoreUnavailable):
            log.error("database_unavailable", error=str(error))
            ack = await database_down(services, body)
            if ack is None:
                return BoltResponse(status=200, body="")
            return BoltResponse(
                status=200, body=json.dumps(ack), headers={"content-type": "application/json"}
            )
        # Otherwise a payload the listener could not read.
        log.error("listener_failed", exc_info=error)
        return BoltResponse(status=400, body="")

    return bolt


def _signed(verifier: SignatureVerifier, body: bytes, request: web.Request) -> bool:
    timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
    signature = request.headers.get("X-Slack-Signature", "")
    if not timestamp.isdigit() or not signature:
        return False
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:  # Slack only sends UTF-8
        return False
    # is_valid also refuses timestamps more than five minutes away.
    return verifier.is_valid(text, timestamp, signature)


async def slack_events(request: web.Request) -> web.StreamResponse:
    body = await request.read()  # bounded by client_max_size: larger is a 413
    verifier: SignatureVerifier | None = request.app.get(VERIFIER)
    if verifier is not None and not _signed(verifier, body, request):
        # Checked before any parsing: a forged or stale request learns nothing.
        EVENTS.labels("unsigned").inc()
        return web.Response(status=401, text="invalid signature")
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(request_id=uuid.uuid4().hex[:12])
    try:
        bolt_request = AsyncBoltRequest(
            body=body.decode("utf-8", errors="replace"),
            query=request.query_string,
            headers=dict(request.headers),
        )
        bolt_response = await request.app[BOLT].async_dispatch(bolt_request)
    except (ValueError, TypeError, KeyError, AttributeError, IndexError) as error:
        log.warning("malformed_request", error=type(error).__name__)
        EVENTS.labels("malformed").inc()
        return web.Response(status=400, text="malformed request")
    if bolt_response.status >= 500:
        EVENTS.labels("malformed").inc()
        return web.Response(status=400, text="malformed request")
    EVENTS.labels("taken" if bolt_response.status < 400 else "refused").inc()
    return await to_aiohttp_response(bolt_response)


async def healthz(request: web.Request) -> web.Response:
    services = request.app.get(SERVICES)
    if services is None or not await services.store.ping():
        return web.json_response({"ok": False, "database": "unreachable"}, status=503)
    return web.json_response({"ok": True})


async def metrics(_: web.Request) -> web.Response:
    return web.Response(body=render(), headers={"Content-Type": CONTENT_TYPE})


def create_app(settings: Settings) -> web.Application:
    app = web.Application(client_max_size=MAX_BODY_BYTES)
    if settings.slack_signing_secret is not None:
        app[VERIFIER] = SignatureVerifier(settings.slack_signing_secret.get_secret_value())

    async def lifecycle(app: web.Application) -> AsyncIterator[None]:
        services = await Services.start(settings)
        app[SERVICES] = services
        app[BOLT] = build_bolt(services)
        purge = asyncio.create_task(purge_forever(services.store, settings.audit_retention_days))
        log.info("ready", database="sqlite" if settings.is_sqlite else "postgresql")
        yield
        # Wait for the purge to let go of its connection before the engine is disposed.
        purge.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await purge
        await services.stop()

    async def drain(app: web.Application) -> None:
        services = app.get(SERVICES)
        if services is not None and services.flows.count:
            log.info("draining", in_flight=services.flows.count)
            finished = await services.flows.drain(DRAIN_SECONDS)
            log.info("drained" if finished else "drain_timed_out", in_flight=services.flows.count)

    app.cleanup_ctx.append(lifecycle)
    app.on_shutdown.append(drain)
    app.router.add_post("/slack/events", slack_events)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    return app


def run(settings: Settings, **kwargs: Any) -> None:
    web.run_app(
        create_app(settings),
        port=settings.port,
        access_log=None,
        print=None,
        shutdown_timeout=DRAIN_SECONDS,
        **kwargs,
    )
