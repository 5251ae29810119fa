"""Getting a private message to the agent: the command's response_url, else a DM."""

from __future__ import annotations

from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot import texts
from bot.logs import get_logger
from bot.metrics import DELIVERIES, SLACK_API_ERRORS
from bot.runtime import Runtime

log = get_logger(__name__)


async def to_response_url(
    session: aiohttp.ClientSession, response_url: str, message: dict[str, Any]
) -> bool:
    webhook = AsyncWebhookClient(
        response_url,
        session=session,
        timeout=10,
        retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=2)],
    )
    try:
        response = await webhook.send_dict(message)
    except (aiohttp.ClientError, TimeoutError, OSError) as error:
        log.warning("response_url_unreachable", error=type(error).__name__)
        SLACK_API_ERRORS.labels("response_url", type(error).__name__).inc()
        return False
    if response.status_code != 200:
        log.warning("response_url_refused", status=response.status_code)
        SLACK_API_ERRORS.labels("response_url", str(response.status_code)).inc()
        return False
    return True


async def to_dm(client: AsyncWebClient, user_id: str, message: dict[str, Any], note: bool) -> bool:
    text = message.get("text", "")
    blocks = list(message.get("blocks", []))
    if note:
        blocks.append(
            {"type": "context", "elements": [{"type": "mrkdwn", "text": texts.DM_FALLBACK_NOTE}]}
        )
    try:
        await client.chat_postMessage(channel=user_id, text=text, blocks=blocks)
    except SlackApiError as error:
        log.error("dm_failed", error=error.response.get("error"))
        return False
    except (aiohttp.ClientError, TimeoutError, OSError) as error:
        log.error("dm_failed", error=type(error).__name__)
        return False
    return True


async def deliver(
    runtime: Runtime, response_url: str | None, user_id: str, message: dict[str, Any]
) -> bool:
    """Private to `user_id`, never public: response_url first, then a DM."""
    if response_url and await to_response_url(runtime.http, response_url, message):
        DELIVERIES.labels("response_url").inc()
        return True
    sent = await to_dm(runtime.slack, user_id, message, note=bool(response_url))
    DELIVERIES.labels("dm" if sent else "failed").inc()
    return sent
