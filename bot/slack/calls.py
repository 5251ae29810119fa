"""Every call to Slack goes through here: one timeout, one retry policy, one classification.

Whatever happens to a Slack call (its JSON `"ok": false`, a body that is not JSON whatever its
content type, a 4xx or 5xx, a 429, a reset or dropped connection, a name that does not
resolve, a hang) the caller gets a `SlackResult`: `ok`, or a `Fault` with a short `error` fit
for a log line and a metric label. Callers never see an exception from a Slack call, so no
listener can crash on one, and each decides what the agent is told.

Why this exists rather than slack_sdk's own handling (checked against slack_sdk 3.47):
- `AsyncWebClient(timeout=…)` and `AsyncWebhookClient(timeout=…)` ignore `timeout` when they
  are handed a running `aiohttp` session (`_request_with_session` only applies it to a
  session of its own): the process-wide session's default is 300 seconds.
- A non-JSON answer reaches the caller as `SlackApiError.response` holding an
  `AsyncSlackResponse` whose `data` is a `str` (`text/plain`), `{}` (any other content type)
  or `None` (an empty body), or holding the raw `aiohttp.ClientResponse` (a body labelled
  `application/json` that does not parse). A `text/plain` 200 even raises `AttributeError`
  from `validate()` itself. `error.response.get("error")` therefore crashes.
- `AsyncConnectionErrorRetryHandler` does cover `ServerDisconnectedError`, but
  `max_retry_count` is shared with the other handlers' attempts, `AsyncServerErrorRetryHandler`
  knows only 500 and 503, the webhook client consults its handlers on 429 alone, and none
  knows whether a call is safe to send twice or how long a `trigger_id` lives.
So the clients are built without retry handlers and this module retries, by `Policy`
(`bot/slack/policies.py`: the policies, and what each answer means).
"""

from __future__ import annotations

import asyncio
import contextvars
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import aiohttp
from slack_sdk.web.async_client import AsyncWebClient

from bot.logs import get_logger
from bot.metrics import SLACK_API_ERRORS
from bot.slack.policies import (
    AMBIGUOUS,
    RESPONSE_URL,
    Fault,
    Outcome,
    Policy,
    SlackResult,
    classify_answer,
    classify_exception,
    next_wait,
    policy_for,
    response_url_body,
)

log = get_logger(__name__)


_arrival: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "slack_request_arrival", default=None
)
# Set during one of `run`'s attempts, which has its own timeout.
_timed: contextvars.ContextVar[bool] = contextvars.ContextVar("slack_call_timed", default=False)


def mark_arrival(at: float | None = None) -> None:
    """Note when the Slack request being handled arrived (`time.monotonic()`), for the
    calls whose budget runs from then (views.open and its trigger_id)."""
    _arrival.set(time.monotonic() if at is None else at)


def arrival() -> float | None:
    return _arrival.get()


class SlackClient(AsyncWebClient):
    """The Web API client for every caller, Bolt's own calls (auth.test) included.

    It has a timeout on the shared session, which slack_sdk's has not (`call_timeout`, for
    the calls made outside `run`, whose attempts have their own), and it hands a body that is
    not JSON on as `{}`, so that `validate()` raises `SlackApiError` for it instead of
    `AttributeError` (a `text/plain` 200). Build it with `retry_handlers=[]`: `run` retries.
    """

    def __init__(self, *args: Any, call_timeout: float = 2.5, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # slack_sdk's `timeout` is a whole number of seconds, and ignored on a shared session.
        self.call_timeout = call_timeout

    async def _request(
        self, *, http_verb: str, api_url: str, req_args: dict[str, Any]
    ) -> dict[str, Any]:
        async with asyncio.timeout(None if _timed.get() else self.call_timeout):
            answer: dict[str, Any] = await super()._request(
                http_verb=http_verb, api_url=api_url, req_args=req_args
            )
        if isinstance(answer.get("data"), str):
            answer = {**answer, "data": {}}
        return answer


# Calls.


async def _attempt(send: Callable[[], Awaitable[Any]], seconds: float) -> Outcome:
    timed = _timed.set(True)
    try:
        async with asyncio.timeout(seconds):
            answer = await send()
    except Exception as error:  # classified; CancelledError is not an Exception
        outcome = classify_exception(error)
        if outcome.fault is Fault.UNEXPECTED:
            log.error("slack_call_unexpected", exc_info=error)
        return outcome
    finally:
        _timed.reset(timed)
    if isinstance(answer, Outcome):
        return answer
    status = getattr(answer, "status_code", 200)
    data = getattr(answer, "data", answer)
    return classify_answer(status if isinstance(status, int) else 200, None, data)


async def run(
    method: str,
    send: Callable[[], Awaitable[Any]],
    policy: Policy,
    *,
    budget: float | None = None,
) -> SlackResult:
    """Call `send()` (one attempt at `method`) under `policy`; never raises but cancellation.

    `budget` narrows the policy's, when a caller has less time (a modal still to open).
    """
    loop = asyncio.get_running_loop()
    started = loop.time()
    seconds = policy.budget if budget is None else min(policy.budget, budget)
    deadline = started + seconds
    arrived = arrival() if policy.from_arrival else None
    if arrived is not None:
        deadline = min(deadline, started + policy.budget - (time.monotonic() - arrived))
    attempts = retried = limited = 0
    ambiguous = False
    while True:
        attempts += 1
        remaining = deadline - loop.time()
        if remaining <= 0:
            outcome = Outcome(Fault.TIMEOUT, "no_time_left")
            break
        outcome = await _attempt(send, min(policy.attempt_timeout, remaining))
        ambiguous = ambiguous or outcome.fault in AMBIGUOUS
        wait = next_wait(policy, outcome, retried, limited)
        if wait is None:
            break
        if loop.time() + wait >= deadline:
            break  # Retry-After (or the backoff) would outlast the budget: stop now
        if outcome.fault is Fault.RATE_LIMITED:
            limited += 1
        else:
            retried += 1
        log.info(
            "slack_call_retry",
            method=method,
            fault=outcome.fault.value if outcome.fault else None,
            error=outcome.error,
            wait=round(wait, 3),
        )
        await asyncio.sleep(wait)
    result = SlackResult(
        method,
        outcome.fault,
        outcome.error,
        outcome.status,
        outcome.data,
        attempts,
        round(loop.time() - started, 3),
        ambiguous or outcome.fault in AMBIGUOUS,
    )
    if result.fault is not None:
        SLACK_API_ERRORS.labels(method, result.error or result.fault.value).inc()
        log.warning(
            "slack_call_failed",
            method=method,
            fault=result.fault.value,
            error=result.error,
            status=result.status,
            attempts=attempts,
            seconds=result.seconds,
        )
    return result


async def call(
    client: AsyncWebClient,
    method: str,
    *,
    policy: Policy | None = None,
    budget: float | None = None,
    **params: Any,
) -> SlackResult:
    """One Web API method, by its name, with its parameters as slack_sdk's method takes them.

    `client.views_open(trigger_id=…, view=…)` becomes `call(client, "views.open", trigger_id=…,
    view=…)`: the same encoding (slack_sdk's per-method function), this module's handling.
    """
    send = getattr(client, method.replace(".", "_"))
    return await run(method, lambda: send(**params), policy or policy_for(method), budget=budget)


async def post_to_response_url(
    session: aiohttp.ClientSession,
    url: str,
    message: Mapping[str, Any],
    policy: Policy = RESPONSE_URL,
) -> SlackResult:
    """POST a message to an interaction's response_url (ephemeral unless the message says)."""

    async def send() -> Outcome:
        async with session.post(url, json=dict(message)) as answer:
            raw = await answer.read()
            return classify_answer(answer.status, answer.headers, response_url_body(raw))

    return await run("response_url", send, policy)
