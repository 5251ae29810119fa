"""Reading what the app posted, as a person would see it."""

from __future__ import annotations

from typing import Any


def message_text(message: dict[str, Any]) -> str:
    """Everything a person would read in a message: fallback text and every block's text."""
    parts = [message.get("text", "")]
    for block in message.get("blocks", []):
        if isinstance(block.get("text"), dict):
            parts.append(block["text"]["text"])
        for element in block.get("elements", []):
            if isinstance(element.get("text"), str):
                parts.append(element["text"])
            elif isinstance(element.get("text"), dict):
                parts.append(element["text"]["text"])
    return "\n".join(parts)


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    """The message's buttons, in order."""
    return [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]


def input_blocks(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A modal's input blocks by block_id, in order."""
    return {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
