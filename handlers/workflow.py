"""The Workflow Builder step `request_rescue_pin`: the step starting, and the agent's two buttons.

The agent named in the step's `agent` input gets a message (posted with the execution's own
token, which ties the buttons to the step). Only that agent's click requests a PIN, and with
their own link: naming someone in a workflow cannot spend their authcode.
"""

from __future__ import annotations

from typing import Any

import structlog
from slack_bolt.async_app import AsyncAck, AsyncBoltContext
from slack_bolt.context.complete.async_complete import AsyncComplete
from slack_bolt.context.fail.async_fail import AsyncFail
from slack_sdk.web.async_client import AsyncWebClient

from bot import messages, slack_calls, texts, workflow_step
from bot.identity import Requester
from bot.logs import get_logger
from bot.pin_request import request_pin
from bot.rescue import Kind, SessionRequest
from bot.workflow_step import StepInputError, StepInputs
from handlers.listening import Asker, acknowledge, runtime_of

log = get_logger(__name__)


def _bind(context: AsyncBoltContext) -> None:
    # The execution's token (xwfp-…) is a secret like the bot token: bot.logs scrubs its shape.
    structlog.contextvars.bind_contextvars(
        action="workflow_step", execution=context.function_execution_id
    )


async def step_started(
    body: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient, fail: AsyncFail
) -> None:
    """`function_executed` (Bolt acks it): check the inputs, then message the agent."""
    _bind(context)
    runtime = runtime_of(context)
    try:
        step = workflow_step.read_inputs(context.get("inputs"), runtime.settings.label)
    except StepInputError as error:
        log.warning("step_refused", reason=error.code)
        await _fail(fail, error.reason)
        return
    structlog.contextvars.bind_contextvars(user=step.agent)
    message = workflow_step.step_message(step, runtime.settings.label)
    # context.client carries the execution's token: the buttons belong to this step.
    posted = await slack_calls.call(client, "chat.postMessage", channel=step.agent, **message)
    if not posted.ok:
        log.warning("step_not_delivered", error=posted.error)
        await _fail(fail, texts.STEP_FAIL_UNDELIVERED.format(error=posted.error))
        return
    log.info("step_waiting", kind=step.kind.value)


async def step_request(
    ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext, complete: AsyncComplete
) -> None:
    """The agent's "Request PIN": their own link, Rescue, the PIN privately, then the outputs.

    Unlinked, busy or a Rescue failure: the agent reads the usual sentence, the buttons stay,
    and the step waits for another click. The step never completes without a PIN.
    """
    _bind(context)
    found = await _agents_own_click(ack, body, context)
    if found is None:
        return
    asker, step = found
    who = Requester(asker.who.team_id, step.agent, asker.who.channel_id)
    request = SessionRequest(step.kind, step.fields)
    result = await request_pin(asker.runtime, who, request, asker.response_url)
    if not result.ok or result.pin is None:
        log.info("step_still_waiting", outcome=result.outcome.value)
        return
    link = (
        messages.direct_link(asker.runtime.settings.rescue_api_url, result.pin)
        if step.kind is Kind.RESCUE
        else None
    )
    outputs = workflow_step.outputs(step.kind, result.pin, link)
    completed = await slack_calls.run(
        "functions.completeSuccess", lambda: complete(outputs), slack_calls.FUNCTION_RESULT
    )
    if not completed.ok:
        log.error("step_not_completed", error=completed.error)
        await asker.deliver(messages.notice(texts.STEP_NOT_COMPLETED))
        return
    log.info("step_completed", kind=step.kind.value)
    await _close(asker, body, step, texts.STEP_DONE)


async def step_decline(
    ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext, fail: AsyncFail
) -> None:
    """The agent's "Decline": the step fails with a reason the workflow's owner can read."""
    _bind(context)
    found = await _agents_own_click(ack, body, context)
    if found is None:
        return
    asker, step = found
    if not await _fail(fail, texts.STEP_FAIL_DECLINED):
        return
    log.info("step_declined", kind=step.kind.value)
    await _close(asker, body, step, texts.STEP_DECLINED)


async def _agents_own_click(
    ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext
) -> tuple[Asker, StepInputs] | None:
    """The clicker, when they are the step's agent; anyone else is told and refused."""
    asker = await acknowledge(ack, body, context, "workflow_step")
    if asker is None:  # another organisation: already told
        return None
    try:
        step = workflow_step.read_inputs(context.get("inputs"), asker.runtime.settings.label)
    except StepInputError as error:  # the step started with them; Slack sent others now
        log.warning("step_click_unreadable", reason=error.code)
        return None
    if asker.who.user_id != step.agent:
        log.warning("step_click_refused", agent=step.agent)
        await asker.deliver(messages.notice(texts.STEP_NOT_YOURS.format(agent=step.agent)))
        return None
    return asker, step


async def _fail(fail: AsyncFail, reason: str) -> bool:
    failed = await slack_calls.run(
        "functions.completeError", lambda: fail(reason), slack_calls.FUNCTION_RESULT
    )
    if not failed.ok:
        log.error("step_not_failed", error=failed.error)
    return failed.ok


async def _close(asker: Asker, body: dict[str, Any], step: StepInputs, note: str) -> None:
    """The buttons go from the agent's message (with the bot's token: the step's has ended)."""
    container = body.get("container")
    container = container if isinstance(container, dict) else {}
    channel, ts = container.get("channel_id"), container.get("message_ts")
    if not isinstance(channel, str) or not isinstance(ts, str):
        return
    message = workflow_step.step_closed_message(step, asker.runtime.settings.label, note)
    updated = await slack_calls.call(
        asker.runtime.slack, "chat.update", channel=channel, ts=ts, **message
    )
    if not updated.ok:
        log.warning("step_message_not_updated", error=updated.error)
