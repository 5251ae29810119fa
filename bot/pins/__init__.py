"""Asking for a PIN: the modal, the request, the PIN messages, retries, the store.

What other features use: a PIN's message and its shared copy (sharing), how long a PIN is
good for (App Home), Rescue's join link (the workflow step); the ids of the modals' and App
Home's inputs and buttons (linking, App Home)."""

from bot.pins.messages import (
    ASSUMED_VALIDITY,
    direct_link,
    pin_details,
    pin_message,
    shared_message,
    validity,
)
from bot.pins.modals import (
    EMAIL_BLOCK,
    HOME_REQUEST_ACTION,
    HOME_UNLINK_ACTION,
    LINK_OPEN_ACTION,
    PWD_BLOCK,
)

__all__ = [
    "ASSUMED_VALIDITY",
    "EMAIL_BLOCK",
    "HOME_REQUEST_ACTION",
    "HOME_UNLINK_ACTION",
    "LINK_OPEN_ACTION",
    "PWD_BLOCK",
    "direct_link",
    "pin_details",
    "pin_message",
    "shared_message",
    "validity",
]
