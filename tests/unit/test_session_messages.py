"""The follow-through's Block Kit, built and round-tripped through slack_sdk's models. Pure."""

from __future__ import annotations

import json
from typing import Any

import pytest
from slack_sdk.models.blocks import Block

from bot.language import _ as tr
from bot.rescue.client import Kind
from bot.sessions import texts as session_texts
from bot.sessions.messages import (
    NOTES_CHUNKS,
    SESSION_POST_ACTION,
    SessionView,
    connected_message,
    posted_summary,
    shared_used_followup,
    shared_used_message,
    summary_message,
)

VIEW = SessionView(
    kind=Kind.RESCUE,
    session_id="48151623",
    pin="012345",
    customer="Jane <Doe>",
    ticket="TICKET-42",
    technician="Ada Lovelace",
    waited_seconds=75,
    lasted_seconds=725,
    notes="Replaced the driver & rebooted.",
)


def round_trip(message: dict[str, Any]) -> str:
    """Every block parses back into slack_sdk's models and renders the same; returns all text."""
    blocks = message["blocks"]
    assert 0 < len(blocks) <= 50
    parsed = Block.parse_all(blocks)
    assert [block.to_dict() for block in parsed] == blocks  # to_dict() checks Slack's limits
    assert message["text"]
    return json.dumps(message, ensure_ascii=False)


def actions(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]


def test_connected_says_who_and_how_long_they_waited() -> None:
    message = connected_message(VIEW)
    text = round_trip(message)
    assert tr(session_texts.SESSION_CONNECTED_HEADLINE) in text
    assert "Jane &lt;Doe&gt;" in text and "<Doe>" not in text
    assert "1 min, 15 sec" in text
    assert "Ada Lovelace" in text and "48151623" in text and "TICKET-42" in text
    assert message["response_type"] == "ephemeral"
    assert not actions(message)  # no Share button once the PIN is used


def test_connected_without_a_name_or_a_waiting_time() -> None:
    view = SessionView(kind=Kind.LENS, session_id="1", waited_raw="a while")
    text = round_trip(connected_message(view))
    assert tr(session_texts.SESSION_CONNECTED_NO_NAME) in text and "a while" in text


def test_the_summary_has_everything_and_one_post_button() -> None:
    message = summary_message(VIEW, post_value="17")
    text = round_trip(message)
    for expected in (
        "Jane &lt;Doe&gt;",
        "TICKET-42",
        "Ada Lovelace",
        "1 min, 15 sec",
        "12 min, 5 sec",
    ):
        assert expected in text
    assert "Replaced the driver &amp; rebooted." in text
    [button] = actions(message)
    assert (button["action_id"], button["value"]) == (SESSION_POST_ACTION, "17")
    assert message["response_type"] == "ephemeral"


def test_the_summary_once_posted_has_no_button() -> None:
    message = summary_message(VIEW, post_value="17", posted=True)
    assert tr(session_texts.SESSION_POSTED_NOTE) in round_trip(message)
    assert not actions(message)


@pytest.mark.parametrize(
    ("notes", "sentence"),
    [("", tr(session_texts.SESSION_NO_NOTES)), (None, tr(session_texts.SESSION_NOTES_GONE))],
)
def test_a_summary_without_notes_says_why(notes: str | None, sentence: str) -> None:
    view = SessionView(kind=Kind.RESCUE, session_id="1", notes=notes)
    assert sentence in round_trip(summary_message(view, "1"))


def test_long_notes_are_split_and_cut_with_a_pointer() -> None:
    view = SessionView(kind=Kind.RESCUE, session_id="1", notes="n" * 100_000)
    text = round_trip(summary_message(view, "1"))
    assert tr(session_texts.SESSION_NOTES_CUT) in text
    blocks = summary_message(view, "1")["blocks"]
    notes = [b for b in blocks if b.get("text", {}).get("text", "").startswith("nnn")]
    assert len(notes) == NOTES_CHUNKS


def test_the_public_summary_is_in_channel_says_who_posted_and_has_no_button() -> None:
    message = posted_summary(VIEW, "U123")
    text = round_trip(message)
    assert message["response_type"] == "in_channel"
    assert "<@U123>" in text and "TICKET-42" in text
    assert not actions(message)


def test_a_used_pin() -> None:
    edited = shared_used_message(Kind.RESCUE, "012345", "U123")
    text = round_trip(edited)
    assert "~Rescue session PIN: 012345~" in text and "<@U123>" in text
    followup = shared_used_followup(Kind.LENS, "012345")
    assert "Rescue Lens PIN 012345" in round_trip(followup)
    assert followup["response_type"] == "in_channel"
    assert followup["replace_original"] is False


@pytest.mark.parametrize(
    ("seconds", "raw", "expected"),
    [
        (0, "", "0 sec"),
        (59, "", "59 sec"),
        (60, "", "1 min"),
        (3600, "", "1 hr"),
        (3725, "", "1 hr, 2 min"),
        (None, "soon", "soon"),
        (None, "", tr(session_texts.DURATION_UNKNOWN)),
    ],
)
def test_duration(seconds: int | None, raw: str, expected: str) -> None:
    assert session_texts.duration(seconds, raw) == expected
