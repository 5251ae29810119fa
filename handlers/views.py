"""Modal submissions: the PIN form and the link form."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext

from bot import blocks, forms, linking, pins, texts
from bot.blocks import AUTHCODE_BLOCK, LINK_CALLBACK, PIN_CALLBACK, ModalContext
from bot.identity import Requester
from bot.rescue import SessionRequest
from bot.services import Services
from handlers.common import identify, reply


def _view(body: dict[str, Any]) -> tuple[ModalContext, dict[str, Any]]:
    view = body.get("view")
    view = view if isinstance(view, dict) else {}
    state = view.get("state")
    values = state.get("values") if isinstance(state, dict) else None
    return ModalContext.load(view.get("private_metadata")), values if isinstance(
        values, dict
    ) else {}


def register(app: AsyncApp, services: Services) -> None:
    @app.view(PIN_CALLBACK)
    async def pin_submitted(ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
        modal, values = _view(body)
        fields, no_console = forms.read_pin_form(values)
        errors = forms.field_errors(fields, services.settings.rescue_fields)
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        await ack()
        who, foreign = identify(body, context, texts.COMMAND[modal.kind])
        if foreign:
            await reply(
                services, modal.response_url, who.user_id, blocks.notice(texts.FOREIGN_USER)
            )
            return
        who = Requester(who.team_id, who.user_id, modal.channel_id or who.channel_id)
        request = SessionRequest(modal.kind, fields, no_console)
        await pins.fulfil(services, who, request, modal)

    @app.view(LINK_CALLBACK)
    async def link_submitted(
        ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        modal, values = _view(body)
        authcode, email, password = forms.read_link_form(values)
        errors = forms.link_errors(authcode, email, password)
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        who, foreign = identify(body, context, "link")
        target = modal.target_user or who.user_id
        if foreign or (
            target != who.user_id and not await linking.is_team_lead(services, who.user_id)
        ):
            refusal = texts.FOREIGN_USER if foreign else texts.NOT_ADMIN
            await ack(response_action="errors", errors={AUTHCODE_BLOCK: refusal})
            return
        if authcode:
            await linking.link_pasted(services, who, target, authcode)
        else:
            # Sign-in answers inside Slack's 3 seconds so a wrong password is an inline error.
            outcome = await linking.link_by_signin(services, who, email, password)
            if outcome.errors:
                await ack(response_action="errors", errors=outcome.errors)
                return
        await ack()
        text = texts.LINKED if target == who.user_id else texts.LINKED_OTHER.format(user=target)
        await reply(services, modal.response_url, who.user_id, blocks.notice(text))
