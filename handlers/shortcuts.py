"""The message shortcut ("Rescue PIN for this message") and the global shortcut."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext

from bot import blocks, forms, linking, texts
from bot.blocks import ModalContext
from bot.rescue import Kind
from bot.services import Services
from handlers.common import identify, open_pin_modal, ready_to_request, reply, text_field

MESSAGE_SHORTCUT = "pin_from_message"
GLOBAL_SHORTCUT = "pin_global"


def register(app: AsyncApp, services: Services) -> None:
    @app.shortcut(MESSAGE_SHORTCUT)
    async def from_message(ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
        await ack()
        who, foreign = identify(body, context, "shortcut")
        response_url = text_field(body, "response_url")
        if foreign:
            await reply(services, response_url, who.user_id, blocks.notice(texts.FOREIGN_USER))
            return
        if not await ready_to_request(services, who, response_url):
            return
        message = body.get("message")
        message = message if isinstance(message, dict) else {}
        author = message.get("user")
        info = await linking.user_info(services, author) if isinstance(author, str) else None
        prefill, notes = forms.message_prefill(
            forms.display_name(info),
            text_field(message, "text") or "",
            services.settings.rescue_description_field,
        )
        modal = ModalContext(Kind.RESCUE, response_url, who.channel_id)
        await open_pin_modal(services, body.get("trigger_id"), modal, who.user_id, prefill, notes)

    @app.shortcut(GLOBAL_SHORTCUT)
    async def from_anywhere(ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
        await ack()
        who, foreign = identify(body, context, "shortcut")
        if foreign:
            await reply(services, None, who.user_id, blocks.notice(texts.FOREIGN_USER))
            return
        # A global shortcut has no conversation: the PIN comes by DM.
        if await ready_to_request(services, who, None):
            await open_pin_modal(
                services, body.get("trigger_id"), ModalContext(Kind.RESCUE), who.user_id
            )
