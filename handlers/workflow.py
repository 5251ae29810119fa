"""The Workflow Builder step `request_rescue_pin`: the step starting, and the agent's two buttons.

The agent named in the step's `agent` input gets a message (posted with the execution's own
token, which ties the buttons to the step). Only that agent's click requests a PIN, and with
their own link: naming someone in a workflow cannot spend their authcode.
"""

from __future__ import annotations

from datetime import timedelta
from enum import Enum
from typing import Any

import structlog
from slack_bolt.async_app import AsyncAck, AsyncBoltContext
from slack_bolt.context.complete.async_complete import AsyncComplete
from slack_bolt.context.fail.async_fail import AsyncFail
from slack_sdk.web.async_client import AsyncWebClient

from bot.language import _, language, supported
from bot.logs import get_logger
from bot.pins import messages
from bot.pins.request import request_pin
from bot.rescue.client import PinResult, SessionRequest
from bot.runtime import Runtime
from bot.slack import calls as slack_calls
from bot.slack import policies as slack_policies
from bot.slack import texts as slack_texts
from bot.slack.identity import Requester
from bot.storage.failures import StoreUnavailable
from bot.storage.schema import StepRun
from bot.workflow import step as workflow_step
from bot.workflow import texts as step_texts
from bot.workflow.step import StepInputError, StepInputs
from bot.workflow.store import StepState
from handlers.listening import Asker, acknowledge, runtime_of, serving

log = get_logger(__name__)


def _bind(context: AsyncBoltContext) -> None:
    # The execution's token (xwfp-…) is a secret like the bot token: bot.logs scrubs its shape.
    structlog.contextvars.bind_contextvars(
        action="workflow_step", execution=context.function_execution_id
    )


async def step_started(
    body: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient, fail: AsyncFail
) -> None:
    """`function_executed` (Bolt acks it): check the inputs, note the run, message the agent.

    Slack may deliver the event twice (a retry after a slow ack): the run's row is taken once,
    so the agent gets one message with live buttons per run."""
    _bind(context)
    runtime = runtime_of(context)
    try:
        step = workflow_step.read_inputs(context.get("inputs"), runtime.settings.label)
    except StepInputError as error:
        log.warning("step_refused", reason=error.code)
        await _fail(fail, error.reason)
        return
    structlog.contextvars.bind_contextvars(user=step.agent)
    # The agent reads the step's message: in their language, as far as the app knows it.
    language(supported(runtime.locales.get(step.agent)))
    run_id = context.function_execution_id or ""
    owner = serving(body, context).owner or context.team_id or ""
    try:
        if not await runtime.store.step_runs.start(run_id, owner, step.agent):
            log.info("step_duplicate_event", retry=body.get("retry_attempt"))
            return
    except StoreUnavailable as error:  # the first click notes the run instead
        log.error("database_unavailable", error=str(error))
    message = workflow_step.step_message(step, runtime.settings.label)
    # context.client carries the execution's token: the buttons belong to this step.
    posted = await slack_calls.call(
        client,
        "chat.postMessage",
        policy=slack_policies.STEP_MESSAGE,
        channel=step.agent,
        **message,
    )
    if not posted.ok:
        log.warning("step_not_delivered", error=posted.error)
        # Any copy that did reach the agent finds its run over: no PIN for a failed step.
        await _settle(runtime, run_id, StepState.WAITING, StepState.FAILED)
        await _fail(fail, _(step_texts.STEP_FAIL_UNDELIVERED, error=posted.error))
        return
    log.info("step_waiting", kind=step.kind.value)


async def step_request(
    ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext, complete: AsyncComplete
) -> None:
    """The agent's "Request PIN": their own link, Rescue, the PIN privately, then the outputs.

    Unlinked, busy or a Rescue failure: the agent reads the usual sentence, the buttons stay,
    and the step waits for another click. The step never completes without a PIN, and a run
    spends at most one PIN: a later click on it only reports the PIN it has again.
    """
    _bind(context)
    found = await _agents_own_click(ack, body, context)
    if found is None:
        return
    asker, step = found
    runtime = asker.runtime
    run_id = context.function_execution_id or ""
    taken, run = await _take(asker, run_id, step, StepState.REQUESTING)
    if not taken:
        if run is not None and run.state == StepState.COMPLETED and run.pin:
            # Its completeSuccess may not have reached Slack: report the same PIN again.
            await _complete(asker, body, step, complete, run.pin)
        return
    who = Requester(asker.who.team_id, step.agent, asker.who.channel_id)
    request = SessionRequest(step.kind, step.fields)

    async def note_run(result: PinResult) -> None:  # before the agent reads the answer
        if result.ok and result.pin is not None:
            await _settle(runtime, run_id, StepState.REQUESTING, StepState.COMPLETED, result.pin)
        else:
            await _settle(runtime, run_id, StepState.REQUESTING, StepState.WAITING)

    try:
        result = await request_pin(runtime, who, request, asker.response_url, note_run)
    except BaseException:
        await _settle(runtime, run_id, StepState.REQUESTING, StepState.WAITING)
        raise
    if not result.ok or result.pin is None:
        log.info("step_still_waiting", outcome=result.outcome.value)
        return
    await _complete(asker, body, step, complete, result.pin)


async def step_decline(
    ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext, fail: AsyncFail
) -> None:
    """The agent's "Decline": the step fails with a reason the workflow's owner can read.
    Only a waiting run can be declined: not one whose PIN is being requested or was."""
    _bind(context)
    found = await _agents_own_click(ack, body, context)
    if found is None:
        return
    asker, step = found
    run_id = context.function_execution_id or ""
    taken, _run = await _take(asker, run_id, step, StepState.DECLINED)
    if not taken:
        return
    reported = await _fail(fail, _(step_texts.STEP_FAIL_DECLINED))
    if reported is Reported.REFUSED:  # the step still runs: the agent may click again
        await _settle(asker.runtime, run_id, StepState.DECLINED, StepState.WAITING)
        return
    log.info("step_declined", kind=step.kind.value, confirmed=reported is Reported.DONE)
    note = (
        _(step_texts.STEP_DECLINED)
        if reported is Reported.DONE
        else _(step_texts.STEP_DECLINED_UNCONFIRMED)
    )
    await _close(asker, body, step, note)


async def _take(
    asker: Asker, run_id: str, step: StepInputs, to: str
) -> tuple[bool, StepRun | None]:
    """Whether this click moved the run from waiting to `to`. If not, the agent has been
    told why, and the run comes back as found (None: the database was unreachable)."""
    runtime = asker.runtime
    stale = timedelta(seconds=runtime.settings.rescue_timeout_seconds + 30)
    try:
        found = await runtime.store.step_runs.take(run_id, asker.who.team_id, step.agent, to, stale)
    except StoreUnavailable as error:
        log.error("database_unavailable", error=str(error))
        await asker.deliver(messages.notice(_(slack_texts.DATABASE_DOWN)))
        return False, None
    if found is None:
        return True, None
    log.info("step_click_ignored", state=found.state, wanted=to)
    if found.state == StepState.REQUESTING:
        sentence = _(step_texts.STEP_ALREADY_REQUESTING)
    elif found.state == StepState.COMPLETED and found.pin:
        sentence = _(step_texts.STEP_ALREADY_DONE, pin=found.pin)
    else:
        sentence = _(step_texts.STEP_ALREADY_ENDED)
    await asker.deliver(messages.notice(sentence))
    return False, found


async def _settle(runtime: Runtime, run_id: str, was: str, to: str, pin: str | None = None) -> None:
    try:
        await runtime.store.step_runs.settle(run_id, was, to, pin)
    except StoreUnavailable as error:  # a `requesting` run goes stale; nothing else waits
        log.error("step_run_not_noted", state=to, error=str(error))


class Reported(Enum):
    """What became of functions.completeSuccess/completeError."""

    DONE = "done"
    UNCONFIRMED = "unconfirmed"  # Slack may have taken it: treated as done
    REFUSED = "refused"  # surely not taken: the step still runs


def _reported(result: slack_policies.SlackResult) -> Reported:
    if result.ok:
        return Reported.DONE
    # A timeout, a 5xx, a dropped connection; or "not running" (our own earlier report, taken
    # but unanswered; or a step Slack ended itself): reporting again will not help.
    if result.maybe_done or result.ambiguous or result.error == "execution_not_in_running_state":
        log.warning("step_completion_unconfirmed", error=result.error)
        return Reported.UNCONFIRMED
    return Reported.REFUSED


async def _complete(
    asker: Asker, body: dict[str, Any], step: StepInputs, complete: AsyncComplete, pin: str
) -> None:
    """Hand the PIN to the workflow, then close the buttons (unless Slack surely refused)."""
    outputs = workflow_step.outputs(asker.runtime.settings.rescue_api_url, step.kind, pin)
    completed = await slack_calls.run(
        "functions.completeSuccess", lambda: complete(outputs), slack_policies.FUNCTION_RESULT
    )
    reported = _reported(completed)
    if reported is Reported.REFUSED:
        log.error("step_not_completed", error=completed.error)
        await asker.deliver(messages.notice(_(step_texts.STEP_NOT_COMPLETED)))
        return
    log.info("step_completed", kind=step.kind.value, confirmed=reported is Reported.DONE)
    note = (
        _(step_texts.STEP_DONE)
        if reported is Reported.DONE
        else _(step_texts.STEP_DONE_UNCONFIRMED)
    )
    if reported is Reported.UNCONFIRMED:
        await asker.deliver(messages.notice(_(step_texts.STEP_DONE_UNCONFIRMED)))
    await _close(asker, body, step, note)


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
        await asker.deliver(messages.notice(_(step_texts.STEP_NOT_YOURS, agent=step.agent)))
        return None
    return asker, step


async def _fail(fail: AsyncFail, reason: str) -> Reported:
    failed = await slack_calls.run(
        "functions.completeError", lambda: fail(reason), slack_policies.FUNCTION_RESULT
    )
    reported = _reported(failed)
    if reported is Reported.REFUSED:
        log.error("step_not_failed", error=failed.error)
    return reported


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
