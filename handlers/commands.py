"""/rescue-pin and /lens-pin."""

from __future__ import annotations

import asyncio
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext

from bot import blocks, forms, linking, texts
from bot.blocks import ModalContext
from bot.identity import Requester
from bot.rescue import Kind
from bot.services import Services
from handlers.common import identify, open_modal, reply, text_field

# views.open must follow the command within Slack's 3-second trigger window.
SSO_DEADLINE_SECONDS = 2.0


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

    async def ready_to_request(who: Requester, modal: ModalContext) -> bool:
        """Linked already, or linked now by SSO; otherwise the agent is told how to link."""
        if await services.store.is_linked(who.team_id, who.user_id):
            return True
        if not services.settings.sso_enabled:
            await reply(
                services, modal.response_url, who.user_id, blocks.not_linked_message(who.user_id)
            )
            return False
        try:
            sso = await asyncio.wait_for(
                linking.link_sso(services, who.team_id, who.user_id), SSO_DEADLINE_SECONDS
            )
        except TimeoutError:
            return True  # open the modal anyway; the submit tries SSO again
        if not sso.linked:
            message = blocks.not_linked_message(
                who.user_id, texts.SSO_FAILED.format(reason=sso.reason)
            )
            await reply(services, modal.response_url, who.user_id, message)
        return sso.linked

    async def on_command(
        kind: Kind, ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        await ack()
        who, foreign = identify(body, context, texts.COMMAND[kind])
        modal = ModalContext(kind, text_field(body, "response_url"), who.channel_id)
        if foreign:
            await reply(
                services, modal.response_url, who.user_id, blocks.notice(texts.FOREIGN_USER)
            )
            return
        text = text_field(body, "text") or ""
        word, _, rest = text.strip().partition(" ")
        word = word.lower()
        if word == "help" and not rest:
            await reply(services, modal.response_url, who.user_id, blocks.help_message())
        elif kind is Kind.RESCUE and word == "link":
            await link(who, rest, body, modal)
        elif kind is Kind.RESCUE and word == "unlink" and not rest:
            await unlink(who, modal)
        elif await ready_to_request(who, modal):
            settings = services.settings
            prefill, notes = forms.command_prefill(text)
            view = blocks.pin_modal(modal, settings.rescue_fields, settings.label, prefill, notes)
            await open_modal(
                services,
                body.get("trigger_id"),
                view,
                modal.response_url,
                who.user_id,
                texts.COMMAND[kind],
            )

    @app.command(texts.COMMAND[Kind.RESCUE])
    async def rescue_pin(ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
        await on_command(Kind.RESCUE, ack, body, context)

    @app.command(texts.COMMAND[Kind.LENS])
    async def lens_pin(ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
        await on_command(Kind.LENS, ack, body, context)
