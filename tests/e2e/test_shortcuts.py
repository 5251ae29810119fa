"""The message shortcut and the global shortcut: the same modal, prefilled where it can be."""

from __future__ import annotations

from tests.support.harness import Harness
from tests.support.reading import input_blocks, message_text
from tests.support.slack_payloads import global_shortcut, message_shortcut

AUTHCODE = "shortcut-authcode-7777"


async def test_message_shortcut_prefills_author_and_text(harness: Harness) -> None:
    await harness.link("U1", AUTHCODE)
    harness.slack.names["UAUTHOR"] = "Jane Customer"
    message = {
        "type": "message",
        "user": "UAUTHOR",
        "text": "My screen is black. " * 40,
        "ts": "1.1",
    }
    payload = message_shortcut(message, response_url=harness.slack.response_url("sc"), channel="C7")
    status, _ = await harness.interact(payload)
    assert status == 200
    view = await harness.opened_view()
    inputs = input_blocks(view)
    assert inputs["cfield0"]["element"]["initial_value"] == "Jane Customer"
    description = inputs["cfield1"]["element"]["initial_value"]
    assert len(description) == 512 and description.startswith("My screen is black.")
    assert "512" in inputs["cfield1"]["hint"]["text"]
    await harness.submit(view, {"cfield0": "Jane Customer", "cfield1": description})
    assert "PIN" in message_text(await harness.slack.response("sc"))


async def test_global_shortcut_opens_the_modal(harness: Harness) -> None:
    await harness.link("U1", AUTHCODE)
    assert (await harness.interact(global_shortcut()))[0] == 200
    assert (await harness.opened_view())["callback_id"] == "pin_request"
