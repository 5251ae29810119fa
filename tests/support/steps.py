"""The Workflow Builder step as Slack drives it: the step starting, and the agent's clicks."""

from __future__ import annotations

import uuid
from typing import Any

from tests.support.harness import Harness
from tests.support.slack_payloads import function_block_actions, function_executed

AGENT = "UAGENT1"
AUTHCODE = "AUTHc0de-agent-4711"
OTHER_AUTHCODE = "AUTHc0de-author-0815"
FUNCTION_TOKEN = "xwfp-1-execution-token-abcdef"
INPUTS = {"agent": AGENT, "kind": "rescue", "cfield0": "Jane Doe", "tracking0": "T-42"}


async def start_step(h: Harness, inputs: dict[str, Any], execution: str = "Fx1") -> dict[str, Any]:
    """The workflow reaches the step: the event is acked; returns the agent's message."""
    status = await h.event(function_executed(inputs, execution_id=execution, token=FUNCTION_TOKEN))
    assert status == 200
    posted = await h.slack.wait_for(
        lambda: [c for c in h.slack.calls_to("chat.postMessage") if c.params["channel"] == AGENT]
    )
    call = posted[-1]
    assert call.headers["Authorization"] == f"Bearer {FUNCTION_TOKEN}"  # tied to the step
    return call.params


async def click(
    h: Harness, action: str, user: str = AGENT, inputs: dict[str, Any] | None = None
) -> str:
    """A click on the agent's message; returns the response_url's id."""
    rid = uuid.uuid4().hex[:8]
    payload = function_block_actions(
        action,
        inputs or INPUTS,
        response_url=h.slack.response_url(rid),
        user_id=user,
        token=FUNCTION_TOKEN,
    )
    status, body = await h.interact(payload)
    assert (status, body) == (200, "")
    return rid


async def ended(h: Harness, method: str = "functions.completeSuccess") -> list[Any]:
    """The step's completeSuccess (or completeError) calls, once there are any."""
    calls: list[Any] = await h.slack.wait_for(lambda: h.slack.calls_to(method))
    return calls


def completions(h: Harness) -> list[Any]:
    return h.slack.calls_to("functions.completeSuccess") + h.slack.calls_to(
        "functions.completeError"
    )
