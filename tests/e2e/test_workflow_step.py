"""The Workflow Builder step `request_rescue_pin`, end to end: the agent's message, only the
agent's own click with their own link, the outputs, waiting, declining, a stranger's click."""

from __future__ import annotations

import io
import json

from bot.language import _ as tr
from bot.rescue import texts as rescue_texts
from bot.rescue.client import Kind
from bot.workflow import texts as step_texts
from tests.support.harness import Harness
from tests.support.reading import buttons, message_text
from tests.support.slack_payloads import function_executed
from tests.support.steps import (
    AGENT,
    AUTHCODE,
    FUNCTION_TOKEN,
    INPUTS,
    OTHER_AUTHCODE,
    click,
    completions,
    ended,
    start_step,
)


async def test_the_agent_gets_the_fields_and_two_buttons(harness: Harness) -> None:
    message = await start_step(harness, INPUTS)
    shown = message_text(message)
    assert tr(step_texts.STEP_HEADLINE[Kind.RESCUE]) in shown
    assert "Jane Doe" in shown and "T-42" in shown
    assert [b["action_id"] for b in buttons(message)] == ["step_request_pin", "step_decline"]
    assert harness.rescue.calls == [] and completions(harness) == []


async def test_the_agents_click_requests_with_their_own_link_and_completes_the_step(
    harness: Harness,
) -> None:
    await harness.link(AGENT, AUTHCODE)
    harness.rescue.answers[AUTHCODE] = "OK PINCODE:024680"
    await start_step(harness, INPUTS)
    rid = await click(harness, "step_request_pin")
    message = await harness.slack.response(rid)
    assert message["response_type"] == "ephemeral" and "024680" in message_text(message)
    [call] = harness.rescue.pin_calls()
    assert call.page == "requestPINCode.aspx"
    assert call.params == {
        "cfield0": "Jane Doe",
        "tracking0": "T-42",
        "notechconsole": "0",
        "authcode": AUTHCODE,
    }
    [done] = await harness.slack.wait_for(
        lambda: harness.slack.calls_to("functions.completeSuccess")
    )
    assert done.headers["Authorization"] == f"Bearer {FUNCTION_TOKEN}"
    assert done.params["function_execution_id"] == "Fx1"
    assert done.params["outputs"] == {
        "pin": "024680",
        "link": f"{harness.rescue.url}/R?i=2&Code=024680",
        "kind": "rescue",
    }
    [update] = await harness.slack.wait_for(lambda: harness.slack.calls_to("chat.update"))
    assert "actions" not in json.dumps(update.params.get("blocks")) and "024680" not in json.dumps(
        update.params
    )


async def test_lens_kind_uses_the_lens_page_and_outputs_an_empty_link(harness: Harness) -> None:
    await harness.link(AGENT, AUTHCODE)
    inputs = {"agent": AGENT, "kind": "lens"}
    await start_step(harness, inputs)
    await harness.slack.response(await click(harness, "step_request_pin", inputs=inputs))
    assert harness.rescue.pin_calls()[0].page == "requestLensPINCode.aspx"
    [done] = await harness.slack.wait_for(
        lambda: harness.slack.calls_to("functions.completeSuccess")
    )
    # The step always outputs all three; Rescue has no join link for Lens.
    assert done.params["outputs"] == {"pin": "100001", "link": "", "kind": "lens"}


async def test_anyone_elses_click_is_refused_and_spends_nothing(
    harness: Harness, log_stream: io.StringIO
) -> None:
    await harness.link(AGENT, AUTHCODE)
    await harness.link("UAUTHOR", OTHER_AUTHCODE)  # the workflow's author, linked themselves
    await start_step(harness, INPUTS)
    for action in ("step_request_pin", "step_decline"):
        rid = await click(harness, action, user="UAUTHOR")
        shown = message_text(await harness.slack.response(rid))
        assert tr(step_texts.STEP_NOT_YOURS, agent=AGENT) in shown
    assert harness.rescue.calls == []
    assert completions(harness) == []
    assert "step_click_refused" in log_stream.getvalue()


async def test_an_unlinked_agent_is_told_how_to_link_and_the_step_waits(harness: Harness) -> None:
    await start_step(harness, INPUTS)
    rid = await click(harness, "step_request_pin")
    shown = message_text(await harness.slack.response(rid))
    assert "link" in shown.lower()
    assert harness.rescue.calls == [] and completions(harness) == []
    # Linked now, the same button works: the step was waiting.
    await harness.link(AGENT, AUTHCODE)
    await harness.slack.response(await click(harness, "step_request_pin"))
    await ended(harness)
    assert harness.rescue.pin_calls()[0].params["authcode"] == AUTHCODE


async def test_a_rescue_failure_gives_the_usual_sentence_and_a_way_to_try_again(
    harness: Harness,
) -> None:
    from bot.rescue.client import Outcome

    await harness.link(AGENT, AUTHCODE)
    harness.rescue.answers[AUTHCODE] = "OUTOFPINCODES"
    await start_step(harness, INPUTS)
    shown = message_text(await harness.slack.response(await click(harness, "step_request_pin")))
    headline, _ = rescue_texts.failure_text(Outcome.OUTOFPINCODES)
    assert headline in shown
    assert completions(harness) == []  # never completes without a PIN
    assert harness.slack.calls_to("chat.update") == []  # the buttons stay: try again
    harness.rescue.answers[AUTHCODE] = "OK PINCODE:135791"
    await harness.slack.response(await click(harness, "step_request_pin"))
    [done] = await harness.slack.wait_for(
        lambda: harness.slack.calls_to("functions.completeSuccess")
    )
    assert "135791" in json.dumps(done.params)


async def test_declining_fails_the_step_with_a_readable_reason(harness: Harness) -> None:
    await harness.link(AGENT, AUTHCODE)
    await start_step(harness, INPUTS)
    await click(harness, "step_decline")
    [failed] = await harness.slack.wait_for(
        lambda: harness.slack.calls_to("functions.completeError")
    )
    assert failed.params["error"] == tr(step_texts.STEP_FAIL_DECLINED)
    assert failed.headers["Authorization"] == f"Bearer {FUNCTION_TOKEN}"
    assert harness.rescue.calls == []
    assert harness.slack.calls_to("functions.completeSuccess") == []
    [update] = await harness.slack.wait_for(lambda: harness.slack.calls_to("chat.update"))
    assert tr(step_texts.STEP_DECLINED) in json.dumps(update.params)


async def test_inputs_the_step_cannot_run_with_fail_it_at_once(harness: Harness) -> None:
    cases = (
        ({"kind": "rescue"}, tr(step_texts.STEP_FAIL_NO_AGENT)),
        ({"agent": AGENT, "kind": "teleport"}, tr(step_texts.STEP_FAIL_KIND)),
    )
    for number, (inputs, reason) in enumerate(cases, start=1):
        event = function_executed(inputs, execution_id=f"Fx{number}", token=FUNCTION_TOKEN)
        assert await harness.event(event) == 200
        await harness.slack.wait_for(
            lambda n=number: len(harness.slack.calls_to("functions.completeError")) == n
        )
        assert harness.slack.calls_to("functions.completeError")[-1].params["error"] == reason
    too_long = {"agent": AGENT, "tracking0": "T" * 65}
    await harness.event(function_executed(too_long, execution_id="Fx3", token=FUNCTION_TOKEN))
    await harness.slack.wait_for(
        lambda: len(harness.slack.calls_to("functions.completeError")) == 3
    )
    error = harness.slack.calls_to("functions.completeError")[-1].params["error"]
    assert "65" in error and "64" in error
    assert harness.slack.calls_to("chat.postMessage") == []


async def test_the_execution_token_is_never_logged(
    harness: Harness, log_stream: io.StringIO
) -> None:
    await harness.link(AGENT, AUTHCODE)
    await start_step(harness, INPUTS)
    await harness.slack.response(await click(harness, "step_request_pin"))
    await ended(harness)
    # The line is written once completeSuccess has answered, which can be after the fake
    # recorded the call: wait for it rather than race it.
    await harness.slack.wait_for(lambda: "step_completed" in log_stream.getvalue())
    assert FUNCTION_TOKEN not in log_stream.getvalue()
