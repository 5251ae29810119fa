"""What a PIN modal starts with: the command's text, or a shortcut's message and its author.

Pure: no I/O. Prefills are cut to Rescue's limits, and a note on the field says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.language import _
from bot.pins import texts
from bot.rescue.client import FIELD_LIMITS


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
        notes[description_field] = _(texts.SHORTCUT_CUT, limit=limit)
    return prefill, notes
