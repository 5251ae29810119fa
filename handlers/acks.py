"""How every listener answers Slack: the ack leaves the moment the listener makes it, and a
failure, before the ack or after it, ends in a sentence the person sees (`on_error`).

The app runs Bolt with `process_before_response` (bot/web.py), so Bolt sends whatever was
acked when `answering`'s wrapper returns; handlers/__init__.py wraps every listener in it.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import structlog
from slack_bolt.async_app import AsyncAck
from slack_bolt.response import BoltResponse

from bot.logs import get_logger
from handlers.failures import on_error

log = get_logger(__name__)

Listener = Callable[..., Awaitable[Any]]

# Bolt's own limit on waiting for a listener's ack (AsyncListener.ack_timeout): past it, Slack
# has given up, and Bolt answers as for a listener that never acked.
ACK_WAIT_SECONDS = 3.0
_at_work: set[asyncio.Task[Any]] = set()  # listeners still working after their ack


class _AckThatTells(AsyncAck):
    """The request's own ack, called through; it also resolves `called`, so that `answering`
    returns Slack's answer the moment the listener acks."""

    def __init__(self, ack: AsyncAck, called: asyncio.Future[None]) -> None:
        self._ack = ack
        self._called = called

    @property
    def response(self) -> BoltResponse | None:
        return self._ack.response

    @response.setter
    def response(self, value: BoltResponse | None) -> None:
        self._ack.response = value

    async def __call__(self, *args: Any, **kwargs: Any) -> BoltResponse:
        answer = await self._ack(*args, **kwargs)
        _resolve(self._called)
        return answer


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


def answering(listener: Listener) -> Listener:
    """`listener`, answering Slack as soon as it acks, with its failures after the ack
    handled here.

    The app runs Bolt with `process_before_response` (bot/web.py): Bolt then awaits this and
    sends what was acked when it returns. This runs the listener as a task of its own and
    returns the moment it acks (through the `ack` argument, not `context.ack`); the listener
    carries on. Bolt's default runs the listener as a task too, but looks only every 10 ms
    whether it has acked, so every ack waited up to 10 ms more. A listener without an `ack`
    argument (an event, a workflow step's start) is acked by Bolt as soon as this returns,
    which is at once: such listeners must not take `ack` (a test holds them to it).

    A failure before the ack is raised to Bolt, whose error handler (`on_error`) answers
    Slack, with what the listener had bound for its log lines. After the ack, or once Slack
    has stopped waiting (Bolt's 3 s, or the request cancelled), `on_error` is called here and
    tells the agent privately. Bolt injects arguments by the wrapped function's names (it
    unwraps).
    """

    @functools.wraps(listener)
    async def answered(**kwargs: Any) -> Any:
        ack = kwargs.get("ack")
        if not isinstance(ack, AsyncAck):  # acked by Bolt when this returns
            _start(_run_acked(listener, kwargs))
            return None
        loop = asyncio.get_running_loop()
        called: asyncio.Future[None] = loop.create_future()  # acked, ended, or out of time
        kwargs["ack"] = _AckThatTells(ack, called)
        scope = contextvars.copy_context()  # the task's: what it binds for its log lines
        work = _start(_run_acked(listener, kwargs), scope)
        ended_while_waiting = False

        def settle(_: asyncio.Task[Any]) -> None:
            nonlocal ended_while_waiting
            ended_while_waiting = not called.done()
            _resolve(called)
            if not ended_while_waiting:  # nobody here to hand a failure to Bolt
                _tell_late_failure(work, kwargs, scope)

        work.add_done_callback(settle)
        timer = loop.call_later(ACK_WAIT_SECONDS, _resolve, called)
        try:
            await called  # if the request is cancelled, the listener's task goes on
        finally:
            timer.cancel()
        if ended_while_waiting and ack.response is None and not work.cancelled():
            if work.exception() is not None:
                fields = scope.run(structlog.contextvars.get_contextvars)
                structlog.contextvars.bind_contextvars(**fields)
            return work.result()  # a failure before the ack goes to Bolt's error handler
        return None

    return answered


def _start(
    running: Coroutine[Any, Any, Any], scope: contextvars.Context | None = None
) -> asyncio.Task[Any]:
    task = asyncio.get_running_loop().create_task(running, context=scope)
    _at_work.add(task)  # the loop keeps only a weak reference to a task
    task.add_done_callback(_at_work.discard)
    return task


async def _run_acked(listener: Listener, kwargs: dict[str, Any]) -> Any:
    """The listener. A failure after its ack (an event's ack is Bolt's, made once `answered`
    returns) goes to `on_error` here; one before it is raised, for `answered` to hand Bolt."""
    try:
        return await listener(**kwargs)
    except Exception as error:
        ack = kwargs.get("ack")
        if isinstance(ack, AsyncAck) and ack.response is None:
            raise  # not acked: `answered` hands it to Bolt's error handler
        await _tell_failure_after_ack(error, kwargs)
        return None


async def _tell_failure_after_ack(error: Exception, kwargs: dict[str, Any]) -> None:
    context = kwargs.get("context")
    if not isinstance(context, dict):
        log.error("listener_failed", exc_info=error)
        return
    await on_error(error, kwargs.get("body") or {}, context, None)  # type: ignore[arg-type]


def _tell_late_failure(
    work: asyncio.Task[Any], kwargs: dict[str, Any], scope: contextvars.Context
) -> None:
    """A listener that failed unacked once Slack had stopped waiting: told as after an ack."""
    if not work.cancelled() and isinstance(error := work.exception(), Exception):
        _start(_tell_failure_after_ack(error, kwargs), scope.copy())
