"""The message shortcut ("Rescue PIN for this message") and the global shortcut."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext

from bot import forms, linking
from bot.blocks import ModalContext
from bot.rescue import Kind
from bot.services import Services
from handlers.common import acknowledge, open_pin_modal, ready_to_request, text_field

MESSAGE_SHORTCUT = "pin_from_message"
GLOBAL_SHORTCUT = "pin_global"


def register(app: AsyncApp, services: Services) -> None:
    @app.shortcut(MESSAGE_SHORTCUT)
    async def from_message(ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
        started = await acknowledge(services, ack, body, context, "shortcut")
        if started is None:
            return
        who, response_url = started
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
        started = await acknowledge(services, ack, body, context, "shortcut")
        if started is None:
            return
        who, _ = started
        # A global shortcut has no conversation (no response_url): the PIN comes by DM.
        if await ready_to_request(services, who, None):
            await open_pin_modal(
                services, body.get("trigger_id"), ModalContext(Kind.RESCUE), who.user_id
            )
