"""The Share button under a PIN: one explicit click posts it into the conversation."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext

from bot.pins import messages
from bot.sharing import share as sharing
from handlers.listening import acknowledge, button_value


async def share(ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
    asker = await acknowledge(ack, body, context, "share")
    if asker is None or asker.response_url is None:
        return
    problem = await sharing.share(asker.runtime, asker.who, button_value(body), asker.response_url)
    if problem:
        await asker.deliver(messages.notice(problem))
