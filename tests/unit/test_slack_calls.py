"""The one place a Slack call's fate is decided: classification, Retry-After, retries, time.

Pure: real exceptions and answers as slack_sdk and aiohttp produce them, plain coroutines as
the calls; no server, no mocks."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from email.utils import formatdate
from typing import Any

import aiohttp
import pytest
from aiohttp.client_reqrep import ConnectionKey
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.slack import calls as slack_calls
from bot.slack import policies as slack_policies
from bot.slack.calls import run
from bot.slack.policies import (
    Fault,
    Outcome,
    Policy,
    classify_answer,
    classify_exception,
    next_wait,
    response_url_body,
    retry_after,
)

KEY = ConnectionKey("slack.test", 443, True, True, None, None, None)


def api_error(status: int, data: Any, headers: dict[str, Any] | None = None) -> SlackApiError:
    response = AsyncSlackResponse(
        client=None,
        http_verb="POST",
        api_url="https://slack.test/api/views.open",
        req_args={},
        data=data,
        headers=headers or {},
        status_code=status,
    )
    return SlackApiError("The request to the Slack API failed.", response)


@pytest.mark.parametrize(
    ("status", "data", "fault", "error"),
    [
        (200, {"ok": True, "view": {}}, None, ""),
        (200, {"ok": False, "error": "invalid_trigger"}, Fault.SLACK_ERROR, "invalid_trigger"),
        (200, {"ok": False}, Fault.SLACK_ERROR, "unreadable"),
        # What slack_sdk keeps of a body that is not JSON: a str (text/plain), {} (any other
        # content type), None (empty).
        (200, "<html>Maintenance</html>", Fault.NOT_JSON, "200"),
        (200, {}, Fault.NOT_JSON, "200"),
        (200, None, Fault.NOT_JSON, "200"),
        (200, {"unexpected": "shape"}, Fault.NOT_JSON, "200"),
        (503, "Service Unavailable", Fault.SERVER_ERROR, "503"),
        (500, {"ok": False, "error": "fatal_error"}, Fault.SERVER_ERROR, "500"),
        (502, {}, Fault.SERVER_ERROR, "502"),
        (405, "Method Not Allowed", Fault.HTTP_ERROR, "405"),
        (404, {"ok": False, "error": "expired_url"}, Fault.SLACK_ERROR, "expired_url"),
        (403, {}, Fault.HTTP_ERROR, "403"),
        (429, {"ok": False, "error": "ratelimited"}, Fault.RATE_LIMITED, "429"),
    ],
)
def test_every_answer_and_its_slack_api_error_classify_alike(
    status: int, data: Any, fault: Fault | None, error: str
) -> None:
    answered = classify_answer(status, {}, data)
    assert (answered.fault, answered.error, answered.status) == (fault, error, status)
    if fault is not None:
        raised = classify_exception(api_error(status, data))
        assert (raised.fault, raised.error, raised.status) == (fault, error, status)


def test_an_error_code_that_is_not_one_never_reaches_a_log() -> None:
    leaked = {"ok": False, "error": "card 4111 1111 1111 1111 <script>"}
    assert classify_answer(200, {}, leaked).error == "unreadable"
    assert classify_answer(200, {}, {"ok": False, "error": "x" * 200}).error == "unreadable"


def test_a_body_labelled_json_that_does_not_parse_keeps_no_readable_response() -> None:
    # slack_sdk then raises SlackApiError with whatever it could keep; without a status
    # there is nothing to trust but that it was not Slack's JSON.
    outcome = classify_exception(SlackApiError("Received a response in a non-JSON format", None))
    assert (outcome.fault, outcome.error) == (Fault.NOT_JSON, "unreadable")


@pytest.mark.parametrize(
    ("error", "fault"),
    [
        (TimeoutError(), Fault.TIMEOUT),
        (aiohttp.ServerTimeoutError("read"), Fault.TIMEOUT),
        (aiohttp.ServerDisconnectedError(), Fault.DROPPED),
        (aiohttp.ClientOSError(104, "Connection reset by peer"), Fault.DROPPED),
        (aiohttp.ClientPayloadError("cut short"), Fault.DROPPED),
        (ConnectionResetError(104, "reset"), Fault.DROPPED),
        (aiohttp.ClientConnectorError(KEY, ConnectionRefusedError(111, "no")), Fault.UNREACHABLE),
        (aiohttp.ClientConnectorDNSError(KEY, OSError(-2, "unknown name")), Fault.UNREACHABLE),
        (aiohttp.InvalidURL("nowhere"), Fault.UNREACHABLE),
        (UnicodeDecodeError("utf-8", b"\xff", 0, 1, "bad"), Fault.NOT_JSON),
        (RuntimeError("a bug"), Fault.UNEXPECTED),
    ],
)
def test_transport_failures(error: BaseException, fault: Fault) -> None:
    outcome = classify_exception(error)
    assert outcome.fault is fault
    assert outcome.error == type(error).__name__


def test_server_disconnected_is_not_an_oserror_but_is_classified() -> None:
    # Why `except OSError` let it through before.
    assert not isinstance(aiohttp.ServerDisconnectedError(), OSError)
    assert classify_exception(aiohttp.ServerDisconnectedError()).fault is Fault.DROPPED


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"Retry-After": "30"}, 30.0),  # slack_sdk's own handler reads only "3" of this
        ({"retry-after": "1.5"}, 1.5),
        ({"Retry-After": ["2"]}, 2.0),
        ({"Retry-After": "-4"}, 0.0),
        ({"Retry-After": "soon"}, None),
        ({"Retry-After": "nan"}, None),
        ({}, None),
        (None, None),
    ],
)
def test_retry_after(headers: Any, seconds: float | None) -> None:
    assert retry_after(headers) == seconds


def test_retry_after_as_an_http_date() -> None:
    later = retry_after({"Retry-After": formatdate(time.time() + 20, usegmt=True)})
    assert later is not None and 15 <= later <= 21


def test_a_429_carries_its_retry_after() -> None:
    outcome = classify_exception(api_error(429, {"ok": False}, {"Retry-After": "7"}))
    assert (outcome.fault, outcome.retry_after) == (Fault.RATE_LIMITED, 7.0)


@pytest.mark.parametrize(
    ("raw", "data"),
    [
        (b"ok", {"ok": True}),
        (b"", {"ok": True}),
        (b"expired_url", {"ok": False, "error": "expired_url"}),
        (b'{"ok": false, "error": "used_url"}', {"ok": False, "error": "used_url"}),
        (b"<html>Bad gateway</html>", "<html>Bad gateway</html>"),
        (b"\xff\xfe", "\ufffd\ufffd"),
    ],
)
def test_response_url_bodies(raw: bytes, data: Any) -> None:
    assert response_url_body(raw) == data


def test_a_response_url_that_expired_is_slacks_no() -> None:
    outcome = classify_answer(404, {}, response_url_body(b"expired_url"))
    assert (outcome.fault, outcome.error) == (Fault.SLACK_ERROR, "expired_url")


def test_an_empty_response_url_answer_is_judged_by_its_status() -> None:
    assert classify_answer(200, {}, response_url_body(b"")).fault is None
    assert classify_answer(502, {}, response_url_body(b"")).fault is Fault.SERVER_ERROR
    assert classify_answer(404, {}, response_url_body(b"")).fault is Fault.HTTP_ERROR


SAFE = Policy(attempt_timeout=1.0, budget=10.0, retries=2, backoff=(0.25, 0.75))
ONCE = Policy(attempt_timeout=1.0, budget=10.0, retries=2, repeatable=False)


@pytest.mark.parametrize(
    ("policy", "outcome", "retried", "limited", "wait"),
    [
        (SAFE, Outcome(Fault.SERVER_ERROR), 0, 0, 0.25),
        (SAFE, Outcome(Fault.DROPPED), 1, 0, 0.75),
        (SAFE, Outcome(Fault.DROPPED), 2, 0, None),  # twice is enough
        (SAFE, Outcome(Fault.UNREACHABLE), 0, 0, 0.25),
        (SAFE, Outcome(Fault.TIMEOUT), 0, 0, None),  # the budget is spent waiting already
        (SAFE, Outcome(Fault.SLACK_ERROR, "channel_not_found"), 0, 0, None),
        (SAFE, Outcome(Fault.NOT_JSON), 0, 0, None),
        (SAFE, Outcome(Fault.HTTP_ERROR, "405"), 0, 0, None),
        (SAFE, Outcome(Fault.UNEXPECTED), 0, 0, None),
        (SAFE, Outcome(Fault.RATE_LIMITED, retry_after=3.0), 0, 0, 3.0),
        (SAFE, Outcome(Fault.RATE_LIMITED), 0, 1, slack_policies.DEFAULT_RETRY_AFTER),
        (SAFE, Outcome(Fault.RATE_LIMITED, retry_after=0.0), 0, 2, None),
        # Posted for a channel to see: only what Slack surely did not take is sent again.
        (ONCE, Outcome(Fault.SERVER_ERROR), 0, 0, None),
        (ONCE, Outcome(Fault.DROPPED), 0, 0, None),
        (ONCE, Outcome(Fault.UNREACHABLE), 0, 0, 0.25),
        (ONCE, Outcome(Fault.RATE_LIMITED, retry_after=1.0), 0, 0, 1.0),
    ],
)
def test_retry_policy(
    policy: Policy, outcome: Outcome, retried: int, limited: int, wait: float | None
) -> None:
    assert next_wait(policy, outcome, retried, limited) == wait


def script(*steps: Any) -> tuple[Callable[[], Any], list[float]]:
    """A call that raises or answers each step in turn; records when each attempt began."""
    started: list[float] = []
    queue = list(steps)

    async def send() -> Any:
        started.append(time.monotonic())
        step = queue.pop(0) if queue else {"ok": True}
        if isinstance(step, BaseException):
            raise step
        if isinstance(step, float):  # hang this long
            await asyncio.sleep(step)
            return {"ok": True}
        return step

    return send, started


FAST = Policy(attempt_timeout=1.0, budget=10.0, retries=2, backoff=(0.01, 0.02))


async def test_two_dropped_connections_then_an_answer() -> None:
    send, started = script(aiohttp.ServerDisconnectedError(), aiohttp.ServerDisconnectedError())
    result = await run("views.open", send, FAST)
    assert result.ok and result.attempts == 3 and len(started) == 3


async def test_three_dropped_connections_are_a_clear_failure_not_an_exception() -> None:
    send, _ = script(*[aiohttp.ServerDisconnectedError()] * 3, {"ok": True})
    result = await run("views.open", send, FAST)
    assert (result.fault, result.attempts, result.maybe_done) == (Fault.DROPPED, 3, True)


async def test_a_5xx_dm_is_sent_again_and_arrives() -> None:
    send, _ = script(api_error(503, "Service Unavailable"), {"ok": True, "ts": "1.2"})
    result = await run("chat.postMessage", send, FAST)
    assert result.ok and result.attempts == 2 and result.get("ts") == "1.2"


async def test_a_public_post_is_not_repeated_when_slack_may_have_taken_it() -> None:
    once = Policy(attempt_timeout=1.0, budget=10.0, repeatable=False, backoff=(0.01,))
    send, started = script(aiohttp.ServerDisconnectedError())
    assert (await run("response_url", send, once)).fault is Fault.DROPPED
    assert len(started) == 1
    refused = aiohttp.ClientConnectorError(KEY, ConnectionRefusedError(111, "refused"))
    send, started = script(refused)
    assert (await run("response_url", send, once)).ok
    assert len(started) == 2


async def test_a_hang_ends_at_the_attempts_timeout() -> None:
    policy = Policy(attempt_timeout=0.3, budget=10.0)
    send, started = script(60.0)
    begun = time.monotonic()
    result = await run("views.publish", send, policy)
    assert (result.fault, result.attempts, len(started)) == (Fault.TIMEOUT, 1, 1)
    assert 0.3 <= time.monotonic() - begun < 10


async def test_retry_after_longer_than_the_budget_stops_at_once() -> None:
    policy = Policy(attempt_timeout=1.0, budget=2.0)
    send, started = script(api_error(429, {"ok": False}, {"Retry-After": "30"}))
    begun = time.monotonic()
    result = await run("views.open", send, policy)
    assert (result.fault, len(started)) == (Fault.RATE_LIMITED, 1)
    assert time.monotonic() - begun < 2.0


async def test_retry_after_is_honoured() -> None:
    send, started = script(api_error(429, {"ok": False}, {"Retry-After": "0.3"}))
    result = await run("chat.postMessage", send, FAST)
    assert result.ok and len(started) == 2
    assert started[1] - started[0] >= 0.3


async def test_views_open_budget_counts_from_the_request_arrival() -> None:
    # The request came 2 s ago: of views.open's 2.7 s, 0.7 s are left for every attempt.
    async def late() -> slack_policies.SlackResult:
        slack_calls.mark_arrival(time.monotonic() - 2.0)
        send, _ = script(60.0)
        return await run("views.open", send, slack_policies.VIEWS_OPEN)

    begun = time.monotonic()
    result = await asyncio.create_task(late())  # a context of its own, as each request has
    assert result.fault is Fault.TIMEOUT
    assert time.monotonic() - begun < 2.0
    assert slack_calls.arrival() is None  # this task's context was never marked

    async def too_late() -> slack_policies.SlackResult:
        slack_calls.mark_arrival(time.monotonic() - 5.0)
        send, started = script({"ok": True})
        result = await run("views.open", send, slack_policies.VIEWS_OPEN)
        assert started == []  # the trigger is dead: not even tried
        return result

    assert (await asyncio.create_task(too_late())).error == "no_time_left"


async def test_cancellation_is_not_swallowed() -> None:
    send, _ = script(60.0)
    task = asyncio.create_task(run("users.info", send, FAST))
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_an_unexpected_error_is_a_failure_with_its_type() -> None:
    send, _ = script(KeyError("view"))
    result = await run("views.publish", send, FAST)
    assert (result.fault, result.error, result.attempts) == (Fault.UNEXPECTED, "KeyError", 1)


def test_bolts_client_copied_into_a_slack_client_is_one_built_alike() -> None:
    # bot.web copies Bolt's per-request client instead of building a second one: the copy
    # must hold what a SlackClient built from the same arguments holds, and be its own.
    from slack_sdk.web.async_client import AsyncWebClient

    from bot.bolt import BOLT_CALL_SECONDS, bounded

    arguments: dict[str, Any] = {
        "token": "xoxb-1-copy",
        "base_url": "http://127.0.0.1:9/api/",
        "team_id": "T1",
        "headers": {"X-Extra": "1"},
    }
    plain = AsyncWebClient(**arguments)
    copied = bounded(plain)
    built = slack_calls.SlackClient(**arguments, retry_handlers=[], call_timeout=BOLT_CALL_SECONDS)
    assert type(copied) is slack_calls.SlackClient
    assert vars(copied) == vars(built)
    copied.token = "xoxb-2-other"
    copied.default_params["team_id"] = "T2"
    assert plain.token == "xoxb-1-copy" and plain.default_params == {"team_id": "T1"}
