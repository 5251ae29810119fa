"""What every listener does the same way: who is asking, replying privately, opening modals."""

from __future__ import annotations

import asyncio
from typing import Any

import structlog
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.errors import SlackApiError

from bot import blocks, linking, texts
from bot.blocks import AUTHCODE_BLOCK, LINK_CALLBACK, Message, ModalContext
from bot.delivery import deliver
from bot.identity import MalformedPayload, Requester, is_foreign, requester
from bot.logs import get_logger
from bot.services import Services

log = get_logger(__name__)

# views.open must follow the command within Slack's 3-second trigger window.
SSO_DEADLINE_SECONDS = 2.0


def text_field(body: dict[str, Any], key: str) -> str | None:
    value = body.get(key)
    return value if isinstance(value, str) else None


def identify(
    body: dict[str, Any], context: AsyncBoltContext, action: str
) -> tuple[Requester, bool]:
    """The requester, and whether they belong to another organisation."""
    who = requester(body)
    structlog.contextvars.bind_contextvars(team=who.team_id, user=who.user_id, action=action)
    installed = context.authorize_result.team_id if context.authorize_result else None
    return who, is_foreign(who, installed)


async def acknowledge(
    services: Services, ack: Any, body: dict[str, Any], context: AsyncBoltContext, action: str
) -> tuple[Requester, str | None] | None:
    """Ack first, then identify; a user from another organisation is told so and gets None."""
    await ack()
    who, foreign = identify(body, context, action)
    response_url = text_field(body, "response_url")
    if foreign:
        await reply(services, response_url, who.user_id, blocks.notice(texts.FOREIGN_USER))
        return None
    return who, response_url


async def database_down(services: Services, body: dict[str, Any]) -> dict[str, Any] | None:
    """The database failed a listener: say so privately. Returns the modal's ack, if any."""
    view = body.get("view")
    if body.get("type") == "view_submission" and isinstance(view, dict):
        if view.get("callback_id") == LINK_CALLBACK:  # still open: the error shows inline
            return {"response_action": "errors", "errors": {AUTHCODE_BLOCK: texts.DATABASE_DOWN}}
        response_url = ModalContext.load(view.get("private_metadata")).response_url
    else:
        response_url = text_field(body, "response_url")
    try:
        who = requester(body)
    except MalformedPayload:
        return None
    await reply(services, response_url, who.user_id, blocks.notice(texts.DATABASE_DOWN))
    return None


async def reply(
    services: Services, response_url: str | None, user_id: str, message: Message
) -> bool:
    return await deliver(services.http, services.slack, response_url, user_id, message)


async def open_modal(
    services: Services,
    trigger_id: Any,
    view: dict[str, Any],
    response_url: str | None,
    user_id: str,
    command: str,
) -> bool:
    """views.open; when Slack refuses (an expired trigger, say) the agent is told privately."""
    if not isinstance(trigger_id, str):
        log.warning("no_trigger_id")
        return False
    try:
        await services.slack.views_open(trigger_id=trigger_id, view=view)
    except SlackApiError as error:
        log.warning("views_open_failed", error=error.response.get("error"))
    except (OSError, TimeoutError) as error:
        log.warning("views_open_failed", error=type(error).__name__)
    else:
        return True
    await reply(
        services, response_url, user_id, blocks.notice(texts.OPEN_FAILED.format(command=command))
    )
    return False


async def ready_to_request(services: Services, who: Requester, response_url: str | None) -> bool:
    """Linked already, or linked now by SSO; otherwise the agent is told how to link."""
    if await services.store.is_linked(who.team_id, who.user_id):
        return True
    if not services.settings.sso_enabled:
        await reply(services, response_url, who.user_id, blocks.not_linked_message(who.user_id))
        return False
    try:
        sso = await asyncio.wait_for(
            linking.link_sso(services, who.team_id, who.user_id), SSO_DEADLINE_SECONDS
        )
    except TimeoutError:
        return True  # open the modal anyway; the submit tries SSO again
    if not sso.linked:
        text = texts.SSO_FAILED.format(reason=sso.reason)
        await reply(
            services, response_url, who.user_id, blocks.not_linked_message(who.user_id, text)
        )
    return sso.linked


async def open_pin_modal(
    services: Services,
    trigger_id: Any,
    modal: ModalContext,
    user_id: str,
    prefill: dict[str, str] | None = None,
    notes: dict[str, str] | None = None,
) -> bool:
    settings = services.settings
    view = blocks.pin_modal(modal, settings.rescue_fields, settings.label, prefill, notes)
    command = texts.COMMAND[modal.kind]
    return await open_modal(services, trigger_id, view, modal.response_url, user_id, command)
