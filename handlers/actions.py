"""Buttons on the app's messages and on App Home."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext

from bot import blocks, home, pins, sharing, texts
from bot.blocks import (
    HOME_REQUEST_ACTION,
    HOME_UNLINK_ACTION,
    LINK_OPEN_ACTION,
    RETRY_ACTION,
    SHARE_ACTION,
    ModalContext,
)
from bot.identity import Requester
from bot.rescue import Kind, SessionRequest
from bot.services import Services
from handlers.common import (
    acknowledge,
    open_modal,
    open_pin_modal,
    ready_to_request,
    reply,
)


def _value(body: dict[str, Any]) -> str:
    actions = body.get("actions")
    action = actions[0] if isinstance(actions, list) and actions else {}
    value = action.get("value") if isinstance(action, dict) else None
    return value if isinstance(value, str) else ""


def register(app: AsyncApp, services: Services) -> None:
    @app.action(LINK_OPEN_ACTION)
    async def link_again(ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
        started = await acknowledge(services, ack, body, context, "link")
        if started:
            who, response_url = started
            view = blocks.link_modal(ModalContext(Kind.RESCUE, response_url, who.channel_id))
            await open_modal(
                services,
                body.get("trigger_id"),
                view,
                response_url,
                who.user_id,
                "/rescue-pin link",
            )

    @app.action(SHARE_ACTION)
    async def share(ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
        started = await acknowledge(services, ack, body, context, "share")
        if started and started[1] is not None:
            who, response_url = started[0], started[1]
            problem = await sharing.share(services, who, _value(body), response_url)
            if problem:
                await reply(services, response_url, who.user_id, blocks.notice(problem))

    @app.action(RETRY_ACTION)
    async def retry_without_console(
        ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        started = await acknowledge(services, ack, body, context, "retry")
        if not started:
            return
        who, response_url = started
        saved = await services.store.take_retry(_value(body), who.team_id, who.user_id)
        if saved is None:
            await reply(
                services,
                response_url,
                who.user_id,
                blocks.notice(texts.RETRY_GONE.format(command="/rescue-pin")),
            )
            return
        kind = Kind(saved.kind)
        who = Requester(who.team_id, who.user_id, saved.channel_id)
        request = SessionRequest(kind, saved.fields, no_tech_console=True)
        await pins.fulfil(
            services, who, request, ModalContext(kind, response_url, saved.channel_id)
        )

    async def request_from_home(
        kind: Kind, ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        started = await acknowledge(services, ack, body, context, texts.COMMAND[kind])
        if started:
            who, _ = started
            # No response_url on Home: the PIN comes by DM.
            if await ready_to_request(services, who, None):
                await open_pin_modal(
                    services, body.get("trigger_id"), ModalContext(kind), who.user_id
                )

    @app.action(HOME_REQUEST_ACTION[Kind.RESCUE])
    async def home_rescue(ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
        await request_from_home(Kind.RESCUE, ack, body, context)

    @app.action(HOME_REQUEST_ACTION[Kind.LENS])
    async def home_lens(ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
        await request_from_home(Kind.LENS, ack, body, context)

    @app.action(HOME_UNLINK_ACTION)
    async def home_unlink(ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
        started = await acknowledge(services, ack, body, context, "unlink")
        if started:
            who, _ = started
            await services.store.unlink(who.team_id, who.user_id)
            await home.publish(services, who.team_id, who.user_id)
