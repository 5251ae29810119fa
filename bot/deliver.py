"""Getting a private message to the agent: the command's response_url, else a DM."""

from __future__ import annotations

import asyncio
import random
from typing import Any

import aiohttp
import orjson
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import texts
from bot.logs import get_logger
from bot.metrics import DELIVERIES, SLACK_API_ERRORS
from bot.runtime import Runtime

log = get_logger(__name__)


# A response_url answering 429 is tried again after its Retry-After (slack_sdk's rate-limit
# handler's rule: the header's seconds plus up to one, or one to two without the header).
RESPONSE_URL_RETRIES = 2
RESPONSE_URL_TIMEOUT = aiohttp.ClientTimeout(total=10)
_JSON = {"Content-Type": "application/json;charset=utf-8"}


async def to_response_url(
    session: aiohttp.ClientSession, response_url: str, message: dict[str, Any]
) -> bool:
    """One POST on the process's session. slack_sdk's webhook client did the same with a
    client object, a retry state and debug logging per call: 0.1 ms of CPU per PIN."""
    body = orjson.dumps(message)
    for attempt in range(RESPONSE_URL_RETRIES + 1):
        try:
            async with session.post(
                response_url, data=body, headers=_JSON, timeout=RESPONSE_URL_TIMEOUT
            ) as response:
                status = response.status
                retry_after = response.headers.get("Retry-After")
                await response.read()
        except (aiohttp.ClientError, TimeoutError, OSError) as error:
            log.warning("response_url_unreachable", error=type(error).__name__)
            SLACK_API_ERRORS.labels("response_url", type(error).__name__).inc()
            return False
        if status != 429 or attempt == RESPONSE_URL_RETRIES:
            break
        wait = int(retry_after) if retry_after and retry_after.isdigit() else 1
        await asyncio.sleep(wait + random.random())
    if status != 200:
        log.warning("response_url_refused", status=status)
        SLACK_API_ERRORS.labels("response_url", str(status)).inc()
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
