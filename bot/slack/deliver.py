"""Getting a private message to the agent: the command's response_url, else a DM.

Both go through bot.slack.calls, so each has its timeout and its retries, and a failure of
any kind is an answer here (False), never an exception.
"""

from __future__ import annotations

from typing import Any, Protocol

import aiohttp
from slack_sdk.web.async_client import AsyncWebClient

from bot.language import _
from bot.metrics import DELIVERIES
from bot.slack import calls as slack_calls
from bot.slack import policies as slack_policies
from bot.slack import texts
from bot.slack.policies import Policy, SlackResult


async def to_response_url(
    session: aiohttp.ClientSession,
    response_url: str,
    message: dict[str, Any],
    policy: Policy = slack_policies.RESPONSE_URL,
) -> SlackResult:
    return await slack_calls.post_to_response_url(session, response_url, message, policy)


async def to_dm(client: AsyncWebClient, user_id: str, message: dict[str, Any], note: bool) -> bool:
    text = message.get("text", "")
    blocks = list(message.get("blocks", []))
    if note:
        blocks.append(
            {"type": "context", "elements": [{"type": "mrkdwn", "text": _(texts.DM_FALLBACK_NOTE)}]}
        )
    sent = await slack_calls.call(
        client, "chat.postMessage", channel=user_id, text=text, blocks=blocks
    )
    return sent.ok


class Reaches(Protocol):
    """What delivering needs of the process's runtime: its HTTP session and Slack client."""

    http: aiohttp.ClientSession
    slack: AsyncWebClient


async def deliver(
    runtime: Reaches, response_url: str | None, user_id: str, message: dict[str, Any]
) -> bool:
    """Private to `user_id`, never public: response_url first, then a DM."""
    if response_url and (await to_response_url(runtime.http, response_url, message)).ok:
        DELIVERIES.labels("response_url").inc()
        return True
    sent = await to_dm(runtime.slack, user_id, message, note=bool(response_url))
    DELIVERIES.labels("dm" if sent else "failed").inc()
    return sent
