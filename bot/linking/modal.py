"""The link modal: its ids, building it, reading and checking it. Pure: no I/O."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    DividerBlock,
    InputBlock,
    MarkdownTextObject,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.language import _
from bot.linking import texts
from bot.pins import VALUE_ACTION, ModalState, text_value

# The ids Slack sends back: contract names (manifest, tests), never renamed.
LINK_CALLBACK = "link_request"
AUTHCODE_BLOCK, EMAIL_BLOCK, PWD_BLOCK = "authcode", "email", "pwd"

# Rescue authcodes are opaque tokens; a space or a URL in one is a paste gone wrong.
_AUTHCODE = re.compile(r"\A[A-Za-z0-9+/=_\-.~]{8,200}\Z")


def link_modal(modal: ModalState, offer_signin: bool = True) -> dict[str, Any]:
    intro = _(texts.LINK_INTRO)
    if modal.target_user:
        intro = _(texts.LINK_FOR_OTHER, user=modal.target_user) + "\n" + intro
        offer_signin = False  # nobody types someone else's password
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=intro)),
        InputBlock(
            block_id=AUTHCODE_BLOCK,
            label=PlainTextObject(text=_(texts.LINK_AUTHCODE_LABEL)),
            optional=offer_signin,
            element=PlainTextInputElement(action_id=VALUE_ACTION, max_length=200),
        ),
    ]
    if offer_signin:
        blocks += [
            DividerBlock(),
            SectionBlock(text=MarkdownTextObject(text=_(texts.LINK_SIGNIN_INTRO))),
            InputBlock(
                block_id=EMAIL_BLOCK,
                label=PlainTextObject(text=_(texts.LINK_EMAIL_LABEL)),
                optional=True,
                element=PlainTextInputElement(action_id=VALUE_ACTION, max_length=254),
            ),
            InputBlock(
                block_id=PWD_BLOCK,
                label=PlainTextObject(text=_(texts.LINK_PWD_LABEL)),
                optional=True,
                element=PlainTextInputElement(action_id=VALUE_ACTION, max_length=200),
            ),
        ]
    return View(
        type="modal",
        callback_id=LINK_CALLBACK,
        title=PlainTextObject(text=_(texts.LINK_TITLE)),
        submit=PlainTextObject(text=_(texts.LINK_SUBMIT)),
        close=PlainTextObject(text=_(texts.LINK_CLOSE)),
        private_metadata=modal.dump(),
        blocks=blocks,
    ).to_dict()


def read_link_form(state: Mapping[str, Any]) -> tuple[str, str, str]:
    return (
        text_value(state, AUTHCODE_BLOCK).strip(),
        text_value(state, EMAIL_BLOCK).strip(),
        text_value(state, PWD_BLOCK),
    )


def link_errors(authcode: str, email: str, password: str) -> dict[str, str]:
    """Inline errors, in the current language."""
    if authcode and (email or password):
        return {AUTHCODE_BLOCK: _(texts.LINK_BOTH)}
    if authcode:
        return {} if _AUTHCODE.match(authcode) else {AUTHCODE_BLOCK: _(texts.LINK_MALFORMED)}
    if email and not password:
        return {PWD_BLOCK: _(texts.LINK_PWD_MISSING)}
    if password and not email:
        return {EMAIL_BLOCK: _(texts.LINK_EMAIL_MISSING)}
    if not email:
        return {AUTHCODE_BLOCK: _(texts.LINK_EMPTY)}
    return {}
