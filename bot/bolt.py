"""The Bolt app: how it is built, authorizes, and reaches Slack within a request's 3 seconds.

The core knows no listener: whoever starts the app hands in `wire` (handlers.register),
which puts the listeners on the Bolt app. bot/web.py mounts it over HTTP, bot/socket_mode.py
over Socket Mode.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from bot.installs.tenancy import request_token
from bot.language import _
from bot.runtime import Runtime
from bot.slack import calls as slack_calls
from bot.slack import texts as slack_texts

if TYPE_CHECKING:
    from slack_bolt.oauth.async_oauth_flow import AsyncOAuthFlow

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
        # Named: unnamed, Bolt names it after its caller's file with inspect.stack(), which
        # reads the source of every frame (~50 ms of a start).
        name="rescue-pin",
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
        user_facing_authorize_error_message=_(slack_texts.SLACK_UNAVAILABLE)
        if flow is None
        else None,
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
    from bot.installs import oauth  # Bolt's OAuth flow: loaded only when configured

    return oauth.build_flow(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret.get_secret_value(),
        authorization_url=settings.slack_authorize_url,
        installations=runtime.installations,
        states=runtime.oauth_states,
        client=runtime.oauth_client,
        learn=runtime.learn_organisation,
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
