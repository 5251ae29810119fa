"""Reading and checking what people typed into the modals. Pure: no I/O."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from bot import texts
from bot.blocks import AUTHCODE_BLOCK, EMAIL_BLOCK, NO_CONSOLE, PWD_BLOCK, VALUE_ACTION
from bot.rescue import FIELD_LIMITS, TEXT_FIELDS

# Rescue authcodes are opaque tokens; a space or a URL in one is a paste gone wrong.
_AUTHCODE = re.compile(r"\A[A-Za-z0-9+/=_\-.~]{8,200}\Z")


def _value(state: Mapping[str, Any], block_id: str) -> Any:
    block = state.get(block_id)
    if not isinstance(block, Mapping):
        return None
    element = block.get(VALUE_ACTION)
    return element if isinstance(element, Mapping) else None


def text_value(state: Mapping[str, Any], block_id: str) -> str:
    element = _value(state, block_id)
    value = element.get("value") if element else None
    return value if isinstance(value, str) else ""


def read_pin_form(state: Mapping[str, Any]) -> tuple[dict[str, str], bool]:
    """The typed fields, exactly as typed (empty ones left out), and the no-console box."""
    fields = {name: text_value(state, name) for name in TEXT_FIELDS}
    element = _value(state, NO_CONSOLE)
    selected = element.get("selected_options") if element else None
    no_console = isinstance(selected, list) and any(
        isinstance(option, Mapping) and option.get("value") == "1" for option in selected
    )
    return {name: value for name, value in fields.items() if value}, no_console


def field_errors(fields: Mapping[str, str], shown: Sequence[str] = TEXT_FIELDS) -> dict[str, str]:
    """An inline error per over-long field, in characters; never truncate."""
    errors = {}
    for name, value in fields.items():
        limit = FIELD_LIMITS.get(name)
        if limit is not None and len(value) > limit:
            errors[name] = texts.too_long(limit, len(value))
    # Slack can only show an error on a block the modal has.
    return {name: error for name, error in errors.items() if name in shown} or errors


def fit(value: str, limit: int) -> tuple[str, bool]:
    """For prefills only (a message's text): cut to the limit, and say whether it was cut."""
    return (value, False) if len(value) <= limit else (value[:limit], True)


def command_prefill(text: str) -> tuple[dict[str, str], dict[str, str]]:
    """cfield0 from the command's text, and a note on the field if it had to be cut."""
    name, cut = fit(text.strip(), FIELD_LIMITS["cfield0"])
    if not name:
        return {}, {}
    return {"cfield0": name}, (
        {"cfield0": texts.too_long_notice(FIELD_LIMITS["cfield0"])} if cut else {}
    )


_MENTION = re.compile(r"\A(?:<@)?([UW][A-Z0-9]{2,})(?:\|[^>]*)?>?\Z")


def mentioned_user(text: str) -> str | None:
    """`U0123ABCD` or an escaped mention `<@U0123ABCD|jane>`: whom `link` is for."""
    match = _MENTION.match(text.strip())
    return match.group(1) if match else None


def display_name(user: Mapping[str, Any] | None) -> str:
    """How a Slack user is called, for prefilling the customer's name."""
    if not user:
        return ""
    profile = user.get("profile")
    profile = profile if isinstance(profile, Mapping) else {}
    for name in (
        profile.get("real_name"),
        user.get("real_name"),
        profile.get("display_name"),
        user.get("name"),
    ):
        if isinstance(name, str) and name.strip():
            return name.strip()
    return ""


def message_prefill(
    author: str, text: str, description_field: str
) -> tuple[dict[str, str], dict[str, str]]:
    """Author as cfield0, the message as the description: cut to fit, and said so."""
    prefill, notes = command_prefill(author)
    limit = FIELD_LIMITS[description_field]
    description, cut = fit(text.strip(), limit)
    if description:
        prefill[description_field] = description
    if cut:
        notes[description_field] = texts.SHORTCUT_CUT.format(limit=limit)
    return prefill, notes


def read_link_form(state: Mapping[str, Any]) -> tuple[str, str, str]:
    return (
        text_value(state, AUTHCODE_BLOCK).strip(),
        text_value(state, EMAIL_BLOCK).strip(),
        text_value(state, PWD_BLOCK),
    )


def link_errors(authcode: str, email: str, password: str) -> dict[str, str]:
    if authcode and (email or password):
        return {AUTHCODE_BLOCK: texts.LINK_BOTH}
    if authcode:
        return {} if _AUTHCODE.match(authcode) else {AUTHCODE_BLOCK: texts.LINK_MALFORMED}
    if email and not password:
        return {PWD_BLOCK: texts.LINK_PWD_MISSING}
    if password and not email:
        return {EMAIL_BLOCK: texts.LINK_EMAIL_MISSING}
    if not email:
        return {AUTHCODE_BLOCK: texts.LINK_EMPTY}
    return {}
