"""Buttons on the app's messages."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext

from bot import blocks, texts
from bot.blocks import LINK_OPEN_ACTION, ModalContext
from bot.rescue import Kind
from bot.services import Services
from handlers.common import identify, open_modal, reply


def register(app: AsyncApp, services: Services) -> None:
    @app.action(LINK_OPEN_ACTION)
    async def link_again(ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
        await ack()
        who, foreign = identify(body, context, "link")
        response_url = (
            body.get("response_url") if isinstance(body.get("response_url"), str) else None
        )
        if foreign:
            await reply(services, response_url, who.user_id, blocks.notice(texts.FOREIGN_USER))
            return
        view = blocks.link_modal(ModalContext(Kind.RESCUE, response_url, who.channel_id))
        await open_modal(
            services, body.get("trigger_id"), view, response_url, who.user_id, "/rescue-pin link"
        )
