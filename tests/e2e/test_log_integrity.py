"""What a person types never decides what the logs hide (issue 25): an agent who pastes the
workspace's ID or a colleague's as an authcode, or signs in with a password of JSON
punctuation, leaves every other line as it was, and every line one JSON object."""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.logs import REDACTED
from tests.support.fakes import FakeRescue, FakeSlack
from tests.support.harness import Harness, running_app
from tests.support.slack_payloads import link_values

# Real Slack IDs are long enough for the old scrubber to take them as secrets.
WORKSPACE = "T0ABC12DEF"
MISCHIEF, COLLEAGUE = "U0MISCHF01", "U0COLLEA02"
# Not a constant the secrets sweep knows: every JSON line holds it, around a "user" key.
PUNCTUATION = '","user":'
COLLEAGUE_AUTHCODE = "Kq3vN8sLx2Rw7TzP1mYc-colleague"


@pytest.fixture
async def workspace(fake_rescue: FakeRescue, sqlite_url: str) -> AsyncIterator[Harness]:
    slack = FakeSlack(WORKSPACE)
    await slack.start()
    try:
        async with running_app(slack, fake_rescue, sqlite_url) as h:
            yield h
    finally:
        await slack.stop()


def parsed(stream: io.StringIO) -> list[dict[str, Any]]:
    """Every line the app logged; each must be one JSON object."""
    lines = stream.getvalue().splitlines()
    assert lines
    return [json.loads(line) for line in lines]


async def pin_request(h: Harness, user: str) -> None:
    _, _, rid = await h.command(user=user, team=WORKSPACE)
    view = await h.opened_view()
    status, _ = await h.submit(view, {"cfield0": "Jane"}, user=user, team=WORKSPACE)
    assert status == 200
    await h.slack.response(rid)


async def link_modal(h: Harness, user: str, **values: str) -> tuple[int, str]:
    await h.command("link", user=user, team=WORKSPACE)
    view = await h.opened_view()
    return await h.submit(view, {}, values=link_values(**values), user=user, team=WORKSPACE)


@pytest.mark.parametrize("typed", [WORKSPACE, COLLEAGUE], ids=["team-id", "colleague-id"])
async def test_what_an_agent_types_hides_nothing_of_anyone_elses_lines(
    workspace: Harness, log_stream: io.StringIO, typed: str
) -> None:
    h = workspace
    # A sign-in with JSON punctuation as the password: Rescue refuses it.
    status, body = await link_modal(h, MISCHIEF, email="mischief@acme.test", pwd=PUNCTUATION)
    assert status == 200 and json.loads(body)["response_action"] == "errors"
    # The workspace's ID (or a colleague's) as an authcode, used for a PIN Rescue gives.
    assert await link_modal(h, MISCHIEF, authcode=typed) == (200, "")
    await pin_request(h, MISCHIEF)
    await h.link(COLLEAGUE, COLLEAGUE_AUTHCODE, team=WORKSPACE)
    await pin_request(h, COLLEAGUE)
    assert [c.params["authcode"] for c in h.rescue.pin_calls()] == [typed, COLLEAGUE_AUTHCODE]

    lines = parsed(log_stream)
    requested = [line for line in lines if line["event"] == "pin_requested"]
    assert [(line["team"], line["user"], line["outcome"]) for line in requested] == [
        (WORKSPACE, MISCHIEF, "OK"),
        (WORKSPACE, COLLEAGUE, "OK"),
    ]
    assert any(line["event"] == "signin_refused" for line in lines)
    for line in lines:
        assert REDACTED not in (line.get("team"), line.get("user"), line["event"]), line
    # The colleague's authcode, confirmed by Rescue, is still a secret.
    assert COLLEAGUE_AUTHCODE not in log_stream.getvalue()


async def test_a_signin_that_fails_unforeseen_logs_no_part_of_the_request(
    workspace: Harness, log_stream: io.StringIO
) -> None:
    # A lone surrogate cannot be encoded for Rescue: the call fails before it is sent, in a
    # way nobody handled, and the error names only its kind.
    password = "hunter2-\ud800-pw"
    status, _ = await link_modal(workspace, MISCHIEF, email="mischief@acme.test", pwd=password)
    assert status == 400  # Slack shows its own error
    assert workspace.rescue.calls == []
    [failed] = [line for line in parsed(log_stream) if line["event"] == "listener_failed"]
    assert (failed["team"], failed["user"]) == (WORKSPACE, MISCHIEF)
    [error] = failed["exception"]  # no chained error that could quote the request
    assert (error["exc_type"], error["exc_value"]) == ("SigninFailed", "UnicodeEncodeError")
    assert "hunter2" not in log_stream.getvalue()
