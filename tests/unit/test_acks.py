"""`answering`: Slack gets its answer the moment a listener acks, and the listener goes on.

Driven with Bolt's own AsyncAck and BoltContext, as Bolt hands them to a listener; the app
runs Bolt with process_before_response, so what `answered` returns is when Slack hears."""

from __future__ import annotations

import asyncio
import io
import json
from typing import Any, cast

import pytest
import structlog
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.runtime import Runtime
from handlers import acks, register
from handlers.acks import answering


async def test_answers_as_soon_as_the_listener_acks_and_lets_it_finish() -> None:
    carry_on, finished = asyncio.Event(), asyncio.Event()

    async def listener(ack: AsyncAck) -> None:
        await ack(response_action="clear")
        await carry_on.wait()
        finished.set()

    ack = AsyncAck()
    await asyncio.wait_for(answering(listener)(ack=ack), 1)
    assert ack.response is not None
    assert json.loads(ack.response.body) == {"response_action": "clear"}
    assert not finished.is_set()  # still at work after Slack's answer
    carry_on.set()
    await asyncio.wait_for(finished.wait(), 1)


async def test_a_failure_before_the_ack_goes_to_bolts_error_handler() -> None:
    async def listener(ack: AsyncAck) -> None:
        raise ValueError("unreadable")

    ack = AsyncAck()
    with pytest.raises(ValueError, match="unreadable"):
        await answering(listener)(ack=ack)
    assert ack.response is None  # Bolt's error handler makes the answer


async def test_a_failure_after_the_ack_is_logged_once_and_not_raised(
    log_stream: io.StringIO,
) -> None:
    async def listener(ack: AsyncAck, context: AsyncBoltContext, body: dict[str, object]) -> None:
        await ack()
        await asyncio.sleep(0)
        raise RuntimeError("after the ack")

    ack = AsyncAck()
    await answering(listener)(ack=ack, context=AsyncBoltContext(), body={})
    assert ack.response is not None and ack.response.status == 200
    await _logged(log_stream, "listener_failed")
    assert log_stream.getvalue().count('"listener_failed"') == 1
    assert "after the ack" in log_stream.getvalue()
    assert "never retrieved" not in log_stream.getvalue()


async def test_an_event_is_answered_at_once_and_handled_after() -> None:
    started, carry_on, finished = asyncio.Event(), asyncio.Event(), asyncio.Event()

    async def listener(body: dict[str, object]) -> None:
        started.set()
        await carry_on.wait()
        finished.set()

    await asyncio.wait_for(answering(listener)(body={}), 1)  # Bolt acks it on return
    await asyncio.wait_for(started.wait(), 1)
    carry_on.set()
    await asyncio.wait_for(finished.wait(), 1)


async def test_a_listener_that_never_acks_is_not_waited_for_past_the_deadline(
    monkeypatch: pytest.MonkeyPatch, log_stream: io.StringIO
) -> None:
    monkeypatch.setattr(acks, "ACK_WAIT_SECONDS", 0.05)
    carry_on = asyncio.Event()

    async def listener(ack: AsyncAck) -> None:
        await carry_on.wait()
        raise RuntimeError("never acked")

    ack = AsyncAck()
    assert await asyncio.wait_for(answering(listener)(ack=ack), 1) is None
    assert ack.response is None  # Bolt then answers as for a listener that never acked
    carry_on.set()
    await _logged(log_stream, "listener_failed")  # its failure is not lost in a task
    assert "never retrieved" not in log_stream.getvalue()


async def test_a_failure_before_the_ack_keeps_the_fields_the_listener_logged_with() -> None:
    async def listener(ack: AsyncAck) -> None:
        structlog.contextvars.bind_contextvars(action="link_submitted", user="U1")
        raise ValueError("unreadable")

    structlog.contextvars.clear_contextvars()
    with pytest.raises(ValueError):
        await answering(listener)(ack=AsyncAck())
    # Bolt's error handler logs in the caller's context: the listener's fields are there.
    bound = structlog.contextvars.get_contextvars()
    structlog.contextvars.clear_contextvars()
    assert bound == {"action": "link_submitted", "user": "U1"}


async def test_a_request_cancelled_before_the_ack_leaves_no_failure_unseen(
    log_stream: io.StringIO,
) -> None:
    unseen: list[dict[str, Any]] = []
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(lambda _, context: unseen.append(context))
    started, carry_on = asyncio.Event(), asyncio.Event()

    async def listener(ack: AsyncAck) -> None:
        started.set()
        await carry_on.wait()
        raise RuntimeError("after the request went")

    try:
        request = asyncio.ensure_future(answering(listener)(ack=AsyncAck()))
        await started.wait()
        request.cancel()
        with pytest.raises(asyncio.CancelledError):
            await request
        carry_on.set()
        await _logged(log_stream, "listener_failed")
        await asyncio.sleep(0.05)
    finally:
        loop.set_exception_handler(None)
    assert unseen == []


def test_every_listener_answers_at_its_ack_and_none_bolt_acks_takes_ack() -> None:
    app = AsyncApp(client=AsyncWebClient(token="xoxb-test"), signing_secret="s")
    register(app, cast(Runtime, object()))  # the runtime is only handed to a middleware
    listeners = app._async_listeners
    assert len(listeners) >= 19  # as registered today
    for listener in listeners:
        function = listener.ack_function
        assert function.__code__.co_name == "answered", function  # answering(...)
        if listener.auto_acknowledgement:  # events, workflow steps: Bolt acks them
            assert "ack" not in listener.arg_names, function.__wrapped__


async def test_an_ack_that_ends_the_listener_is_answered() -> None:
    async def listener(ack: AsyncAck) -> None:
        await ack(text="done")

    ack = AsyncAck()
    await asyncio.wait_for(answering(listener)(ack=ack), 1)
    assert ack.response is not None and ack.response.body == "done"


async def _logged(stream: io.StringIO, event: str) -> None:
    for _ in range(100):
        if f'"{event}"' in stream.getvalue():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"{event} was not logged")
