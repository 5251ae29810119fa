"""Asking for a PIN: the modal, the request, the PIN messages, retries, the store.

What other features use: a PIN's message and its shared copy (sharing), how long a PIN is
good for (App Home), Rescue's join link (the workflow step); the ids of the modals' and App
Home's buttons, the modals' state and how an input is read (linking, App Home); the
commands' names and a shared PIN's headline (sessions, App Home)."""

from bot.pins.customer import VALUE_ACTION
from bot.pins.messages import (
    ASSUMED_VALIDITY,
    direct_link,
    pin_details,
    pin_message,
    shared_message,
    validity,
)
from bot.pins.modals import (
    HOME_REQUEST_ACTION,
    HOME_UNLINK_ACTION,
    LINK_OPEN_ACTION,
    ModalState,
    text_value,
)
from bot.pins.texts import COMMAND, SHARED_HEADLINE

__all__ = [
    "ASSUMED_VALIDITY",
    "COMMAND",
    "HOME_REQUEST_ACTION",
    "HOME_UNLINK_ACTION",
    "LINK_OPEN_ACTION",
    "SHARED_HEADLINE",
    "VALUE_ACTION",
    "ModalState",
    "direct_link",
    "pin_details",
    "pin_message",
    "shared_message",
    "text_value",
    "validity",
]
