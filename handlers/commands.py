"""/rescue-pin and /lens-pin."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext

from bot import blocks, forms, texts
from bot.blocks import ModalContext
from bot.rescue import Kind
from bot.services import Services
from handlers.common import identify, open_modal, reply


def register(app: AsyncApp, services: Services) -> None:
    async def on_command(
        kind: Kind, ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        await ack()
        who, foreign = identify(body, context, texts.COMMAND[kind])
        response_url = (
            body.get("response_url") if isinstance(body.get("response_url"), str) else None
        )
        if foreign:
            await reply(services, response_url, who.user_id, blocks.notice(texts.FOREIGN_USER))
            return
        text = body.get("text")
        text = text if isinstance(text, str) else ""
        word = text.strip().lower()
        modal = ModalContext(kind, response_url, who.channel_id)
        if word == "help":
            await reply(services, response_url, who.user_id, blocks.help_message())
        elif kind is Kind.RESCUE and word == "link":
            view = blocks.link_modal(modal, offer_signin=True)
            await open_modal(
                services,
                body.get("trigger_id"),
                view,
                response_url,
                who.user_id,
                texts.COMMAND[kind],
            )
        elif kind is Kind.RESCUE and word == "unlink":
            gone = await services.store.unlink(who.team_id, who.user_id)
            text = texts.UNLINKED if gone else texts.NOT_LINKED_UNLINK
            await reply(services, response_url, who.user_id, blocks.notice(text))
        elif not await services.store.is_linked(who.team_id, who.user_id):
            await reply(services, response_url, who.user_id, blocks.not_linked_message(who.user_id))
        else:
            settings = services.settings
            prefill, notes = forms.command_prefill(text)
            view = blocks.pin_modal(modal, settings.rescue_fields, settings.label, prefill, notes)
            await open_modal(
                services,
                body.get("trigger_id"),
                view,
                response_url,
                who.user_id,
                texts.COMMAND[kind],
            )

    @app.command(texts.COMMAND[Kind.RESCUE])
    async def rescue_pin(ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
        await on_command(Kind.RESCUE, ack, body, context)

    @app.command(texts.COMMAND[Kind.LENS])
    async def lens_pin(ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
        await on_command(Kind.LENS, ack, body, context)
