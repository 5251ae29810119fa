"""Scripted faults for the fake Slack: per Web API method and per response_url, what to answer
instead of the fake's own answer (status, body, content type, headers, delay, a dropped
connection) and how many times in a row.

    slack.script("views.open", SlackFault.dropped(times=2))
    slack.script(f"response:{rid}", SlackFault.not_json(503, "upstream down", "text/plain"))
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from aiohttp import web

Drop = Literal["close", "reset"]


@dataclass(frozen=True)
class SlackFault:
    status: int = 200
    body: str | bytes | Mapping[str, Any] = ""
    content_type: str = "application/json"
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before the answer (or the drop)
    drop: Drop | None = None  # "close": ServerDisconnectedError; "reset": a TCP reset
    times: int = 1
    usual_answer: bool = False  # after the delay, the fake's own answer (a slow Slack)

    @classmethod
    def slack_error(cls, error: str, status: int = 200, times: int = 1) -> SlackFault:
        return cls(status, {"ok": False, "error": error}, times=times)

    @classmethod
    def rate_limited(cls, retry_after: str = "1", times: int = 1) -> SlackFault:
        body = {"ok": False, "error": "ratelimited"}
        return cls(429, body, headers={"Retry-After": retry_after}, times=times)

    @classmethod
    def not_json(
        cls,
        status: int = 503,
        body: str = "Service Unavailable",
        content_type: str = "text/plain",
        times: int = 1,
    ) -> SlackFault:
        return cls(status, body, content_type, times=times)

    @classmethod
    def html_as_json(cls, status: int = 200, times: int = 1) -> SlackFault:
        """A proxy's page labelled application/json: it does not parse."""
        page = "<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>"
        return cls(status, page, "application/json", times=times)

    @classmethod
    def server_error(cls, status: int = 500, times: int = 1) -> SlackFault:
        return cls(status, {"ok": False, "error": "fatal_error"}, times=times)

    @classmethod
    def dropped(cls, how: Drop = "close", times: int = 1) -> SlackFault:
        return cls(drop=how, times=times)

    @classmethod
    def hang(cls, seconds: float = 60.0, times: int = 1) -> SlackFault:
        """No answer for `seconds` (a stop of the fake ends the wait), then the usual one."""
        return cls(delay=seconds, times=times, usual_answer=True)

    @property
    def answers(self) -> bool:
        """Whether this fault replaces the answer (a hang only delays the usual one)."""
        return not self.usual_answer


class FaultScript:
    """Queues of faults by target: a Web API method name, or `response:<rid>`."""

    def __init__(self) -> None:
        self._queues: dict[str, list[SlackFault]] = {}
        self.stopping = asyncio.Event()

    def add(self, target: str, fault: SlackFault) -> None:
        self._queues.setdefault(target, []).extend([fault] * fault.times)

    def take(self, target: str) -> SlackFault | None:
        queue = self._queues.get(target)
        return queue.pop(0) if queue else None

    def left(self, target: str) -> int:
        return len(self._queues.get(target, []))

    async def wait(self, fault: SlackFault) -> None:
        if fault.delay:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), fault.delay)

    @staticmethod
    def answer(request: web.Request, fault: SlackFault) -> web.StreamResponse:
        if fault.drop is not None:
            transport = request.transport
            assert transport is not None
            if fault.drop == "reset":
                transport.abort()
            else:
                transport.close()
            return web.Response()
        body = fault.body
        raw = json.dumps(body).encode() if isinstance(body, Mapping) else body
        raw = raw.encode() if isinstance(raw, str) else raw
        response = web.Response(status=fault.status, body=raw, headers=dict(fault.headers))
        response.content_type = fault.content_type
        return response
