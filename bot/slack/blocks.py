"""What every feature's Block Kit shares: a message, people's text made safe, a row of buttons.
Pure: no I/O."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import ActionsBlock, ButtonElement, PlainTextObject

# A message as Slack takes it (chat.postMessage, a response_url, an ack's body).
Message = dict[str, Any]


def escape(text: str) -> str:
    """Text typed by people, made safe inside mrkdwn."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def buttons(*specs: tuple[str, str, str, str | None]) -> ActionsBlock:
    """(label, action_id, value, style) each."""
    return ActionsBlock(
        elements=[
            ButtonElement(
                text=PlainTextObject(text=label), action_id=action, value=value, style=style
            )
            for label, action, value, style in specs
        ]
    )
