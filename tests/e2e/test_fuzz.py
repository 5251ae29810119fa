"""Hypothesis against the running app: real payload shapes with fields removed, retyped,
oversized or nested wrongly, signed, never get a 5xx; unsigned or stale ones always get 401,
before any parsing. The server stays healthy after thousands of them."""

from __future__ import annotations

import asyncio
import copy
import json
import os
import threading
import time
from collections.abc import Coroutine, Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.fakes import FakeRescue, FakeSlack
from tests.support.harness import Harness, start_harness
from tests.support.settings import TEAM
from tests.support.slack_payloads import (
    app_home_opened,
    block_actions,
    global_shortcut,
    link_values,
    message_shortcut,
    slash_command,
    state_values,
    view_submission,
)

AUTHCODE = "fuzz-authcode-0f0f0f"
IN_CI = os.environ.get("CI") == "true"


class Live:
    """The app and its fakes on an event loop of their own, so Hypothesis can drive it
    from a plain (synchronous) test."""

    def __init__(self, tmp: str) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.harness: Harness = self.run(self._start(tmp))

    def run(self, coroutine: Coroutine[Any, Any, Any], timeout: float = 30) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    async def _start(self, tmp: str) -> Harness:
        self.slack, self.rescue = FakeSlack(TEAM), FakeRescue()
        await self.slack.start()
        await self.rescue.start()
        harness, self._closers = await start_harness(
            self.slack, self.rescue, f"sqlite:///{tmp}/fuzz.sqlite3"
        )
        await harness.link("U1", AUTHCODE)
        return harness

    async def _stop(self) -> None:
        server, http = self._closers
        await http.close()
        await server.close()
        await self.slack.stop()
        await self.rescue.stop()

    def close(self) -> None:
        self.run(self._stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()

    def quiet(self, settle: float = 2.0, within: float = 60.0) -> None:
        """Wait until the work earlier requests set going has finished (a DM after a
        response_url refused, with its retries): no call reaches either fake for `settle`
        seconds. A test that counts calls starts from here."""

        def seen() -> tuple[int, int, int]:
            posts = sum(self.slack.response_posts.values())
            return len(self.slack.calls), posts, len(self.rescue.calls)

        async def settled() -> None:
            loop = asyncio.get_running_loop()
            deadline = loop.time() + within
            last, since = seen(), loop.time()
            while loop.time() - since < settle:
                assert loop.time() < deadline, "the app never went quiet"
                await asyncio.sleep(0.1)
                if seen() != last:
                    last, since = seen(), loop.time()

        self.run(settled(), timeout=within + 5)

    def health(self) -> int:
        async def get() -> int:
            async with self.harness.http.get(self.harness.server.make_url("/healthz")) as r:
                return r.status

        return int(self.run(get()))


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    app = Live(str(tmp_path_factory.mktemp("fuzz")))
    yield app
    app.close()


def bases(response_url: str) -> list[tuple[str, dict[str, Any]]]:
    """One of every kind of request the app takes, as Slack sends it."""
    metadata = json.dumps({"k": "rescue", "r": response_url, "c": "C1"})
    pin_values = state_values({"cfield0": "Jane", "tracking0": "T-1"}, no_console=True)
    dead_url = "http://127.0.0.1:9/response/fuzz"
    return [
        ("form", slash_command("Jane Doe", response_url=response_url, trigger_id="t-fuzz")),
        (
            "payload",
            view_submission(
                {"callback_id": "pin_request", "private_metadata": metadata}, pin_values
            ),
        ),
        (
            "payload",
            view_submission(
                {"callback_id": "link_request", "private_metadata": metadata},
                link_values("x" * 20),
            ),
        ),
        *(
            ("payload", block_actions(action, value, response_url=dead_url, trigger_id="t-fuzz"))
            for action, value in (
                ("pin_share", "1"),
                ("pin_retry_no_console", "token"),
                ("home_request_rescue", "rescue"),
                ("link_open", ""),
            )
        ),
        (
            "payload",
            message_shortcut(
                {"type": "message", "user": "U2", "text": "help", "ts": "1.1"},
                response_url=response_url,
                trigger_id="t-fuzz",
            ),
        ),
        ("payload", global_shortcut(trigger_id="t-fuzz")),
        ("json", app_home_opened("U1")),
    ]


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=8,
)


def _slots(node: Any) -> Iterator[tuple[Any, Any]]:
    """Every (container, key) under `node`, depth first."""
    items = (
        node.items()
        if isinstance(node, dict)
        else enumerate(node)
        if isinstance(node, list)
        else []
    )
    for key, value in list(items):
        yield node, key
        yield from _slots(value)


@st.composite
def malformed(draw: st.DrawFn, response_url: str) -> tuple[str, Any]:
    encoding, base = draw(st.sampled_from(bases(response_url)))
    doc = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 4))):
        slots = list(_slots(doc))
        if not slots:
            break
        container, key = draw(st.sampled_from(slots))
        change = draw(st.sampled_from(["remove", "retype", "oversize", "nest"]))
        if change == "remove":
            del container[key]
        elif change == "retype":
            container[key] = draw(JSON)
        elif change == "oversize":
            container[key] = "é" * draw(st.integers(3_000, 60_000))
        else:
            container[key] = draw(st.sampled_from([[container[key]], {"value": container[key]}]))
    return encoding, doc


def encode(encoding: str, doc: Any) -> tuple[bytes, str]:
    if encoding == "json":
        return json.dumps(doc).encode(), "application/json"
    if encoding == "payload":
        return urlencode({"payload": json.dumps(doc)}).encode(), "application/x-www-form-urlencoded"
    flat = {k: v if isinstance(v, str) else json.dumps(v) for k, v in doc.items()}
    return urlencode(flat).encode(), "application/x-www-form-urlencoded"


FUZZ = settings(
    max_examples=1500,
    deadline=None,
    derandomize=IN_CI,  # CI runs the same examples every time; by hand, new ones
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)


def test_signed_malformed_payloads_never_get_a_5xx_and_the_server_stays_healthy(
    live: Live,
) -> None:
    @FUZZ
    @given(data=st.data())
    def signed_malformed(data: st.DataObject) -> None:
        encoding, doc = data.draw(malformed(live.slack.response_url("fuzz")))
        body, content_type = encode(encoding, doc)
        status, text, _ = live.run(live.harness.post(body, content_type), timeout=15)
        assert status < 500, (status, text)

    signed_malformed()
    assert live.health() == 200
    # The mutants got past the door, deep into the flows, not only refused at the top.
    assert live.slack.calls_to("views.open") and live.rescue.pin_calls()
    # (The link modal's mutants relink U1, so the authcode varies; it never sits in a URL.)
    assert all(c.params["authcode"] and not c.query for c in live.rescue.pin_calls())


def test_unsigned_or_stale_requests_get_401_before_parsing(live: Live) -> None:
    h = live.harness

    @settings(FUZZ, max_examples=500)
    @given(
        body=st.binary(max_size=2000),
        how=st.sampled_from(
            ["unsigned", "stale", "future", "wrong", "garbage_timestamp", "superscript_timestamp"]
        ),
    )
    def refused(body: bytes, how: str) -> None:
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        now = int(time.time())
        if how == "stale":
            headers.update(h.signed_headers(body, now - 301))
        elif how == "future":
            headers.update(h.signed_headers(body, now + 301))
        elif how == "wrong":
            headers.update(h.signed_headers(body + b"x", now))
            headers["X-Slack-Request-Timestamp"] = str(now)
        elif how == "garbage_timestamp":
            headers.update(h.signed_headers(body, now))
            headers["X-Slack-Request-Timestamp"] = "１２３"  # digits, but not ASCII ones
        elif how == "superscript_timestamp":
            headers.update(h.signed_headers(body, now))
            headers["X-Slack-Request-Timestamp"] = "²"  # isdigit(), yet int() refuses it
        calls = len(live.slack.calls)

        async def post() -> int:
            async with h.http.post(h.url, data=body, headers=headers) as response:
                return response.status

        assert live.run(post()) == 401
        assert len(live.slack.calls) == calls  # nothing was read, nothing was done

    live.quiet()  # what an earlier test's requests set going does not count here
    refused()
    assert live.health() == 200
