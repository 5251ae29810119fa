"""OAuth installation (SLACK_CLIENT_ID/SLACK_CLIENT_SECRET set): Bolt's AsyncOAuthFlow on
GET /slack/install and GET /slack/oauth_redirect, with the app's own pages and stores.

The pages load nothing from anywhere else and say, in the app's words, what happened; the
state is checked by Bolt (the cookie set on /slack/install must come back with the state,
and the state must be one this app issued and nobody used yet).
"""

from __future__ import annotations

import html
import logging
import time
from collections.abc import Awaitable, Callable

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.async_authorize import AsyncInstallationStoreAuthorize
from slack_bolt.oauth.async_callback_options import (
    AsyncCallbackOptions,
    AsyncFailureArgs,
    AsyncSuccessArgs,
)
from slack_bolt.oauth.async_oauth_flow import AsyncOAuthFlow
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.oauth import OAuthStateUtils
from slack_sdk.oauth.token_rotation.async_rotator import AsyncTokenRotator
from slack_sdk.web.async_client import AsyncWebClient

from bot.installs import texts
from bot.installs.pages import INSTALL_PATH, REDIRECT_PATH, STYLE
from bot.installs.states import DatabaseOAuthStateStore
from bot.installs.store import DatabaseInstallationStore
from bot.logs import get_logger, scrub

log = get_logger(__name__)

# The bot scopes manifest.yml asks for (a test holds them equal).
BOT_SCOPES = ("commands", "chat:write", "users:read", "users:read.email")
STATE_SECONDS = 600
# Rotated tokens live 12 hours; refresh when less than this is left.
ROTATE_MINUTES_BEFORE = 120

# Slack's auth.test answer for a token is kept this long, for at most this many tokens
# (RecentlyAuthorized).
AUTHORIZED_SECONDS = 300.0
AUTHORIZED_TOKENS_KEPT = 1000

_STATE = OAuthStateUtils(expiration_seconds=STATE_SECONDS)
_HTML = {"Content-Type": "text/html; charset=utf-8"}


def page(title: str, body_html: str) -> str:
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{html.escape(title)}</title><link rel='icon' href='data:,'>"
        f"<style>{STYLE}</style></head>"
        f"<body><h1>{html.escape(title)}</h1>{body_html}</body></html>"
    )


def install_page(url: str) -> str:
    return page(
        texts.INSTALL_TITLE,
        f"<p>{html.escape(texts.INSTALL_INTRO)}</p>"
        f"<p><a class='add' id='add-to-slack' href='{html.escape(url)}'>"
        f"{html.escape(texts.INSTALL_BUTTON)}</a></p>",
    )


class RescueOAuthFlow(AsyncOAuthFlow):
    """Bolt's flow with the app's install page (no image fetched from elsewhere)."""

    async def build_install_page_html(self, url: str, request: AsyncBoltRequest) -> str:
        return install_page(url)


# Given an org-wide install's enterprise ID and new token, learns and keeps its workspaces
# (bot.runtime.Runtime.learn_organisation).
LearnOrganisation = Callable[[str, str], Awaitable[None]]


def _on_success(
    learn: LearnOrganisation | None,
) -> Callable[[AsyncSuccessArgs], Awaitable[BoltResponse]]:
    async def success(args: AsyncSuccessArgs) -> BoltResponse:
        installation = args.installation
        enterprise, token = installation.enterprise_id, installation.bot_token
        if learn is not None and installation.is_enterprise_install and enterprise and token:
            # Its workspaces, in the database from the start: whatever they linked under
            # their own keys is found by an uninstall, whenever and wherever it comes.
            await learn(enterprise, token)
        return await _success(args)

    return success


async def _success(args: AsyncSuccessArgs) -> BoltResponse:
    installation = args.installation
    org_wide = bool(installation.is_enterprise_install)
    where = installation.enterprise_name if org_wide else installation.team_name
    log.info(
        "installed",
        enterprise=installation.enterprise_id,
        team=installation.team_id,
        org_wide=org_wide,
    )
    text = texts.INSTALLED_ORG if org_wide else texts.INSTALLED_WORKSPACE
    body = f"<p id='installed'>{html.escape(text.format(name=where or '?'))}</p>"
    return BoltResponse(
        status=200,
        headers={**_HTML, "Set-Cookie": _STATE.build_set_cookie_for_deletion()},
        body=page(texts.INSTALLED_TITLE, body),
    )


async def _failure(args: AsyncFailureArgs) -> BoltResponse:
    log.warning("install_failed", reason=args.reason, status=args.suggested_status_code)
    reason = texts.INSTALL_REASONS.get(args.reason, texts.INSTALL_REASON_SLACK)
    body = (
        f"<p id='install-failed'>{html.escape(reason)}</p>"
        f"<p><a href='{INSTALL_PATH}'>{html.escape(texts.INSTALL_AGAIN)}</a></p>"
    )
    return BoltResponse(
        status=args.suggested_status_code,
        headers={**_HTML, "Set-Cookie": _STATE.build_set_cookie_for_deletion()},
        body=page(texts.INSTALL_FAILED_TITLE, body),
    )


class _Scrubbed(logging.Filter):
    """Bolt's flow logs the one-time code when Slack refuses it: scrubbed before any handler
    (ours or anyone's) sees the record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = scrub(record.getMessage()), None
        return True


def build_flow(
    *,
    client_id: str,
    client_secret: str,
    authorization_url: str,
    installations: DatabaseInstallationStore,
    states: DatabaseOAuthStateStore,
    client: AsyncWebClient,
    learn: LearnOrganisation | None = None,
) -> RescueOAuthFlow:
    logger = logging.getLogger("slack_bolt.oauth")
    if not any(isinstance(f, _Scrubbed) for f in logger.filters):
        logger.addFilter(_Scrubbed())
    settings = AsyncOAuthSettings(
        client_id=client_id,
        client_secret=client_secret,
        scopes=list(BOT_SCOPES),
        user_scopes=[],
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        authorization_url=authorization_url,
        installation_store=installations,
        token_rotation_expiration_minutes=ROTATE_MINUTES_BEFORE,
        state_store=states,
        state_expiration_seconds=STATE_SECONDS,
        callback_options=AsyncCallbackOptions(success=_on_success(learn), failure=_failure),
        logger=logger,
    )
    # Bolt's authorizer makes its token rotator a client of its own, pointed at slack.com
    # whatever SLACK_API_URL says: rotation goes through ours instead.
    authorize = settings.authorize
    if isinstance(authorize, AsyncInstallationStoreAuthorize):
        authorize.token_rotator = AsyncTokenRotator(
            client_id=client_id, client_secret=client_secret, client=client
        )
        # Bolt asks Slack's auth.test on every request, before the ack: a round trip to Slack
        # each time. The answer is kept a few minutes per token; the installation is still
        # looked up on every request, so an uninstalled workspace (its tokens deleted) is
        # refused at once all the same.
        authorize.cache_enabled = True
        authorize.authorize_result_cache = RecentlyAuthorized()
    return RescueOAuthFlow(client=client, logger=logger, settings=settings)


class RecentlyAuthorized(dict[str, AuthorizeResult]):
    """Bolt's authorize cache (it asks `token in cache`, then reads `cache[token]`), bounded
    in time and size.

    An answer older than AUTHORIZED_SECONDS counts as missing, so Slack is asked again: a
    token revoked without the app hearing of it (a tokens_revoked event lost) is refused
    again within that time, as are scopes changed under the same token. The oldest token
    goes first past AUTHORIZED_TOKENS_KEPT: rotated tokens are never asked for again."""

    def __init__(self) -> None:
        super().__init__()
        self._asked: dict[str, float] = {}

    def __contains__(self, token: object) -> bool:
        if not isinstance(token, str) or (asked := self._asked.get(token)) is None:
            return False
        if time.monotonic() - asked >= AUTHORIZED_SECONDS:
            self._forget(token)
            return False
        return True

    def __setitem__(self, token: str, result: AuthorizeResult) -> None:
        self._forget(token)  # a fresh answer goes to the back of the queue
        super().__setitem__(token, result)
        self._asked[token] = time.monotonic()
        if len(self) > AUTHORIZED_TOKENS_KEPT:
            self._forget(next(iter(self)))

    def _forget(self, token: str) -> None:
        self.pop(token, None)
        self._asked.pop(token, None)


def _bolt_request(request: web.Request) -> AsyncBoltRequest:
    return AsyncBoltRequest(
        body="", query=request.query_string, headers=dict(request.headers), mode="http"
    )


async def install(flow: AsyncOAuthFlow, request: web.Request) -> web.StreamResponse:
    return await to_aiohttp_response(await flow.handle_installation(_bolt_request(request)))


async def redirect(flow: AsyncOAuthFlow, request: web.Request) -> web.StreamResponse:
    return await to_aiohttp_response(await flow.handle_callback(_bolt_request(request)))
