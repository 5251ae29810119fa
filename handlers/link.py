"""Linking an agent to Rescue: `/rescue-pin link [@user]` and `unlink`, the "Link" buttons,
App Home's Unlink, and the link modal's submit (pasted authcode or Rescue sign-in)."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext

from bot.home import view as home
from bot.language import _
from bot.linking import link as linking
from bot.linking import modal as link_modal
from bot.linking import texts as link_texts
from bot.linking.modal import AUTHCODE_BLOCK
from bot.pins import messages, modals
from bot.pins.modals import ModalState
from bot.rescue.client import Kind
from bot.slack import texts as slack_texts
from bot.slack.deliver import deliver
from handlers.listening import Asker, acknowledge, identify, open_speaking, runtime_of

LINK_COMMAND = "/rescue-pin link"


async def open_link_modal(asker: Asker, rest: str, trigger_id: Any) -> None:
    """`/rescue-pin link` for oneself, or `link @user` by a team lead for someone else."""
    who = asker.who
    target = linking.mentioned_user(rest) if rest else who.user_id
    if target is None:
        await asker.deliver(messages.help_message())
        return
    if target != who.user_id:
        lead = await linking.is_team_lead(asker.runtime, who.user_id, linking.LEAD_CHECK_SECONDS)
        if not lead:
            await asker.deliver(messages.notice(linking.not_a_lead(lead)))
            return
    for_other = target if target != who.user_id else None
    modal = ModalState(Kind.RESCUE, asker.response_url, who.channel_id, for_other)
    await open_speaking(asker, trigger_id, lambda: link_modal.link_modal(modal), LINK_COMMAND)


async def unlink_asker(asker: Asker) -> None:
    """`/rescue-pin unlink`."""
    gone = await asker.runtime.store.unlink(asker.who.team_id, asker.who.user_id)
    await asker.deliver(
        messages.notice(_(link_texts.UNLINKED) if gone else _(link_texts.NOT_LINKED_UNLINK))
    )


async def link_again(ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
    """The Link button on a "not linked" or authcode failure message, and on App Home."""
    asker = await acknowledge(ack, body, context, "link")
    if asker is not None:
        modal = ModalState(Kind.RESCUE, asker.response_url, asker.who.channel_id)
        view = lambda: link_modal.link_modal(modal)  # noqa: E731
        await open_speaking(asker, body.get("trigger_id"), view, LINK_COMMAND)


async def home_unlink(ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
    asker = await acknowledge(ack, body, context, "unlink")
    if asker is not None:
        who = asker.who
        await asker.runtime.store.unlink(who.team_id, who.user_id)
        await home.publish(asker.runtime, who.team_id, who.user_id)


async def link_submitted(ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
    """Errors show inline while the modal is open: a sign-in answers within Slack's 3 seconds."""
    runtime = runtime_of(context)
    modal, values = modals.submitted(body)
    authcode, email, password = link_modal.read_link_form(values)
    errors = link_modal.link_errors(authcode, email, password)
    if errors:
        await ack(response_action="errors", errors=errors)
        return
    who, foreign = await identify(body, context, "link")
    target = modal.target_user or who.user_id
    lead = (
        True
        if foreign or target == who.user_id
        else await linking.is_team_lead(runtime, who.user_id, linking.LEAD_CHECK_SECONDS)
    )
    if foreign or not lead:
        refusal = _(slack_texts.FOREIGN_USER) if foreign else linking.not_a_lead(lead)
        await ack(response_action="errors", errors={AUTHCODE_BLOCK: refusal})
        return
    if authcode:
        await linking.link_pasted(runtime, who, target, authcode)
    else:
        outcome = await linking.link_by_signin(runtime, who, email, password)
        if outcome.errors:
            await ack(response_action="errors", errors=outcome.errors)
            return
    await ack()
    text = (
        _(link_texts.LINKED) if target == who.user_id else _(link_texts.LINKED_OTHER, user=target)
    )
    await deliver(runtime, modal.response_url, who.user_id, messages.notice(text))
