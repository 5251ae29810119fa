"""A listener that failed, before its ack or after it: logged once with its traceback, and
a sentence the person sees (the database is down, or something went wrong)."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncBoltContext
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError

from bot.language import _
from bot.linking.modal import AUTHCODE_BLOCK, LINK_CALLBACK
from bot.logs import get_logger
from bot.pins import messages
from bot.pins.modals import ModalState
from bot.runtime import Runtime
from bot.slack import texts as slack_texts
from bot.slack.deliver import deliver
from bot.slack.identity import MalformedPayload, requester
from bot.storage.failures import StoreRefused, StoreUnavailable
from handlers.listening import RUNTIME_KEY, text_field

log = get_logger(__name__)


async def on_error(
    error: Exception,
    body: dict[str, Any],
    context: AsyncBoltContext,
    response: BoltResponse | None,
) -> BoltResponse | None:
    """A listener (or a middleware) failed. Logged here once, with its traceback; the agent
    is told privately.

    Bolt hands `response` None once the listener had acked: Slack has had its answer, and
    returning a BoltResponse then trips Bolt's `assert response is not None`. Before the ack,
    the BoltResponse returned is what Slack gets. This never raises: an error handler that
    fails is a second, unhandled error in a task nobody awaits.
    """
    acked = response is None
    runtime = context.get(RUNTIME_KEY)
    if not acked and isinstance(error, aiohttp.ClientError | TimeoutError | SlackApiError):
        # Bolt's own Slack call before any listener (auth.test): a slash command shows
        # this body to the agent.
        log.error("slack_unreachable_before_ack", exc_info=error)
        return BoltResponse(status=200, body=_(slack_texts.SLACK_UNAVAILABLE))
    if not isinstance(runtime, Runtime):
        log.error("listener_failed", exc_info=error)
        return None if acked else BoltResponse(status=400, body="")
    if isinstance(error, StoreUnavailable):
        log.error("database_unavailable", error=str(error))
        inline = await _tell_safely(runtime, body, _(slack_texts.DATABASE_DOWN), acked)
    elif isinstance(error, StoreRefused):  # a write's data, not an outage: where, never what
        log.error("store_refused", table=error.table, column=error.column, code=error.code)
        inline = await _tell_safely(runtime, body, _(slack_texts.STORE_REFUSED), acked)
    elif isinstance(error, MalformedPayload) or not acked:
        # A payload the listener could not read, or no ack yet: Slack shows its own error.
        log.error("listener_failed", exc_info=error)
        return None if acked else BoltResponse(status=400, body="")
    else:
        log.error("listener_failed", exc_info=error)
        inline = await _tell_safely(runtime, body, _(slack_texts.LISTENER_FAILED), acked)
    if acked:
        return None
    if inline is None:
        return BoltResponse(status=200, body="")
    return BoltResponse(
        status=200, body=json.dumps(inline), headers={"content-type": "application/json"}
    )


async def _tell_safely(
    runtime: Runtime, body: dict[str, Any], text: str, acked: bool
) -> dict[str, Any] | None:
    try:
        return await tell_failure(runtime, body, text, acked)
    except Exception as error:  # a second failure must not hide the first
        log.error("failure_not_told", error=type(error).__name__)
        return None


async def tell_failure(
    runtime: Runtime, body: dict[str, Any], text: str, acked: bool
) -> dict[str, Any] | None:
    """Say `text` privately. Returns the modal's ack instead while the link modal is still
    open (not acked), so the sentence shows inline."""
    view = body.get("view")
    if body.get("type") == "view_submission" and isinstance(view, dict):
        if view.get("callback_id") == LINK_CALLBACK and not acked:
            return {"response_action": "errors", "errors": {AUTHCODE_BLOCK: text}}
        response_url = ModalState.load(view.get("private_metadata")).response_url
    else:
        response_url = text_field(body, "response_url")
    try:
        who = requester(body)
    except MalformedPayload:
        return None
    await deliver(runtime, response_url, who.user_id, messages.notice(text))
    return None
