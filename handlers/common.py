"""What every listener does the same way: who is asking, replying privately, opening modals."""

from __future__ import annotations

from typing import Any

import structlog
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.errors import SlackApiError

from bot import blocks, texts
from bot.blocks import Message
from bot.delivery import deliver
from bot.identity import Requester, is_foreign, requester
from bot.logs import get_logger
from bot.services import Services

log = get_logger(__name__)


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
