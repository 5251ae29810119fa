"""Asking for a PIN: /rescue-pin and /lens-pin, the two shortcuts, the PIN modal's submit,
and the retry without the console. Each acks first, then hands over to bot.pins.request."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext

from bot.language import _
from bot.linking import link as linking
from bot.logs import get_logger
from bot.pins import messages, modals
from bot.pins import texts as pin_texts
from bot.pins.customer import read_customer_language
from bot.pins.modals import ModalState
from bot.pins.prefill import command_prefill, display_name, message_prefill
from bot.pins.request import request_pin
from bot.rescue.client import Kind, SessionRequest
from bot.slack import texts as slack_texts
from bot.slack.deliver import deliver
from bot.slack.identity import MalformedPayload, Requester, requester
from bot.slack.message_words import message_words
from handlers import link
from handlers.listening import (
    acknowledge,
    button_value,
    identify,
    open_pin_modal,
    open_pin_modal_if_ready,
    ready_to_request,
    runtime_of,
    text_field,
)

log = get_logger(__name__)

# users.info for the message author: the modal must still open inside the trigger's 3 s.
AUTHOR_LOOKUP_SECONDS = 1.0


async def rescue_pin(ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
    await on_command(Kind.RESCUE, ack, body, context)


async def lens_pin(ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
    await on_command(Kind.LENS, ack, body, context)


async def on_command(
    kind: Kind, ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext
) -> None:
    """`help`, `link [@user]`, `unlink`, or else the PIN modal (the text names the customer)."""
    asker = await acknowledge(ack, body, context, pin_texts.COMMAND[kind])
    if asker is None:
        return
    text = text_field(body, "text") or ""
    word, _, rest = text.strip().partition(" ")
    word = word.lower()
    if word == "help" and not rest:
        await asker.deliver(messages.help_message())
    elif kind is Kind.RESCUE and word == "link":
        await link.open_link_modal(asker, rest, body.get("trigger_id"))
    elif kind is Kind.RESCUE and word == "unlink" and not rest:
        await link.unlink_asker(asker)
    elif await ready_to_request(asker):
        prefill, notes = command_prefill(text)
        modal = ModalState(kind, asker.response_url, asker.who.channel_id)
        await open_pin_modal(asker, body.get("trigger_id"), modal, prefill, notes)


async def from_message(ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
    """The message shortcut: the message's author and words prefill the modal."""
    asker = await acknowledge(ack, body, context, "shortcut")
    if asker is None or not await ready_to_request(asker):
        return
    message = body.get("message")
    message = message if isinstance(message, dict) else {}
    author = message.get("user")
    runtime = asker.runtime
    # The modal must open within the trigger's 3 seconds: the author's name may not hold it up.
    info = (
        await linking.user_info(runtime, author, budget=AUTHOR_LOOKUP_SECONDS)
        if isinstance(author, str)
        else None
    )
    prefill, notes = message_prefill(
        display_name(info),
        message_words(message),
        runtime.settings.rescue_description_field,
    )
    modal = ModalState(Kind.RESCUE, asker.response_url, asker.who.channel_id)
    await open_pin_modal(asker, body.get("trigger_id"), modal, prefill, notes)


async def from_anywhere(ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
    """The global shortcut: no conversation (no response_url), so the PIN comes by DM."""
    asker = await acknowledge(ack, body, context, "shortcut")
    if asker is not None:
        await open_pin_modal_if_ready(asker, body, Kind.RESCUE)


async def pin_submitted(ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
    """Field errors inline; else ack, and the request runs after the modal closed."""
    runtime = runtime_of(context)
    modal, values = modals.submitted(body)
    fields, no_console = modals.read_pin_form(values)
    phone, lang_code, sms_errors = modals.sms_inputs(
        modal.kind, values, runtime.settings.sms_default_region
    )
    # An impossible number is refused here: Rescue is not called.
    errors = {**modals.field_errors(fields, runtime.settings.rescue_fields), **sms_errors}
    if errors:
        await ack(response_action="errors", errors=errors)
        return
    try:  # readable at all? see handlers.listening.acknowledge
        requester(body)
    except MalformedPayload:
        await ack()
        log.warning("malformed_payload", action="pin_submitted")
        return
    await ack()
    who, foreign = await identify(body, context, pin_texts.COMMAND[modal.kind])
    if foreign:
        await deliver(
            runtime, modal.response_url, who.user_id, messages.notice(_(slack_texts.FOREIGN_USER))
        )
        return
    who = Requester(who.team_id, who.user_id, modal.channel_id or who.channel_id)
    request = SessionRequest(
        modal.kind,
        fields,
        no_console,
        phone=phone,
        lang_code=lang_code,
        customer_language=read_customer_language(modal.kind, values, lang_code),
    )
    await request_pin(runtime, who, request, modal.response_url)


async def retry_without_console(
    ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext
) -> None:
    """The button on a "no technician console" failure: the saved fields, once more."""
    asker = await acknowledge(ack, body, context, "retry")
    if asker is None:
        return
    who = asker.who
    saved = await asker.runtime.store.retries.take(button_value(body), who.team_id, who.user_id)
    if saved is None:
        await asker.deliver(messages.notice(_(pin_texts.RETRY_GONE, command="/rescue-pin")))
        return
    who = Requester(who.team_id, who.user_id, saved.channel_id)
    request = SessionRequest(Kind(saved.kind), saved.fields, no_tech_console=True)
    await request_pin(asker.runtime, who, request, asker.response_url)
