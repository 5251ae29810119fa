"""What reaches POST /slack/events from anyone: forged, stale, malformed, oversized."""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

import pytest

from tests.support.harness import Harness


async def test_forged_stale_and_unsigned_requests_get_401(harness: Harness) -> None:
    body = urlencode(
        {"command": "/rescue-pin", "user_id": "U1", "team_id": "T0001", "text": ""}
    ).encode()
    headers = harness.signed_headers(body)
    cases = [
        {},
        {**headers, "X-Slack-Signature": "v0=" + "0" * 64},
        {**harness.signed_headers(body, int(time.time()) - 301)},
        {**harness.signed_headers(body, int(time.time()) + 400)},
        {**headers, "X-Slack-Request-Timestamp": "not-a-number"},
        {**headers, "X-Slack-Request-Timestamp": ""},
    ]
    for extra in cases:
        async with harness.http.post(
            harness.url,
            data=body,
            headers={"Content-Type": "application/x-www-form-urlencoded", **extra},
        ) as response:
            assert response.status == 401
    # The body of a forged request is never acted on.
    assert harness.slack.calls_to("views.open") == [] and harness.slack.responses == {}


@pytest.mark.parametrize("timestamp", ["²".encode(), "１２３".encode(), b"12\xff"])
async def test_a_timestamp_of_non_ascii_digits_is_401_not_a_crash(
    harness: Harness, timestamp: bytes
) -> None:
    # Raw bytes, as a client that is not aiohttp could send them: "²".isdigit() is True.
    import asyncio
    from urllib.parse import urlparse

    url = urlparse(harness.url)
    reader, writer = await asyncio.open_connection(url.hostname, url.port)
    writer.write(
        b"POST /slack/events HTTP/1.1\r\nHost: x\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n"
        b"X-Slack-Request-Timestamp: " + timestamp + b"\r\nX-Slack-Signature: v0=abc\r\n"
        b"Content-Length: 3\r\nConnection: close\r\n\r\nx=1"
    )
    await writer.drain()
    answer = await reader.read()
    writer.close()
    assert answer.split(b"\r\n", 1)[0] in (
        b"HTTP/1.1 401 Unauthorized",
        b"HTTP/1.1 400 Bad Request",
    )
    assert await harness.healthz() == 200


async def test_a_body_signed_for_something_else_is_refused(harness: Harness) -> None:
    headers = harness.signed_headers(b"a=1")
    async with harness.http.post(harness.url, data=b"a=2", headers=headers) as response:
        assert response.status == 401


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"payload=not-json",
        b"payload=%5B1%2C2%5D",  # a JSON list
        b"payload=%22text%22",
        b'{"type": "view_submission"}',
        b'{"type": "block_actions", "actions": "x"}',
        b"command=%2Frescue-pin",  # no user, no team
        b"command=%2Frescue-pin&user_id=U1&team_id=T0001&trigger_id=5",
        b"\xff\xfe\x00garbage",
        urlencode(
            {"payload": json.dumps({"type": "view_submission", "view": "nope", "user": 5})}
        ).encode(),
        urlencode(
            {
                "payload": json.dumps(
                    {
                        "type": "view_submission",
                        "view": {
                            "callback_id": "pin_request",
                            "state": {"values": {"cfield0": []}},
                        },
                        "user": {"id": "U1"},
                        "team": None,
                    }
                )
            }
        ).encode(),
    ],
)
async def test_signed_but_malformed_requests_get_4xx_and_the_server_lives(
    harness: Harness, body: bytes
) -> None:
    status, _, _ = await harness.post(body)
    assert status < 500
    async with harness.http.get(str(harness.server.make_url("/healthz"))) as response:
        assert response.status == 200


async def test_an_oversized_body_is_413(harness: Harness) -> None:
    body = b"a=" + b"x" * (1024 * 1024 + 10)
    status, _, _ = await harness.post(body)
    assert status == 413


async def test_healthz(harness: Harness) -> None:
    async with harness.http.get(str(harness.server.make_url("/healthz"))) as response:
        assert response.status == 200 and (await response.json())["ok"] is True
