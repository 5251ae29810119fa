"""The aiohttp web app: Bolt (bot/bolt.py) mounted on /slack/events, beside /healthz, /metrics,
the OAuth pages and Rescue's Post-to-URL.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
from collections.abc import AsyncIterator
from typing import Any

import structlog
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

from bot.audit.export import purge_forever
from bot.bolt import Wiring, build_bolt
from bot.config import Settings
from bot.installs import pages
from bot.language import _
from bot.logs import get_logger, new_request_id
from bot.metrics import CONTENT_TYPE, EVENTS, SESSION_POSTS, render
from bot.runtime import Runtime, new_event_loop, settle_heap
from bot.sessions import follow as sessions
from bot.slack import calls as slack_calls
from bot.slack import texts as slack_texts

log = get_logger(__name__)

RUNTIME = web.AppKey("runtime", Runtime)
METRICS_TOKEN = web.AppKey("metrics_token", bytes)
BOLT = web.AppKey("bolt", AsyncApp)
VERIFIER = web.AppKey("verifier", SignatureVerifier)
MAX_BODY_BYTES = 1024 * 1024
# Heroku gives 30 s between SIGTERM and SIGKILL; keep a margin.
DRAIN_SECONDS = 25.0


def _signed(verifier: SignatureVerifier, body: bytes, request: web.Request) -> bool:
    timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
    signature = request.headers.get("X-Slack-Signature", "")
    # ASCII digits only: "²".isdigit() is True, and int("²") (in is_valid) would raise.
    if not (timestamp.isascii() and timestamp.isdigit()) or not signature:
        return False
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:  # Slack only sends UTF-8
        return False
    # is_valid also refuses timestamps more than five minutes away.
    return verifier.is_valid(text, timestamp, signature)


async def slack_events(request: web.Request) -> web.StreamResponse:
    slack_calls.mark_arrival()  # a trigger_id lives 3 seconds from here
    body = await request.read()  # bounded by client_max_size: larger is a 413
    verifier: SignatureVerifier | None = request.app.get(VERIFIER)
    if verifier is not None and not _signed(verifier, body, request):
        # Checked before any parsing: a forged or stale request learns nothing.
        EVENTS.labels("unsigned").inc()
        return web.Response(status=401, text="invalid signature")
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(request_id=new_request_id())
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
    except Exception as error:
        # Before any listener ran: Bolt's own auth.test could not reach Slack, say. A slash
        # command shows this body to the agent; Slack drops it for anything else.
        log.error("dispatch_failed", exc_info=error)
        EVENTS.labels("failed").inc()
        return web.Response(text=_(slack_texts.SLACK_UNAVAILABLE))
    if bolt_response.status >= 500:
        EVENTS.labels("malformed").inc()
        return web.Response(status=400, text="malformed request")
    EVENTS.labels("taken" if bolt_response.status < 400 else "refused").inc()
    return await to_aiohttp_response(bolt_response)


async def slack_install(request: web.Request) -> web.StreamResponse:
    bolt = request.app[BOLT]
    if bolt.oauth_flow is None:
        raise web.HTTPNotFound()
    from bot.installs import oauth  # loaded by build_bolt when OAuth is configured

    return await oauth.install(bolt.oauth_flow, request)


async def slack_oauth_redirect(request: web.Request) -> web.StreamResponse:
    bolt = request.app[BOLT]
    if bolt.oauth_flow is None:
        raise web.HTTPNotFound()
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(request_id=new_request_id())
    from bot.installs import oauth

    return await oauth.redirect(bolt.oauth_flow, request)


async def healthz(request: web.Request) -> web.Response:
    runtime = request.app.get(RUNTIME)
    if runtime is None or not await runtime.store.ping():
        return web.json_response({"ok": False, "database": "unreachable"}, status=503)
    return web.json_response({"ok": True})


async def metrics(request: web.Request) -> web.Response:
    token = request.app.get(METRICS_TOKEN)
    if token is not None and not _bearer_matches(request.headers.get("Authorization", ""), token):
        return web.Response(
            status=401, text="unauthorized", headers={"WWW-Authenticate": 'Bearer realm="metrics"'}
        )
    return web.Response(body=render(), headers={"Content-Type": CONTENT_TYPE})


def _bearer_matches(header: str, token: bytes) -> bool:
    scheme, _, given = header.strip().partition(" ")
    # Compared in constant time: how long a wrong guess took says nothing about the token.
    return scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode("utf-8", "surrogatepass"), token
    )


async def rescue_sessions(request: web.Request) -> web.StreamResponse:
    """Rescue's Post-to-URL. The token in the path is the only thing that tells a post from
    Rescue from anyone's (Rescue signs nothing): checked before the body is read."""
    runtime = request.app.get(RUNTIME)
    token = runtime.settings.rescue_post_token if runtime else None
    given = request.match_info.get("token", "")
    if (
        runtime is None
        or token is None
        or request.method != "POST"
        or not hmac.compare_digest(given.encode(), token.get_secret_value().encode())
    ):
        SESSION_POSTS.labels("refused").inc()
        return web.Response(status=404, text="not found")
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(request_id=new_request_id())
    try:
        body = await request.read()  # bounded by client_max_size
    except web.HTTPRequestEntityTooLarge:
        SESSION_POSTS.labels("refused").inc()
        log.warning("session_post_refused", reason="too large")
        raise
    answer = await sessions.receive(runtime, body, request.headers.get("Content-Type"))
    return web.Response(status=answer.status, text=answer.text)


async def security_headers(_: web.Request, response: web.StreamResponse) -> None:
    """On every answer, the install pages and any error page alike (pages.SECURITY_HEADERS
    says what each refuses a browser); about a microsecond a request."""
    response.headers.update(pages.SECURITY_HEADERS)


def create_app(settings: Settings, wire: Wiring, migrate_apart: bool = False) -> web.Application:
    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app.on_response_prepare.append(security_headers)
    if settings.metrics_token is not None:
        app[METRICS_TOKEN] = settings.metrics_token.get_secret_value().encode()
    if settings.slack_signing_secret is not None:
        app[VERIFIER] = SignatureVerifier(settings.slack_signing_secret.get_secret_value())

    async def lifecycle(app: web.Application) -> AsyncIterator[None]:
        runtime = await Runtime.start(settings, migrate_apart)
        app[RUNTIME] = runtime
        app[BOLT] = build_bolt(runtime, wire)
        purge = asyncio.create_task(purge_forever(runtime.store, settings.audit_retention_days))
        log.info("ready", database="sqlite" if settings.is_sqlite else "postgresql")
        yield
        # Wait for the purge to let go of its connection before the engine is disposed.
        purge.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await purge
        await runtime.stop()

    async def drain(app: web.Application) -> None:
        runtime = app.get(RUNTIME)
        if runtime is not None and runtime.under_way.count:
            log.info("draining", in_flight=runtime.under_way.count)
            finished = await runtime.under_way.drain(DRAIN_SECONDS)
            log.info(
                "drained" if finished else "drain_timed_out", in_flight=runtime.under_way.count
            )

    app.cleanup_ctx.append(lifecycle)
    app.on_shutdown.append(drain)
    app.router.add_post("/slack/events", slack_events)
    if settings.oauth_enabled:  # otherwise these answer 404, as any unknown path does
        app.router.add_get(pages.INSTALL_PATH, slack_install)
        app.router.add_get(pages.REDIRECT_PATH, slack_oauth_redirect)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    if settings.follow_through:
        # Any method, so that a GET learns no more than a wrong token does: 404.
        app.router.add_route("*", "/rescue/sessions/{token}", rescue_sessions)
    return app


async def _settle_heap(_: web.Application) -> None:
    settle_heap()  # after the runtime has started (cleanup_ctx runs first)


def run(settings: Settings, wire: Wiring, **kwargs: Any) -> None:
    app = create_app(settings, wire, migrate_apart=True)
    app.on_startup.append(_settle_heap)
    kwargs.setdefault("loop", new_event_loop())
    web.run_app(
        app,
        port=settings.port,
        access_log=None,
        print=None,
        shutdown_timeout=DRAIN_SECONDS,
        **kwargs,
    )
