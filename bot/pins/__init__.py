"""Asking for a PIN: the modal, the request, the PIN messages, retries, the store.

What other features use: a PIN's message and its shared copy (sharing), how long a PIN is
good for (App Home), Rescue's join link (the workflow step)."""

from bot.pins.messages import (
    ASSUMED_VALIDITY,
    direct_link,
    pin_details,
    pin_message,
    shared_message,
    validity,
)

__all__ = [
    "ASSUMED_VALIDITY",
    "direct_link",
    "pin_details",
    "pin_message",
    "shared_message",
    "validity",
]
