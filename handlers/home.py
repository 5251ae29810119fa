"""The App Home tab, and its two request buttons (the PIN comes by DM: Home has no
response_url). Its Link and Unlink buttons are in handlers.link."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext

from bot.home import view as home
from bot.installs import tenancy
from bot.pins import texts as pin_texts
from bot.rescue.client import Kind
from handlers.listening import acknowledge, open_pin_modal_if_ready, runtime_of, serving
from handlers.speaking import learn_locale


async def home_opened(
    body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext
) -> None:
    # The workspace is the payload's: on an org-wide install Bolt's context has no team.
    user, team = event.get("user"), tenancy.workspace_of(body) or context.team_id
    if not isinstance(user, str) or not team or event.get("tab", "home") != "home":
        return
    runtime = runtime_of(context)
    who, foreign = await tenancy.who_is_asking(
        {"user_id": user, "team_id": team},
        serving(body, context),
        runtime.orgs,
        runtime.store.owners.adopt_workspace,
    )
    if not foreign:
        # Opening Home refreshes what the app knows of their locale; Home waits for it.
        await learn_locale(runtime, user)
        await home.publish(runtime, who.team_id, user, workspace=team)


async def home_rescue(ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
    asker = await acknowledge(ack, body, context, pin_texts.COMMAND[Kind.RESCUE])
    if asker is not None:
        await open_pin_modal_if_ready(asker, body, Kind.RESCUE)


async def home_lens(ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
    asker = await acknowledge(ack, body, context, pin_texts.COMMAND[Kind.LENS])
    if asker is not None:
        await open_pin_modal_if_ready(asker, body, Kind.LENS)
