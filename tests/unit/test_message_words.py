"""The message shortcut's description: a message's words from `text`, else from its blocks."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.slack.message_words import message_words

# As Slack's editor sends a message: `text` empty, the words in one rich_text block.
EDITOR_MESSAGE: dict[str, Any] = {
    "type": "message",
    "user": "U2",
    "text": "",
    "blocks": [
        {
            "type": "rich_text",
            "block_id": "x1",
            "elements": [
                {
                    "type": "rich_text_section",
                    "elements": [
                        {"type": "text", "text": "Printer on "},
                        {"type": "text", "text": "floor 3", "style": {"bold": True}},
                        {"type": "text", "text": " is down, see "},
                        {"type": "link", "url": "https://status.example/p3", "text": "status"},
                        {"type": "text", "text": " "},
                        {"type": "emoji", "name": "printer", "unicode": "1f5a8-fe0f"},
                        {"type": "text", "text": " cc "},
                        {"type": "user", "user_id": "U99"},
                        {"type": "text", "text": " in "},
                        {"type": "channel", "channel_id": "C42"},
                    ],
                },
                {
                    "type": "rich_text_list",
                    "style": "ordered",
                    "elements": [
                        {
                            "type": "rich_text_section",
                            "elements": [{"type": "text", "text": "turned it off"}],
                        },
                        {
                            "type": "rich_text_section",
                            "elements": [{"type": "text", "text": "and on"}],
                        },
                    ],
                },
                {
                    "type": "rich_text_preformatted",
                    "elements": [{"type": "text", "text": "ERR 0x42"}],
                },
                {
                    "type": "rich_text_quote",
                    "elements": [
                        {"type": "text", "text": "It worked "},
                        {"type": "date", "timestamp": 1, "format": "{date}", "fallback": "Monday"},
                    ],
                },
            ],
        }
    ],
}


def test_text_wins_when_it_has_words() -> None:
    assert message_words({**EDITOR_MESSAGE, "text": "  the text  "}) == "the text"


def test_rich_text_when_text_is_empty() -> None:
    assert message_words(EDITOR_MESSAGE) == (
        "Printer on floor 3 is down, see status \U0001f5a8\ufe0f cc @U99 in #C42\n"
        "1. turned it off\n"
        "2. and on\n"
        "ERR 0x42\n"
        "It worked Monday"
    )


def test_bullets_links_without_text_and_emoji_without_unicode() -> None:
    message = {
        "blocks": [
            {
                "type": "rich_text",
                "elements": [
                    {
                        "type": "rich_text_list",
                        "style": "bullet",
                        "elements": [
                            {
                                "type": "rich_text_section",
                                "elements": [
                                    {"type": "link", "url": "https://x.example"},
                                    {"type": "emoji", "name": "fire"},
                                    {"type": "broadcast", "range": "here"},
                                ],
                            }
                        ],
                    }
                ],
            }
        ]
    }
    assert message_words(message) == "- https://x.example:fire:@here"


def test_an_apps_message_sections_headers_and_context() -> None:
    message = {
        "text": "",
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": "Ticket 4711"}},
            {"type": "divider"},
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": "*Customer* can't log in"},
                "fields": [
                    {"type": "mrkdwn", "text": "*Priority*\nHigh"},
                    {"type": "plain_text", "text": "Laptop"},
                ],
                "accessory": {"type": "button", "text": {"type": "plain_text", "text": "Open"}},
            },
            {"type": "image", "image_url": "https://x.example/i.png", "alt_text": "screen"},
            {
                "type": "context",
                "elements": [
                    {"type": "image", "image_url": "https://x.example/a.png", "alt_text": "a"},
                    {"type": "mrkdwn", "text": "Opened by Jane"},
                    {"type": "plain_text", "text": "today"},
                ],
            },
            {"type": "actions", "elements": [{"type": "button", "text": {"text": "Close"}}]},
        ],
    }
    assert message_words(message) == (
        "Ticket 4711\n*Customer* can't log in\n*Priority*\nHigh\nLaptop\nOpened by Jane today"
    )


def test_legacy_attachments_when_there_is_nothing_else() -> None:
    message = {
        "text": "",
        "attachments": [
            {"fallback": "Alert: disk full", "pretext": "Monitoring", "text": "disk full on db1"},
            {"fallback": "only a fallback"},
            {"blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "in blocks"}}]},
        ],
    }
    assert message_words(message) == ("Monitoring\ndisk full on db1\nonly a fallback\nin blocks")


def test_nothing_readable_is_empty() -> None:
    assert message_words({}) == ""
    assert message_words({"text": None, "blocks": "nope", "attachments": {}}) == ""
    assert message_words({"blocks": [{"type": "rich_text", "elements": [1, None, {}]}]}) == ""


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "type",
                    "text",
                    "elements",
                    "blocks",
                    "fields",
                    "url",
                    "unicode",
                    "name",
                    "style",
                    "rich_text_section",
                    "rich_text_list",
                    "section",
                ]
            ),
            inner,
            max_size=4,
        )
    ),
    max_leaves=12,
)


# The machine is shared: generation speed is not what this test is about.
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(["text", "blocks", "attachments"]), _json))
def test_any_shape_gives_a_string(message: dict[str, Any]) -> None:
    assert isinstance(message_words(message), str)


def test_deep_nesting_does_not_recurse_forever() -> None:
    run = {"type": "text", "text": "x"}
    section: dict[str, Any] = {"type": "rich_text_section", "elements": [run]}
    for _ in range(5000):
        section = {"type": "rich_text_quote", "elements": [section]}
    message = {"blocks": [{"type": "rich_text", "elements": [section]}]}
    assert message_words(message) == ""
