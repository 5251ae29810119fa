"""Slack answering badly (issue #11), end to end: the fake Slack is scripted per method and per
response_url, and each test checks what the agent sees, that the server still serves, and how
many times Rescue was asked."""

from __future__ import annotations

import asyncio
import io
import json
import time
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import insert

from bot.language import _ as tr
from bot.linking import texts as link_texts
from bot.linking.modal import LINK_CALLBACK
from bot.pins.modals import RETRY_ACTION, SHARE_ACTION
from bot.sharing import texts as share_texts
from bot.slack import texts as slack_texts
from bot.storage.database import now
from bot.storage.schema import retries
from tests.support.fakes import FakeRescue, FakeSlack
from tests.support.harness import (
    Harness,
    open_and_submit,
    open_home,
    published,
    running_app,
    settled,
)
from tests.support.reading import buttons, input_blocks, message_text
from tests.support.slack_faults import SlackFault
from tests.support.slack_payloads import message_shortcut

AUTHCODE = "slackfault-authcode-1111"
OPEN_FAILED = tr(slack_texts.OPEN_FAILED, command="/rescue-pin")

# What proxies and load balancers answer in Slack's place.
NOT_JSON = {
    "text/plain 503": SlackFault.not_json(503, "Service Unavailable", "text/plain", times=3),
    "text/html 405": SlackFault.not_json(405, "<html>Method Not Allowed</html>", "text/html"),
    "html labelled json": SlackFault.html_as_json(200),
    "text/plain 200": SlackFault.not_json(200, "OK", "text/plain"),
    "empty json 200": SlackFault(200, "", "application/json"),
}


async def still_serves(h: Harness) -> None:
    """Health is fine and the next command opens its modal."""
    assert await h.healthz() == 200
    opened = len(h.slack.calls_to("views.open"))
    status, body, _ = await h.command("Next")
    assert (status, body) == (200, "")
    await h.slack.wait_for(lambda: len(h.slack.calls_to("views.open")) > opened)


# 1. Answers that are not JSON


@pytest.mark.parametrize("fault", NOT_JSON.values(), ids=NOT_JSON.keys())
async def test_views_open_answered_with_a_page_is_a_sentence_for_the_agent(
    harness: Harness, fault: SlackFault
) -> None:
    await harness.link("U1", AUTHCODE)
    harness.slack.script("views.open", fault)
    status, body, rid = await harness.command("Jane")
    assert (status, body) == (200, "")
    assert OPEN_FAILED in message_text(await harness.slack.response(rid))
    assert harness.rescue.pin_calls() == []
    harness.views_seen = len(harness.slack.calls_to("views.open"))
    await still_serves(harness)


async def test_sso_first_use_when_slack_answers_with_a_page(
    fake_slack: FakeSlack, fake_rescue: FakeRescue, sqlite_url: str
) -> None:
    sso = {"rescue_sso_company_id": "4242", "rescue_sso_password": "sso-global-secret"}
    async with running_app(fake_slack, fake_rescue, sqlite_url, **sso) as h:
        fake_slack.emails["U1"] = "jane@acme.test"
        fake_rescue.sso["jane@acme.test"] = "sso-issued-code-2"
        fake_slack.script("users.info", SlackFault.not_json(405, "Not Allowed", "text/html"))
        _, _, rid = await h.command("Customer")
        shown = message_text(await fake_slack.response(rid))
        assert tr(link_texts.SSO_REASONS["slack"]) in shown and "/rescue-pin link" in shown
        assert fake_rescue.calls == [] and fake_slack.calls_to("views.open") == []
        # Slack answers again: the next command links and opens the modal.
        await h.command("Customer")
        assert (await h.opened_view())["callback_id"] == "pin_request"


async def test_app_home_is_published_when_the_admin_check_gets_a_page(harness: Harness) -> None:
    harness.slack.script("users.info", SlackFault.html_as_json(200))
    assert await open_home(harness, "U1") == 200
    view = await published(harness, "U1")
    assert view["type"] == "home"


async def test_linking_someone_else_when_slack_cannot_say_who_is_a_lead(
    harness: Harness,
) -> None:
    harness.slack.admins.add("U1")
    harness.slack.script("users.info", SlackFault.not_json(503, "down", "text/plain", times=3))
    _, _, rid = await harness.command("link <@U0JANE|jane>")
    shown = message_text(await harness.slack.response(rid))
    assert tr(slack_texts.SLACK_UNAVAILABLE) in shown and tr(link_texts.NOT_ADMIN) not in shown
    assert harness.slack.calls_to("views.open") == []
    _, _, rid = await harness.command("link <@U0JANE|jane>")  # Slack answers again
    assert (await harness.opened_view())["callback_id"] == LINK_CALLBACK


async def test_a_dm_answered_with_a_page_leaves_the_pin_on_app_home(harness: Harness) -> None:
    await harness.link("U1", AUTHCODE)
    _, _, rid = await harness.command("Jane")
    harness.slack.dead_responses.add(rid)
    harness.slack.script("chat.postMessage", SlackFault.not_json(405, "Nope", "text/html"))
    await harness.submit(await harness.opened_view(), {"cfield0": "Jane"})
    [row] = await settled(harness)
    assert (row.pin, row.delivered) == ("100001", False)
    assert len(harness.slack.calls_to("chat.postMessage")) == 1  # a 405 is not asked again
    assert await open_home(harness, "U1") == 200
    assert "100001" in json.dumps(await published(harness, "U1"))
    assert len(harness.rescue.pin_calls()) == 1
    await still_serves(harness)


async def test_a_response_url_answering_with_a_page_falls_back_to_a_dm(harness: Harness) -> None:
    await harness.link("U1", AUTHCODE)
    _, _, rid = await harness.command("Jane")
    page = SlackFault.not_json(502, "<h1>Bad gateway</h1>", "text/html", times=2)
    harness.slack.script_response(rid, page)
    await harness.submit(await harness.opened_view(), {"cfield0": "Jane"})
    dm = await harness.slack.dm("U1")
    assert "100001" in message_text(dm) and tr(slack_texts.DM_FALLBACK_NOTE) in json.dumps(dm)
    assert harness.slack.response_posts[rid] == 2  # once more after the 502, not a third time
    [row] = await settled(harness)
    assert row.delivered is True and len(harness.rescue.pin_calls()) == 1


# 2. Dropped connections


@pytest.mark.parametrize("how", ["close", "reset"])
async def test_views_open_dropped_twice_still_opens_the_modal(harness: Harness, how: str) -> None:
    await harness.link("U1", AUTHCODE)
    harness.slack.script("views.open", SlackFault.dropped(how, times=2))  # type: ignore[arg-type]
    _, _, rid = await harness.command("Jane")
    await harness.slack.wait_for(lambda: len(harness.slack.calls_to("views.open")) == 3)
    harness.views_seen = 2
    view = await harness.opened_view()
    await harness.submit(view, {"cfield0": "Jane"})
    assert "100001" in message_text(await harness.slack.response(rid))
    assert len(harness.rescue.pin_calls()) == 1


async def test_views_open_dropped_every_time_is_told(harness: Harness) -> None:
    await harness.link("U1", AUTHCODE)
    harness.slack.script("views.open", SlackFault.dropped(times=3))
    _, _, rid = await harness.command("Jane")
    assert OPEN_FAILED in message_text(await harness.slack.response(rid))
    assert len(harness.slack.calls_to("views.open")) == 3
    harness.views_seen = 3
    await still_serves(harness)


async def test_auth_test_dropped_at_the_first_command_is_a_visible_sentence(
    harness: Harness,
) -> None:
    harness.slack.script("auth.test", SlackFault.dropped())
    status, body, _ = await harness.command("Jane")
    assert (status, body) == (
        200,
        tr(slack_texts.SLACK_UNAVAILABLE),
    )  # Slack shows a command this body
    harness.slack.script("auth.test", SlackFault.not_json(503, "down", "text/plain"))
    status, body, _ = await harness.command("Jane")
    assert (status, body) == (200, tr(slack_texts.SLACK_UNAVAILABLE))
    await harness.link("U1", AUTHCODE)
    await still_serves(harness)


# 3. Timeouts


async def test_auth_test_that_hangs_is_a_visible_sentence_within_slacks_3_seconds(
    harness: Harness,
) -> None:
    # Bolt's own auth.test, with the client Bolt builds per request, before any ack.
    harness.slack.script("auth.test", SlackFault.hang(60))
    started = time.monotonic()
    status, body, _ = await harness.command("Jane")
    assert (status, body) == (200, tr(slack_texts.SLACK_UNAVAILABLE))
    assert time.monotonic() - started < 3
    await harness.link("U1", AUTHCODE)
    await still_serves(harness)


async def test_views_open_that_hangs_is_given_up_within_the_trigger_window(
    harness: Harness,
) -> None:
    await harness.link("U1", AUTHCODE)
    harness.slack.script("views.open", SlackFault.hang(60))
    started = time.monotonic()
    _, _, rid = await harness.command("Jane")
    assert OPEN_FAILED in message_text(await harness.slack.response(rid))
    # The trigger lives 3 s: the wait ends inside it (generous here for a loaded machine).
    assert time.monotonic() - started < 8
    assert len(harness.slack.calls_to("views.open")) == 1  # not tried past the trigger
    harness.views_seen = 1
    await still_serves(harness)


async def test_a_response_url_that_hangs_gives_way_to_a_dm_in_seconds(harness: Harness) -> None:
    await harness.link("U1", AUTHCODE)
    _, _, rid = await harness.command("Jane")
    harness.slack.script_response(rid, SlackFault.hang(60))
    started = time.monotonic()
    await harness.submit(await harness.opened_view(), {"cfield0": "Jane"})
    dm = await harness.slack.wait_for(
        lambda: [c for c in harness.slack.calls_to("chat.postMessage")], timeout=30
    )
    assert "100001" in message_text(dm[0].params)
    assert time.monotonic() - started < 20  # one 4 s attempt, then the DM; never minutes
    assert harness.slack.response_posts[rid] == 1  # a timeout is not sent again
    [row] = await settled(harness)
    assert row.delivered is True and len(harness.rescue.pin_calls()) == 1


# 4. The DM fallback retries a 5xx


@pytest.mark.parametrize(
    ("fault", "calls"),
    [
        (SlackFault.server_error(500), 2),
        (SlackFault.not_json(502, "Bad Gateway", "text/plain", times=2), 3),
        (SlackFault.dropped(times=1), 2),
        (SlackFault.rate_limited("1"), 2),
    ],
    ids=["500", "502x2", "dropped", "429"],
)
async def test_the_dm_fallback_is_retried_and_the_pin_arrives(
    harness: Harness, fault: SlackFault, calls: int
) -> None:
    await harness.link("U1", AUTHCODE)
    _, _, rid = await harness.command("Jane")
    harness.slack.dead_responses.add(rid)
    harness.slack.script("chat.postMessage", fault)
    await harness.submit(await harness.opened_view(), {"cfield0": "Jane"})
    await harness.slack.wait_for(lambda: len(harness.slack.calls_to("chat.postMessage")) == calls)
    [row] = await settled(harness)
    assert (row.pin, row.delivered) == ("100001", True)
    last = harness.slack.calls_to("chat.postMessage")[-1].params
    assert "100001" in message_text(last)
    assert len(harness.rescue.pin_calls()) == 1


# 5. A PIN is shared once


async def pin_with_share_button(h: Harness) -> str:
    await h.link("U1", AUTHCODE)
    _, message = await open_and_submit(h, {"cfield0": "Jane"})
    [share] = [b for b in buttons(message) if b["action_id"] == SHARE_ACTION]
    value: str = share["value"]
    return value


def public_posts(slack: FakeSlack) -> list[dict[str, Any]]:
    return [
        m for ms in slack.responses.values() for m in ms if m.get("response_type") == "in_channel"
    ]


async def test_share_clicked_again_says_where_and_when_it_was_shared(harness: Harness) -> None:
    value = await pin_with_share_button(harness)
    await harness.click(SHARE_ACTION, value, response_rid="first", channel="C1")
    await harness.slack.response("first", 1)  # the public post, then the private update
    await harness.click(SHARE_ACTION, value, response_rid="second", channel="C2")
    shown = message_text(await harness.slack.response("second"))
    assert "<#C1>" in shown and "<!date^" in shown and "shared once" in shown
    assert len(public_posts(harness.slack)) == 1
    assert len(await harness.runtime.store.audit_rows(action="share")) == 1


async def test_three_clicks_at_once_post_once(harness: Harness) -> None:
    value = await pin_with_share_button(harness)
    await asyncio.gather(
        *(harness.click(SHARE_ACTION, value, response_rid=f"click{i}") for i in range(3))
    )
    await harness.slack.wait_for(
        lambda: sum(len(harness.slack.responses.get(f"click{i}", [])) for i in range(3)) >= 4
    )
    assert len(public_posts(harness.slack)) == 1
    refusals = [
        rid
        for rid in ("click0", "click1", "click2")
        if any("shared once" in message_text(m) for m in harness.slack.responses.get(rid, []))
    ]
    assert len(refusals) == 2


async def test_clicks_in_two_processes_share_once(
    fake_slack: FakeSlack, fake_rescue: FakeRescue, database_url: str
) -> None:
    async with (
        running_app(fake_slack, fake_rescue, database_url) as one,
        running_app(fake_slack, fake_rescue, database_url) as two,
    ):
        value = await pin_with_share_button(one)
        await asyncio.gather(
            one.click(SHARE_ACTION, value, response_rid="in-one"),
            two.click(SHARE_ACTION, value, response_rid="in-two"),
        )
        await fake_slack.wait_for(
            lambda: (
                len(fake_slack.responses.get("in-one", []))
                + len(fake_slack.responses.get("in-two", []))
                >= 3
            )
        )
        assert len(public_posts(fake_slack)) == 1
        assert len(await one.runtime.store.audit_rows(action="share")) == 1


async def test_a_share_slack_refused_can_be_clicked_again(harness: Harness) -> None:
    value = await pin_with_share_button(harness)
    harness.slack.script_response("refused", SlackFault.slack_error("expired_url", 404))
    await harness.click(SHARE_ACTION, value, response_rid="refused")
    # The refusal is told through the same response_url's next use, or by DM.
    await harness.slack.wait_for(
        lambda: harness.slack.responses.get("refused") or harness.slack.calls_to("chat.postMessage")
    )
    assert harness.slack.response_posts["refused"] >= 1
    assert public_posts(harness.slack) == []
    await harness.click(SHARE_ACTION, value, response_rid="again")
    await harness.slack.response("again", 1)
    assert len(public_posts(harness.slack)) == 1


async def test_a_public_post_that_dropped_is_not_sent_twice(harness: Harness) -> None:
    value = await pin_with_share_button(harness)
    harness.slack.script_response("dropped", SlackFault.dropped())
    await harness.click(SHARE_ACTION, value, response_rid="dropped")
    told = await harness.slack.response("dropped")
    assert tr(share_texts.SHARE_MAYBE_POSTED) in message_text(told)
    assert harness.slack.response_posts["dropped"] == 2  # the post, once; then the sentence
    # Slack may have posted it: the share stays taken, so a second click posts nothing.
    await harness.click(SHARE_ACTION, value, response_rid="again")
    assert "shared once" in message_text(await harness.slack.response("again"))
    assert public_posts(harness.slack) == []


async def test_a_public_post_slack_took_late_is_not_posted_again(harness: Harness) -> None:
    value = await pin_with_share_button(harness)
    harness.slack.script_response("slow", SlackFault.hang(6))  # Slack may post it meanwhile
    await harness.click(SHARE_ACTION, value, response_rid="slow")
    told = await harness.slack.wait_for(
        lambda: [
            m
            for m in harness.slack.responses.get("slow", [])
            if m.get("response_type") != "in_channel"
        ]
    )
    assert tr(share_texts.SHARE_MAYBE_POSTED) in message_text(told[0])
    await harness.click(SHARE_ACTION, value, response_rid="again")
    assert "shared once" in message_text(await harness.slack.response("again"))
    assert public_posts(harness.slack) == []  # the second click posted nothing
    assert harness.slack.response_posts["slow"] == 2  # the post, once; then the sentence


# 6. The message shortcut reads blocks when text is empty


async def test_message_shortcut_on_a_rich_text_message(harness: Harness) -> None:
    await harness.link("U1", AUTHCODE)
    harness.slack.names["UAUTHOR"] = "Jane Customer"
    message = {
        "type": "message",
        "user": "UAUTHOR",
        "text": "",
        "ts": "1.1",
        "blocks": [
            {
                "type": "rich_text",
                "elements": [
                    {
                        "type": "rich_text_section",
                        "elements": [
                            {"type": "text", "text": "VPN drops "},
                            {"type": "text", "text": "every hour", "style": {"bold": True}},
                        ],
                    }
                ],
            },
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": "Laptop " + "x" * 600}],
            },
        ],
    }
    payload = message_shortcut(message, response_url=harness.slack.response_url("rt"))
    assert (await harness.interact(payload))[0] == 200
    inputs = input_blocks(await harness.opened_view())
    description = inputs["cfield1"]["element"]["initial_value"]
    assert description.startswith("VPN drops every hour\nLaptop xxx") and len(description) == 512
    assert "512" in inputs["cfield1"]["hint"]["text"]  # cut, and said so


async def test_message_shortcut_opens_even_when_the_authors_lookup_hangs(
    harness: Harness,
) -> None:
    await harness.link("U1", AUTHCODE)
    harness.slack.script("users.info", SlackFault.hang(60))
    message = {"type": "message", "user": "UAUTHOR", "text": "Printer jam", "ts": "1.1"}
    payload = message_shortcut(message, response_url=harness.slack.response_url("slow"))
    started = time.monotonic()
    await harness.interact(payload)
    view = await harness.opened_view()
    assert time.monotonic() - started < 8
    assert input_blocks(view)["cfield1"]["element"]["initial_value"] == "Printer jam"


# 7. A listener error: logged once, told, and no AssertionError from Bolt


async def test_a_listener_error_after_the_ack_is_told_and_logged_once(
    harness: Harness, log_stream: io.StringIO
) -> None:
    await harness.link("U1", AUTHCODE)
    # Saved retries that no key can read (a key rotation gone wrong, say).
    tokens = [c * 43 for c in "tuv"]
    async with harness.runtime.store.engine.begin() as connection:
        for token in tokens:
            await connection.execute(
                insert(retries).values(
                    token=token,
                    team_id="T0001",
                    user_id="U1",
                    kind="rescue",
                    channel_id="C1",
                    fields="not-a-fernet-token",
                    expires_at=now() + timedelta(days=1),
                )
            )
    for i, token in enumerate(tokens):
        # Bolt drops the ack of a listener that fails within its 10 ms look: Slack heard 404.
        status, _ = await harness.click(RETRY_ACTION, token, response_rid=f"broken{i}")
        assert status == 200
        told = message_text(await harness.slack.response(f"broken{i}"))
        assert tr(slack_texts.LISTENER_FAILED) in told
    await asyncio.sleep(0.2)  # let the listener's task finish logging
    lines = [json.loads(line) for line in log_stream.getvalue().splitlines() if line.strip()]
    failed = [line for line in lines if line.get("event") == "listener_failed"]
    assert len(failed) == 3  # once per failed request
    assert all("CryptoError" in json.dumps(line["exception"]) for line in failed)
    logged = log_stream.getvalue()
    assert "AssertionError" not in logged and "response must be provided" not in logged
    assert "Task exception was never retrieved" not in logged
    assert AUTHCODE not in logged
    assert harness.rescue.pin_calls() == []
    await still_serves(harness)


async def test_a_malformed_payload_after_the_ack_never_trips_bolt(
    harness: Harness, log_stream: io.StringIO
) -> None:
    payload = {
        "type": "block_actions",
        "team": {"id": "T0001"},
        "user": {"id": "", "team_id": ""},
        "api_app_id": "A1",
        "token": "legacy",
        "trigger_id": "trigger-9",
        "actions": [{"action_id": SHARE_ACTION, "block_id": "b", "value": "1", "type": "button"}],
    }
    status, _ = await harness.interact(payload)
    assert status == 200  # acked, not a 404 from an ack Bolt lost
    await asyncio.sleep(0.2)
    logged = log_stream.getvalue()
    assert logged.count('"malformed_payload"') == 1
    assert "AssertionError" not in logged and "Traceback" not in logged
    await harness.link("U1", AUTHCODE)
    await still_serves(harness)
