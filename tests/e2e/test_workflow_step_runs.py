"""The Workflow Builder step spends at most one PIN per run, whatever Slack repeats: a second
click, a duplicate `function_executed`, Decline racing Request, and completions that Slack
took but did not confirm (a 5xx, a hang)."""

from __future__ import annotations

import asyncio
import json

from bot.language import _ as tr
from bot.workflow import texts as step_texts
from tests.support.harness import Harness
from tests.support.reading import message_text
from tests.support.slack_faults import SlackFault
from tests.support.slack_payloads import function_executed
from tests.support.steps import AGENT, AUTHCODE, FUNCTION_TOKEN, INPUTS, click, start_step


def told(h: Harness, rid: str) -> str:
    return "\n".join(message_text(m) for m in h.slack.responses.get(rid, []))


async def test_a_second_click_after_completion_spends_no_second_pin(harness: Harness) -> None:
    await harness.link(AGENT, AUTHCODE)
    harness.rescue.answers[AUTHCODE] = "OK PINCODE:024680"
    await start_step(harness, INPUTS)
    await harness.slack.response(await click(harness, "step_request_pin"))
    await harness.slack.wait_for(lambda: harness.slack.calls_to("chat.update"))
    # A stale client, or a replayed click, on the same run.
    again = await click(harness, "step_request_pin")
    shown = message_text(await harness.slack.response(again))
    assert tr(step_texts.STEP_ALREADY_DONE, pin="024680") in shown
    assert len(harness.rescue.pin_calls()) == 1
    # Only the same PIN is reported again (Slack refuses it: the run is over), never Rescue.
    done = await harness.slack.wait_for(
        lambda: (
            len(harness.slack.calls_to("functions.completeSuccess")) == 2
            and harness.slack.calls_to("functions.completeSuccess")
        )
    )
    assert [c.params["outputs"]["pin"] for c in done] == ["024680", "024680"]
    assert len(harness.rescue.pin_calls()) == 1


async def test_a_duplicate_function_executed_posts_no_second_message(harness: Harness) -> None:
    await harness.link(AGENT, AUTHCODE)
    await start_step(harness, INPUTS)
    event = function_executed(INPUTS, execution_id="Fx1", token=FUNCTION_TOKEN)
    assert await harness.event(event) == 200  # Slack's retry after a slow ack
    await asyncio.sleep(0.5)
    assert len(harness.slack.calls_to("chat.postMessage")) == 1
    # A different run of the same workflow is a new message.
    await harness.event(function_executed(INPUTS, execution_id="Fx2", token=FUNCTION_TOKEN))
    await harness.slack.wait_for(lambda: len(harness.slack.calls_to("chat.postMessage")) == 2)


async def test_decline_while_the_pin_is_at_rescue_changes_nothing(harness: Harness) -> None:
    await harness.link(AGENT, AUTHCODE)
    harness.rescue.delay = 1.5
    await start_step(harness, INPUTS)
    requested = await click(harness, "step_request_pin")
    await asyncio.sleep(0.5)  # the request is at Rescue
    declined = await click(harness, "step_decline")
    assert tr(step_texts.STEP_ALREADY_REQUESTING) in message_text(
        await harness.slack.response(declined)
    )
    await harness.slack.response(requested)
    await harness.slack.wait_for(lambda: harness.slack.calls_to("functions.completeSuccess"))
    assert harness.slack.calls_to("functions.completeError") == []
    assert len(harness.rescue.pin_calls()) == 1


async def test_after_decline_a_request_click_asks_rescue_nothing(harness: Harness) -> None:
    await harness.link(AGENT, AUTHCODE)
    await start_step(harness, INPUTS)
    await click(harness, "step_decline")
    await harness.slack.wait_for(lambda: harness.slack.calls_to("chat.update"))
    rid = await click(harness, "step_request_pin")
    assert tr(step_texts.STEP_ALREADY_ENDED) in message_text(await harness.slack.response(rid))
    assert harness.rescue.calls == []
    assert harness.slack.calls_to("functions.completeSuccess") == []


async def test_complete_success_taken_then_5xx_closes_the_buttons(harness: Harness) -> None:
    await harness.link(AGENT, AUTHCODE)
    await start_step(harness, INPUTS)
    # Slack completes the step, then answers 500; the retry is told the run is over.
    harness.slack.executions["Fx1"] = "completed"
    harness.slack.script("functions.completeSuccess", SlackFault.server_error())
    rid = await click(harness, "step_request_pin")
    [update] = await harness.slack.wait_for(lambda: harness.slack.calls_to("chat.update"))
    assert tr(step_texts.STEP_DONE_UNCONFIRMED) in json.dumps(update.params)
    assert "actions" not in json.dumps(update.params.get("blocks"))
    await harness.slack.response(rid, 1)
    shown = told(harness, rid)
    assert (
        tr(step_texts.STEP_DONE_UNCONFIRMED) in shown
        and tr(step_texts.STEP_NOT_COMPLETED) not in shown
    )


async def test_a_hanging_complete_success_counts_as_done(harness: Harness) -> None:
    await harness.link(AGENT, AUTHCODE)
    await start_step(harness, INPUTS)
    harness.slack.script("functions.completeSuccess", SlackFault.hang(8.0))
    rid = await click(harness, "step_request_pin")
    [update] = await harness.slack.wait_for(
        lambda: harness.slack.calls_to("chat.update"), timeout=15
    )
    assert tr(step_texts.STEP_DONE_UNCONFIRMED) in json.dumps(update.params)
    await harness.slack.response(rid, 1)
    assert tr(step_texts.STEP_NOT_COMPLETED) not in told(harness, rid)
    assert len(harness.slack.calls_to("functions.completeSuccess")) == 1  # not repeated


async def test_a_refused_completion_keeps_the_buttons_and_a_click_resends_the_same_pin(
    harness: Harness,
) -> None:
    await harness.link(AGENT, AUTHCODE)
    harness.rescue.answers[AUTHCODE] = "OK PINCODE:135791"
    await start_step(harness, INPUTS)
    harness.slack.script("functions.completeSuccess", SlackFault.slack_error("invalid_auth"))
    rid = await click(harness, "step_request_pin")
    await harness.slack.response(rid, 1)
    assert tr(step_texts.STEP_NOT_COMPLETED) in told(harness, rid)
    assert harness.slack.calls_to("chat.update") == []
    again = await click(harness, "step_request_pin")
    await harness.slack.wait_for(lambda: harness.slack.calls_to("chat.update"))
    assert tr(step_texts.STEP_ALREADY_DONE, pin="135791") in told(harness, again)
    [_first, done] = harness.slack.calls_to("functions.completeSuccess")
    assert done.params["outputs"]["pin"] == "135791"
    assert tr(step_texts.STEP_DONE) in json.dumps(harness.slack.calls_to("chat.update")[0].params)
    assert len(harness.rescue.pin_calls()) == 1


async def test_a_failed_chat_update_leaves_buttons_that_spend_nothing(harness: Harness) -> None:
    await harness.link(AGENT, AUTHCODE)
    await start_step(harness, INPUTS)
    harness.slack.script("chat.update", SlackFault.slack_error("message_not_found"))
    await harness.slack.response(await click(harness, "step_request_pin"))
    await harness.slack.wait_for(lambda: harness.slack.calls_to("chat.update"))
    await harness.slack.response(await click(harness, "step_request_pin"))
    await harness.slack.wait_for(lambda: len(harness.slack.calls_to("chat.update")) == 2)
    assert len(harness.rescue.pin_calls()) == 1
