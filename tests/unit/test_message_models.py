"""The PIN message is built as plain dicts on the hot path (issue 13); here every shape of it
goes back through slack_sdk's Block Kit models, which check Slack's limits as they build."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from slack_sdk.models.blocks import Block

from bot.pins import messages
from bot.pins.messages import PinDetails
from bot.rescue.client import Kind


def through_models(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    parsed = [Block.parse(block) for block in blocks]
    assert all(block is not None for block in parsed)
    return [block.to_dict() for block in parsed if block is not None]


@pytest.mark.parametrize("kind", list(Kind))
@pytest.mark.parametrize("fields", [{}, {"cfield0": "Ann <&> Co"}, {"tracking0": "T-1"}])
@pytest.mark.parametrize("no_console", [False, True])
@pytest.mark.parametrize("expires", [None, datetime(2026, 12, 1, 19, 30, tzinfo=UTC)])
@pytest.mark.parametrize(("share_id", "shared"), [(None, False), (42, False), (None, True)])
def test_every_pin_message_survives_slack_sdk_models(
    kind: Kind,
    fields: dict[str, str],
    no_console: bool,
    expires: datetime | None,
    share_id: int | None,
    shared: bool,
) -> None:
    details = PinDetails(kind, "123456", fields, "https://x/R?i=2&Code=123456", no_console, expires)
    message = messages.pin_message(details, lambda name: name, share_id=share_id, shared=shared)
    assert through_models(message["blocks"]) == message["blocks"]
    assert message["response_type"] == "ephemeral"
    assert message["replace_original"] is False


@pytest.mark.parametrize("sent", [True, False])
def test_a_texted_lens_pin_survives_slack_sdk_models(sent: bool) -> None:
    details = PinDetails(
        Kind.LENS, "123456", {"cfield0": "Ann"}, "l", texted_to="+44 ••• 12", text_sent=sent
    )
    message = messages.pin_message(details, lambda name: name, share_id=7)
    assert through_models(message["blocks"]) == message["blocks"]


def test_the_longest_fields_still_fit() -> None:
    fields = {"cfield0": "<" * 64, "tracking0": "&" * 64}  # escaped: five characters each
    details = PinDetails(Kind.RESCUE, "123456", fields, "https://x/R?i=2&Code=123456", True)
    message = messages.pin_message(details, lambda name: "L" * 100, share_id=2**31)
    assert through_models(message["blocks"]) == message["blocks"]
