"""The aiohttp web app: Bolt mounted on /slack/events, beside /healthz and /metrics.

The core knows no listener: whoever starts the app hands in `wire` (handlers.register),
which puts the listeners on the Bolt app.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import structlog
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.oauth.async_oauth_flow import AsyncOAuthFlow
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from bot import texts
from bot.audit.export import purge_forever
from bot.config import Settings
from bot.installs import oauth
from bot.installs.tenancy import request_token
from bot.logs import get_logger, new_request_id
from bot.metrics import CONTENT_TYPE, EVENTS, SESSION_POSTS, render
from bot.runtime import Runtime, new_event_loop, settle_heap
from bot.sessions import follow as sessions
from bot.slack import calls as slack_calls

log = get_logger(__name__)

RUNTIME = web.AppKey("runtime", Runtime)
BOLT = web.AppKey("bolt", AsyncApp)
VERIFIER = web.AppKey("verifier", SignatureVerifier)
MAX_BODY_BYTES = 1024 * 1024
# Heroku gives 30 s between SIGTERM and SIGKILL; keep a margin.
DRAIN_SECONDS = 25.0


# Puts the listeners (and their error handler) on a Bolt app: handlers.register.
Wiring = Callable[[AsyncApp, Runtime], None]


class _ClientWins(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN from the environment itself and warns, at every start, that
    the client handed to it wins. That client is the point (timeouts, the per-request token):
    the warning is noise, so only that one line is dropped."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != warning_client_prioritized_and_token_skipped()


BOLT_LOGGER = logging.getLogger("slack_bolt")
BOLT_LOGGER.addFilter(_ClientWins())


def build_bolt(runtime: Runtime, wire: Wiring, oauth_install: bool = True) -> AsyncApp:
    """`oauth_install=False` (Socket Mode): one installation, the SLACK_BOT_TOKEN's."""
    secret = runtime.settings.slack_signing_secret
    flow = oauth_flow(runtime) if oauth_install else None
    bolt = AsyncApp(
        client=runtime.slack,
        signing_secret=secret.get_secret_value() if secret else None,
        # slack_events checks every signature on the raw bytes before Bolt sees the request,
        # and Socket Mode needs none: checking again here only cost CPU.
        request_verification_enabled=False,
        # Every listener is handlers.acks.answering(...), which returns the moment its
        # listener acks and lets it carry on: Bolt then sends the ack at once, instead of
        # looking every 10 ms whether one was made.
        process_before_response=True,
        logger=BOLT_LOGGER,
        # One installation: shown when auth.test fails, where Bolt's own words would ask to
        # install the app again. With OAuth, no installation found is what those words mean.
        user_facing_authorize_error_message=texts.SLACK_UNAVAILABLE if flow is None else None,
        oauth_flow=flow,
        before_authorize=BoundedClient(),
    )
    if flow is not None:
        bolt.use(use_installation_token)
    wire(bolt, runtime)
    return bolt


def oauth_flow(runtime: Runtime) -> AsyncOAuthFlow | None:
    """With SLACK_CLIENT_ID/SECRET: Bolt's OAuth flow over the app's own stores."""
    settings = runtime.settings
    if (
        not settings.oauth_enabled
        or runtime.installations is None
        or runtime.oauth_states is None
        or runtime.oauth_client is None
        or settings.slack_client_id is None
        or settings.slack_client_secret is None
    ):
        return None
    return oauth.build_flow(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret.get_secret_value(),
        authorization_url=settings.slack_authorize_url,
        installations=runtime.installations,
        states=runtime.oauth_states,
        client=runtime.oauth_client,
    )


# Bolt's own calls run before any ack (auth.test while it authorizes), and Slack gives the
# whole request 3 seconds.
BOLT_CALL_SECONDS = 2.5


class BoundedClient(AsyncMiddleware):
    """Bolt builds a plain AsyncWebClient for every request (`AsyncApp._init_context`) and
    authorizes with it: auth.test, in OAuth mode once per token (bot.installs.oauth keeps the
    answer).
    On the process's shared session that client waits up to aiohttp's 300 s default. This
    swaps in a SlackClient with the same token, session and headers, and a timeout; Bolt sets
    tokens on whatever client the context holds, so the step's own token and the
    installation's land on this one."""

    async def async_process(
        self,
        *,
        req: AsyncBoltRequest,
        resp: BoltResponse,
        next: Callable[[], Awaitable[BoltResponse]],  # noqa: A002 (Bolt's name)
    ) -> BoltResponse:
        req.context["client"] = bounded(req.context.client)
        return await next()


def bounded(plain: AsyncWebClient) -> slack_calls.SlackClient:
    """A SlackClient with the plain client's state: token, team_id, session, headers, proxy.

    Copied, not built: building one reads four proxy variables from the environment and
    builds the User-Agent again, twice a flow's worth of CPU that Bolt's own client had
    just spent."""
    client = object.__new__(slack_calls.SlackClient)
    client.__dict__.update(vars(plain))
    client.default_params = dict(plain.default_params)  # team_id: this request's own
    client.retry_handlers = []  # bot.slack.calls retries, knowing which calls may repeat
    client.call_timeout = BOLT_CALL_SECONDS
    return client


async def use_installation_token(
    context: AsyncBoltContext,
    next: Callable[[], Awaitable[BoltResponse]],  # noqa: A002
) -> BoltResponse:
    """Every Web API call for this request (and the tasks it starts) uses the token of the
    installation Bolt authorized it with."""
    request_token.set(context.token or context.bot_token)
    return await next()


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
        return web.Response(text=texts.SLACK_UNAVAILABLE)
    if bolt_response.status >= 500:
        EVENTS.labels("malformed").inc()
        return web.Response(status=400, text="malformed request")
    EVENTS.labels("taken" if bolt_response.status < 400 else "refused").inc()
    return await to_aiohttp_response(bolt_response)


async def slack_install(request: web.Request) -> web.StreamResponse:
    bolt = request.app[BOLT]
    if bolt.oauth_flow is None:
        raise web.HTTPNotFound()
    return await oauth.install(bolt.oauth_flow, request)


async def slack_oauth_redirect(request: web.Request) -> web.StreamResponse:
    bolt = request.app[BOLT]
    if bolt.oauth_flow is None:
        raise web.HTTPNotFound()
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(request_id=new_request_id())
    return await oauth.redirect(bolt.oauth_flow, request)


async def healthz(request: web.Request) -> web.Response:
    runtime = request.app.get(RUNTIME)
    if runtime is None or not await runtime.store.ping():
        return web.json_response({"ok": False, "database": "unreachable"}, status=503)
    return web.json_response({"ok": True})


async def metrics(_: web.Request) -> web.Response:
    return web.Response(body=render(), headers={"Content-Type": CONTENT_TYPE})


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


def create_app(settings: Settings, wire: Wiring) -> web.Application:
    app = web.Application(client_max_size=MAX_BODY_BYTES)
    if settings.slack_signing_secret is not None:
        app[VERIFIER] = SignatureVerifier(settings.slack_signing_secret.get_secret_value())

    async def lifecycle(app: web.Application) -> AsyncIterator[None]:
        runtime = await Runtime.start(settings)
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
        app.router.add_get(oauth.INSTALL_PATH, slack_install)
        app.router.add_get(oauth.REDIRECT_PATH, slack_oauth_redirect)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    if settings.follow_through:
        # Any method, so that a GET learns no more than a wrong token does: 404.
        app.router.add_route("*", "/rescue/sessions/{token}", rescue_sessions)
    return app


async def _settle_heap(_: web.Application) -> None:
    settle_heap()  # after the runtime has started (cleanup_ctx runs first)


def run(settings: Settings, wire: Wiring, **kwargs: Any) -> None:
    app = create_app(settings, wire)
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
