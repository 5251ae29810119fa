"""After the PIN: sharing it in the channel, retrying without the console, Rescue's poll rate."""

from __future__ import annotations

import json

from bot.language import _ as tr
from bot.pins import texts as pin_texts
from bot.pins.modals import RETRY_ACTION, SHARE_ACTION
from bot.sharing import texts as share_texts
from bot.storage.database import now
from tests.support.harness import Harness, open_and_submit
from tests.support.reading import buttons, message_text

AUTHCODE = "followup-authcode-5555"
RETRY_GONE = tr(pin_texts.RETRY_GONE, command="/rescue-pin")


async def test_share_posts_publicly_only_after_the_click(harness: Harness) -> None:
    await harness.link("U1", AUTHCODE)
    harness.rescue.answers[AUTHCODE] = "OK PINCODE:246810"
    _, message = await open_and_submit(
        harness, {"cfield0": "Private Customer", "tracking0": "TCK-1"}
    )
    assert all(
        m.get("response_type") != "in_channel"
        for ms in harness.slack.responses.values()
        for m in ms
    )
    [share] = [b for b in buttons(message) if b["action_id"] == SHARE_ACTION]
    assert share["text"]["text"] == tr(pin_texts.SHARE_BUTTON) and "246810" not in share["value"]

    # Someone else clicking (the message is only theirs to see, but a payload can be forged).
    await harness.click(SHARE_ACTION, share["value"], user="U2", response_rid="other")
    assert tr(share_texts.SHARE_NOT_YOURS) in message_text(await harness.slack.response("other"))
    assert all(m.get("response_type") != "in_channel" for m in harness.slack.responses["other"])

    status, _ = await harness.click(SHARE_ACTION, share["value"], response_rid="mine")
    assert status == 200
    public = await harness.slack.response("mine", 0)
    private = await harness.slack.response("mine", 1)
    assert public["response_type"] == "in_channel" and public["replace_original"] is False
    shown = message_text(public)
    assert (
        "246810" in shown
        and "<@U1>" in shown
        and "LogMeIn123.com" in shown
        and "Code=246810" in shown
    )
    assert "Private Customer" not in json.dumps(public)
    assert private["replace_original"] is True and tr(
        pin_texts.SHARED_PRIVATE_NOTE
    ) in message_text(private)
    assert SHARE_ACTION not in json.dumps(private)
    rows = await harness.runtime.store.audit_rows(action="share")
    assert [(r.user_id, r.channel_id, r.pin) for r in rows] == [("U1", "C1", "246810")]
    assert rows[0].ref_id is not None


async def test_retry_without_console_reuses_the_fields_kept_server_side(harness: Harness) -> None:
    await harness.link("U1", AUTHCODE)
    harness.rescue.answers[AUTHCODE] = "NOTECHCONSOLERUNNING"
    fields = {"cfield0": "Jane", "cfield1": "é" * 512, "tracking0": "T#1&2"}
    _, message = await open_and_submit(harness, fields)
    first = buttons(message)[0]
    assert first["action_id"] == RETRY_ACTION and first["text"]["text"] == tr(
        pin_texts.RETRY_BUTTON
    )
    assert "Jane" not in first["value"] and len(first["value"]) < 64

    harness.rescue.answers[AUTHCODE] = "OK PINCODE:135790"
    await harness.click(RETRY_ACTION, first["value"], response_rid="retry")
    pin = await harness.slack.response("retry")
    assert "135790" in message_text(pin) and tr(pin_texts.NO_CONSOLE_USED) in message_text(pin)
    second_call = harness.rescue.pin_calls()[1]
    assert second_call.params == {**fields, "notechconsole": "1", "authcode": AUTHCODE}

    await harness.click(RETRY_ACTION, first["value"], response_rid="again")
    assert RETRY_GONE in message_text(await harness.slack.response("again"))
    assert len(harness.rescue.pin_calls()) == 2


async def test_only_the_requester_can_use_a_retry(harness: Harness) -> None:
    await harness.link("U1", AUTHCODE)
    await harness.link("U2", "other-agent-code-1")
    harness.rescue.answers[AUTHCODE] = "NOTECHCONSOLERUNNING"
    _, message = await open_and_submit(harness, {"cfield0": "Jane"})
    await harness.click(RETRY_ACTION, buttons(message)[0]["value"], user="U2", response_rid="u2")
    assert RETRY_GONE in message_text(await harness.slack.response("u2"))
    assert len(harness.rescue.pin_calls()) == 1


async def test_poll_rate_says_when_to_try_again(harness: Harness) -> None:
    await harness.link("U1", AUTHCODE)
    harness.rescue.answers[AUTHCODE] = "POLLRATEEXCEEDED"
    _, message = await open_and_submit(harness, {})
    shown = message_text(message)
    assert tr(pin_texts.RETRY_AT).partition("%(epoch)s")[0] in shown
    epoch = int(shown.split("<!date^")[1].split("^")[0])
    assert 50 <= epoch - now().timestamp() <= 70
