"""The words of a Slack message, for the message shortcut's description. Pure: no I/O.

A message written in Slack's editor, or posted by an app, often has an empty `text` and its
words only in `blocks` (rich text, sections, headers, context) or in legacy attachments.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Deeper nesting than this is not a message a person wrote; stop rather than recurse forever.
_MAX_DEPTH = 12


def message_words(message: Mapping[str, Any]) -> str:
    """`text` when it has words; else the words of its blocks, then of its attachments."""
    text = message.get("text")
    if isinstance(text, str) and text.strip():
        return text.strip()
    parts = [blocks_words(message.get("blocks"))]
    attachments = message.get("attachments")
    for attachment in attachments if isinstance(attachments, list) else []:
        if isinstance(attachment, Mapping):
            parts.append(_attachment_words(attachment))
    return "\n".join(part for part in parts if part).strip()


def blocks_words(blocks: Any) -> str:
    """One line (or more) per block that carries words; images, dividers and buttons carry none."""
    if not isinstance(blocks, list):
        return ""
    lines = (_block(block) for block in blocks if isinstance(block, Mapping))
    return "\n".join(line for line in lines if line)


def _attachment_words(attachment: Mapping[str, Any]) -> str:
    words = blocks_words(attachment.get("blocks"))
    if words:
        return words
    found = [
        value.strip()
        for key in ("pretext", "title", "text")
        if isinstance(value := attachment.get(key), str) and value.strip()
    ]
    fallback = attachment.get("fallback")
    if not found and isinstance(fallback, str):
        found.append(fallback.strip())
    return "\n".join(found)


def _text_object(value: Any) -> str:
    """A composition text object: {"type": "mrkdwn" | "plain_text", "text": …}."""
    if isinstance(value, Mapping):
        text = value.get("text")
        return text.strip() if isinstance(text, str) else ""
    return ""


def _block(block: Mapping[str, Any]) -> str:
    kind = block.get("type")
    if kind == "rich_text":
        return _rich(block.get("elements"), 0).strip()
    if kind in ("section", "header"):
        fields = block.get("fields")
        parts = [_text_object(block.get("text"))]
        parts += [_text_object(f) for f in fields] if isinstance(fields, list) else []
        return "\n".join(part for part in parts if part)
    if kind == "context":
        elements = block.get("elements")
        words = [_text_object(e) for e in elements] if isinstance(elements, list) else []
        return " ".join(word for word in words if word)
    if kind == "markdown":
        text = block.get("text")
        return text.strip() if isinstance(text, str) else ""
    return ""


def _rich(elements: Any, depth: int) -> str:
    """Rich text's containers hold sections, lists, quotes and code; sections hold runs."""
    if not isinstance(elements, list) or depth > _MAX_DEPTH:
        return ""
    out: list[str] = []
    for element in elements:
        if not isinstance(element, Mapping):
            continue
        kind = element.get("type")
        if kind in ("rich_text_section", "rich_text_preformatted", "rich_text_quote"):
            out.append(_runs(element.get("elements"), depth + 1) + "\n")
        elif kind == "rich_text_list":
            items = element.get("elements")
            ordered = element.get("style") == "ordered"
            for number, item in enumerate(items if isinstance(items, list) else [], start=1):
                line = _rich([item], depth + 1).strip()
                if line:
                    out.append(f"{number}. {line}\n" if ordered else f"- {line}\n")
        else:
            out.append(_runs([element], depth + 1))
    return "".join(out)


def _runs(runs: Any, depth: int) -> str:
    if not isinstance(runs, list) or depth > _MAX_DEPTH:
        return ""
    return "".join(_run(run, depth) for run in runs if isinstance(run, Mapping))


def _run(run: Mapping[str, Any], depth: int) -> str:
    kind = run.get("type")
    if kind == "text":
        return _str(run.get("text"))
    if kind == "link":
        return _str(run.get("text")) or _str(run.get("url"))
    if kind == "emoji":
        return _emoji(run)
    if kind == "user":
        return "@" + _str(run.get("user_id")) if run.get("user_id") else ""
    if kind == "usergroup":
        return "@" + _str(run.get("usergroup_id")) if run.get("usergroup_id") else ""
    if kind == "channel":
        return "#" + _str(run.get("channel_id")) if run.get("channel_id") else ""
    if kind == "broadcast":
        return "@" + _str(run.get("range")) if run.get("range") else ""
    if kind == "date":
        return _str(run.get("fallback"))
    if kind in ("rich_text_section", "rich_text_preformatted", "rich_text_quote"):
        return _runs(run.get("elements"), depth + 1)
    return ""


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _emoji(run: Mapping[str, Any]) -> str:
    code = run.get("unicode")
    if isinstance(code, str) and code:
        try:
            return "".join(chr(int(part, 16)) for part in code.split("-"))
        except (ValueError, OverflowError):
            pass
    name = run.get("name")
    return f":{name}:" if isinstance(name, str) and name else ""
