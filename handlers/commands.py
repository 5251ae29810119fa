"""/rescue-pin and /lens-pin."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext

from bot import blocks, forms, linking, texts
from bot.blocks import ModalContext
from bot.identity import Requester
from bot.rescue import Kind
from bot.services import Services
from handlers.common import (
    acknowledge,
    open_modal,
    open_pin_modal,
    ready_to_request,
    reply,
    text_field,
)


def register(app: AsyncApp, services: Services) -> None:
    async def link(who: Requester, rest: str, body: dict[str, Any], modal: ModalContext) -> None:
        target = forms.mentioned_user(rest) if rest else who.user_id
        if target is None:
            await reply(services, modal.response_url, who.user_id, blocks.help_message())
            return
        if target != who.user_id and not await linking.is_team_lead(services, who.user_id):
            await reply(services, modal.response_url, who.user_id, blocks.notice(texts.NOT_ADMIN))
            return
        for_other = target if target != who.user_id else None
        context = ModalContext(Kind.RESCUE, modal.response_url, who.channel_id, for_other)
        view = blocks.link_modal(context)
        await open_modal(
            services,
            body.get("trigger_id"),
            view,
            modal.response_url,
            who.user_id,
            "/rescue-pin link",
        )

    async def unlink(who: Requester, modal: ModalContext) -> None:
        gone = await services.store.unlink(who.team_id, who.user_id)
        text = texts.UNLINKED if gone else texts.NOT_LINKED_UNLINK
        await reply(services, modal.response_url, who.user_id, blocks.notice(text))

    async def on_command(
        kind: Kind, ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        started = await acknowledge(services, ack, body, context, texts.COMMAND[kind])
        if started is None:
            return
        who, response_url = started
        modal = ModalContext(kind, response_url, who.channel_id)
        text = text_field(body, "text") or ""
        word, _, rest = text.strip().partition(" ")
        word = word.lower()
        if word == "help" and not rest:
            await reply(services, modal.response_url, who.user_id, blocks.help_message())
        elif kind is Kind.RESCUE and word == "link":
            await link(who, rest, body, modal)
        elif kind is Kind.RESCUE and word == "unlink" and not rest:
            await unlink(who, modal)
        elif await ready_to_request(services, who, modal.response_url):
            prefill, notes = forms.command_prefill(text)
            await open_pin_modal(
                services, body.get("trigger_id"), modal, who.user_id, prefill, notes
            )

    @app.command(texts.COMMAND[Kind.RESCUE])
    async def rescue_pin(ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
        await on_command(Kind.RESCUE, ack, body, context)

    @app.command(texts.COMMAND[Kind.LENS])
    async def lens_pin(ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
        await on_command(Kind.LENS, ack, body, context)
