"""The App Home tab, and its two request buttons (the PIN comes by DM: Home has no
response_url). Its Link and Unlink buttons are in handlers.link."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext

from bot import home, texts
from bot.identity import Requester, is_foreign
from bot.rescue import Kind
from handlers.listening import acknowledge, open_pin_modal_if_ready, runtime_of


async def home_opened(event: dict[str, Any], context: AsyncBoltContext) -> None:
    user, team = event.get("user"), context.team_id
    if not isinstance(user, str) or not team or event.get("tab", "home") != "home":
        return
    installed = context.authorize_result.team_id if context.authorize_result else None
    if not is_foreign(Requester(team, user), installed):
        await home.publish(runtime_of(context), team, user)


async def home_rescue(ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
    asker = await acknowledge(ack, body, context, texts.COMMAND[Kind.RESCUE])
    if asker is not None:
        await open_pin_modal_if_ready(asker, body, Kind.RESCUE)


async def home_lens(ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
    asker = await acknowledge(ack, body, context, texts.COMMAND[Kind.LENS])
    if asker is not None:
        await open_pin_modal_if_ready(asker, body, Kind.LENS)
