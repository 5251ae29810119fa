"""The Post button under a session's summary: one explicit click posts it (never the chat)
into the conversation where the PIN was requested. Rescue's posts arrive at bot.web."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext

from bot.pins import messages
from bot.sessions import follow as sessions
from handlers.listening import acknowledge, button_value


async def post_summary(ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
    asker = await acknowledge(ack, body, context, "post_summary")
    if asker is None:
        return
    problem = await sessions.post_summary(
        asker.runtime, asker.who, button_value(body), asker.response_url
    )
    if problem:
        await asker.deliver(messages.notice(problem))
