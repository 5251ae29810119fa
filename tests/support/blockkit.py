"""Slack's Block Kit limits, written down from Slack's reference independently of slack_sdk
(the app builds with slack_sdk's models, so parsing their output back with the same models
proves nothing). `view_problems` / `message_problems` list what Slack would refuse."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

BLOCKS_PER_VIEW = 100
BLOCKS_PER_MESSAGE = 50
TEXT_LIMITS = {"section": 3000, "header": 150, "context": 3000}
SECTION_FIELDS, SECTION_FIELD_TEXT = 10, 2000
PLAIN_ONLY = ("header", "input")  # their text objects may only be plain_text
ELEMENT_COUNT = {"context": 10, "actions": 25}
BUTTON_TEXT, BUTTON_VALUE = 75, 2000
OPTION_TEXT, OPTION_VALUE, OPTIONS = 75, 150, 10
SELECT_OPTIONS = 100
LABEL, HINT, PLACEHOLDER = 2000, 2000, 150
INPUT_MAX_LENGTH = 3000
ID_LENGTH = 255
MODAL_TITLE, MODAL_BUTTON, PRIVATE_METADATA = 24, 24, 3000


def _text(where: str, obj: Any, limit: int, plain: bool = False) -> Iterator[str]:
    if not isinstance(obj, dict) or obj.get("type") not in ("plain_text", "mrkdwn"):
        yield f"{where}: not a text object: {obj!r:.60}"
        return
    if plain and obj["type"] != "plain_text":
        yield f"{where}: must be plain_text"
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        yield f"{where}: empty text"
    elif len(text) > limit:
        yield f"{where}: {len(text)} characters, more than {limit}"


def _id(where: str, value: Any) -> Iterator[str]:
    if not isinstance(value, str) or not value or len(value) > ID_LENGTH:
        yield f"{where}: not an id of 1 to {ID_LENGTH} characters: {value!r:.60}"


def _element(where: str, element: dict[str, Any]) -> Iterator[str]:
    kind = element.get("type")
    yield from _id(f"{where}.action_id", element.get("action_id"))
    if kind == "button":
        yield from _text(f"{where}.text", element.get("text"), BUTTON_TEXT, plain=True)
        if len(element.get("value", "")) > BUTTON_VALUE:
            yield f"{where}.value: longer than {BUTTON_VALUE}"
        if element.get("style") not in (None, "primary", "danger"):
            yield f"{where}.style: {element.get('style')!r}"
    elif kind == "plain_text_input":
        limit = element.get("max_length", INPUT_MAX_LENGTH)
        if not 0 < limit <= INPUT_MAX_LENGTH:
            yield f"{where}.max_length: {limit}"
        if len(element.get("initial_value", "")) > limit:
            yield f"{where}.initial_value: longer than its own max_length {limit}"
        if "placeholder" in element:
            yield from _text(f"{where}.placeholder", element["placeholder"], PLACEHOLDER, True)
    elif kind == "checkboxes":
        options = element.get("options", [])
        if not 0 < len(options) <= OPTIONS:
            yield f"{where}.options: {len(options)} options"
        for n, option in enumerate(options):
            yield from _text(f"{where}.options[{n}].text", option.get("text"), OPTION_TEXT)
            if not 0 < len(option.get("value", "")) <= OPTION_VALUE:
                yield f"{where}.options[{n}].value: not 1 to {OPTION_VALUE} characters"
    elif kind == "static_select":
        options = element.get("options", [])
        if not 0 < len(options) <= SELECT_OPTIONS:
            yield f"{where}.options: {len(options)} options"
        for n, option in enumerate(options):
            yield from _text(f"{where}.options[{n}].text", option.get("text"), OPTION_TEXT, True)
            if not 0 < len(option.get("value", "")) <= OPTION_VALUE:
                yield f"{where}.options[{n}].value: not 1 to {OPTION_VALUE} characters"
        if "initial_option" in element and element["initial_option"] not in options:
            yield f"{where}.initial_option: not one of its options"
        if "placeholder" in element:
            yield from _text(f"{where}.placeholder", element["placeholder"], PLACEHOLDER, True)
    else:
        yield f"{where}: an element type this app does not use: {kind!r}"


def _block(where: str, block: dict[str, Any]) -> Iterator[str]:
    kind = block.get("type")
    if "block_id" in block:
        yield from _id(f"{where}.block_id", block["block_id"])
    if kind == "section" and "fields" in block:  # a section has text, fields, or both
        fields = block["fields"]
        if not 0 < len(fields) <= SECTION_FIELDS:
            yield f"{where}.fields: {len(fields)} fields"
        for n, field in enumerate(fields):
            yield from _text(f"{where}.fields[{n}]", field, SECTION_FIELD_TEXT)
        if "text" in block:
            yield from _text(f"{where}.text", block["text"], TEXT_LIMITS[kind])
    elif kind in ("section", "header"):
        yield from _text(f"{where}.text", block.get("text"), TEXT_LIMITS[kind], kind == "header")
    elif kind in ("context", "actions"):
        elements = block.get("elements", [])
        if not 0 < len(elements) <= ELEMENT_COUNT[kind]:
            yield f"{where}.elements: {len(elements)} elements"
        actions = [e.get("action_id") for e in elements if "action_id" in e]
        if len(actions) != len(set(actions)):  # unique within their block
            yield f"{where}: action_ids repeat: {actions}"
        for n, element in enumerate(elements):
            if kind == "context":
                yield from _text(f"{where}.elements[{n}]", element, TEXT_LIMITS["context"])
            else:
                yield from _element(f"{where}.elements[{n}]", element)
    elif kind == "input":
        yield from _text(f"{where}.label", block.get("label"), LABEL, plain=True)
        if "hint" in block:
            yield from _text(f"{where}.hint", block["hint"], HINT, plain=True)
        yield from _element(f"{where}.element", block.get("element", {}))
    elif kind != "divider":
        yield f"{where}: a block type this app does not use: {kind!r}"


def _blocks(blocks: list[dict[str, Any]], most: int) -> Iterator[str]:
    if len(blocks) > most:
        yield f"{len(blocks)} blocks, more than {most}"
    ids = [b["block_id"] for b in blocks if "block_id" in b]
    if len(ids) != len(set(ids)):
        yield f"block_ids repeat: {ids}"
    for n, block in enumerate(blocks):
        yield from _block(f"blocks[{n}]", block)


def view_problems(view: dict[str, Any]) -> list[str]:
    problems = list(_blocks(view.get("blocks", []), BLOCKS_PER_VIEW))
    if view.get("type") == "modal":
        problems += list(_text("title", view.get("title"), MODAL_TITLE, plain=True))
        for button in ("submit", "close"):
            if button in view:
                problems += list(_text(button, view[button], MODAL_BUTTON, plain=True))
        if any(b["type"] == "input" for b in view.get("blocks", [])) and "submit" not in view:
            problems.append("a modal with inputs needs a submit button")
        problems += list(_id("callback_id", view.get("callback_id")))
        if len(view.get("private_metadata", "")) > PRIVATE_METADATA:
            problems.append(f"private_metadata longer than {PRIVATE_METADATA}")
    elif view.get("type") != "home":
        problems.append(f"type: {view.get('type')!r}")
    return problems


def message_problems(message: dict[str, Any]) -> list[str]:
    problems = list(_blocks(message.get("blocks", []), BLOCKS_PER_MESSAGE))
    if not message.get("text"):
        problems.append("no fallback text (notifications and screen readers show it)")
    if any(b["type"] == "input" for b in message.get("blocks", [])):
        problems.append("input blocks belong in views")
    return problems
