"""Pure Block Kit builders. slack_sdk's models check Slack's limits as each is built."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    CheckboxesElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot import texts
from bot.rescue import AUTHCODE_PROBLEMS, FIELD_LIMITS, Kind, Outcome

PIN_CALLBACK = "pin_request"
LINK_CALLBACK = "link_request"
NO_CONSOLE = "notechconsole"
VALUE_ACTION = "value"
LINK_OPEN_ACTION = "link_open"
AUTHCODE_BLOCK, EMAIL_BLOCK, PWD_BLOCK = "authcode", "email", "pwd"

Message = dict[str, Any]


def escape(text: str) -> str:
    """Text typed by people, made safe inside mrkdwn."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@dataclass(frozen=True)
class ModalContext:
    """What the submit handler needs from the command that opened the modal."""

    kind: Kind
    response_url: str | None = None
    channel_id: str | None = None
    target_user: str | None = None  # the link modal, opened by an admin for someone else

    def dump(self) -> str:
        data = {
            "k": self.kind.value,
            "r": self.response_url,
            "c": self.channel_id,
            "t": self.target_user,
        }
        return json.dumps({key: value for key, value in data.items() if value})

    @classmethod
    def load(cls, raw: str | None) -> ModalContext:
        """Never raises: a modal with unreadable metadata still works, by DM."""
        try:
            data = json.loads(raw or "{}")
            kind = Kind(data.get("k", Kind.RESCUE.value))
            url, channel, target = data.get("r"), data.get("c"), data.get("t")
        except (ValueError, TypeError, AttributeError):
            return cls(Kind.RESCUE)
        return cls(
            kind,
            url if isinstance(url, str) and url.startswith(("https://", "http://")) else None,
            channel if isinstance(channel, str) else None,
            target if isinstance(target, str) else None,
        )


def pin_modal(
    context: ModalContext,
    fields: Sequence[str],
    label: Callable[[str], str],
    prefill: Mapping[str, str] | None = None,
    notes: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The PIN form: one optional input per Rescue parameter, `block_id` = parameter name."""
    prefill = prefill or {}
    notes = notes or {}
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=texts.MODAL_INTRO[context.kind]))
    ]
    for name in fields:
        limit = FIELD_LIMITS[name]
        blocks.append(
            InputBlock(
                block_id=name,
                label=PlainTextObject(text=_label(label(name))),
                optional=True,
                hint=PlainTextObject(text=notes[name]) if name in notes else None,
                element=PlainTextInputElement(
                    action_id=VALUE_ACTION,
                    max_length=limit,
                    multiline=limit > 64,
                    initial_value=prefill.get(name) or None,
                ),
            )
        )
    blocks.append(
        InputBlock(
            block_id=NO_CONSOLE,
            label=PlainTextObject(text=_label(label(NO_CONSOLE), texts.NO_CONSOLE_LABEL)),
            optional=True,
            element=CheckboxesElement(
                action_id=VALUE_ACTION,
                options=[
                    Option(
                        value="1",
                        text=PlainTextObject(text=texts.NO_CONSOLE_OPTION),
                        description=PlainTextObject(text=texts.NO_CONSOLE_HINT),
                    )
                ],
            ),
        )
    )
    return View(
        type="modal",
        callback_id=PIN_CALLBACK,
        title=PlainTextObject(text=texts.MODAL_TITLE[context.kind]),
        submit=PlainTextObject(text=texts.MODAL_SUBMIT),
        close=PlainTextObject(text=texts.MODAL_CLOSE),
        private_metadata=context.dump(),
        blocks=blocks,
    ).to_dict()


def _label(text: str, default: str | None = None) -> str:
    if text == NO_CONSOLE and default:
        return default
    return text[:2000]


def link_modal(context: ModalContext, offer_signin: bool = True) -> dict[str, Any]:
    intro = texts.LINK_INTRO
    if context.target_user:
        intro = texts.LINK_FOR_OTHER.format(user=context.target_user) + "\n" + intro
        offer_signin = False  # nobody types someone else's password
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=intro)),
        InputBlock(
            block_id=AUTHCODE_BLOCK,
            label=PlainTextObject(text=texts.LINK_AUTHCODE_LABEL),
            optional=offer_signin,
            element=PlainTextInputElement(action_id=VALUE_ACTION, max_length=200),
        ),
    ]
    if offer_signin:
        blocks += [
            DividerBlock(),
            SectionBlock(text=MarkdownTextObject(text=texts.LINK_SIGNIN_INTRO)),
            InputBlock(
                block_id=EMAIL_BLOCK,
                label=PlainTextObject(text=texts.LINK_EMAIL_LABEL),
                optional=True,
                element=PlainTextInputElement(action_id=VALUE_ACTION, max_length=254),
            ),
            InputBlock(
                block_id=PWD_BLOCK,
                label=PlainTextObject(text=texts.LINK_PWD_LABEL),
                optional=True,
                element=PlainTextInputElement(action_id=VALUE_ACTION, max_length=200),
            ),
        ]
    return View(
        type="modal",
        callback_id=LINK_CALLBACK,
        title=PlainTextObject(text=texts.LINK_TITLE),
        submit=PlainTextObject(text=texts.LINK_SUBMIT),
        close=PlainTextObject(text=texts.MODAL_CLOSE),
        private_metadata=context.dump(),
        blocks=blocks,
    ).to_dict()


def direct_link(rescue_api_url: str, pin: str) -> str:
    """Rescue's join link lives on the API's host."""
    scheme, _, rest = rescue_api_url.partition("://")
    host = rest.split("/", 1)[0]
    return f"{scheme}://{host}/R?i=2&Code={pin}"


@dataclass(frozen=True)
class PinDetails:
    kind: Kind
    pin: str
    fields: Mapping[str, str]
    link: str
    no_tech_console: bool = False
    expires_at: datetime | None = None


def pin_message(details: PinDetails, label: Callable[[str], str]) -> Message:
    """The private PIN: large, with the words for the customer and what it was made for."""
    kind, pin = details.kind, details.pin
    words = texts.CUSTOMER_WORDS[kind].format(pin=pin)
    how = f"{texts.READ_TO_CUSTOMER}\n>{words}"
    if kind is Kind.RESCUE:
        how += "\n" + texts.DIRECT_LINK.format(link=details.link)
    else:
        how += "\n" + texts.LENS_APP_HINT
    facts = [
        f"*{escape(label(name))}:* {escape(details.fields[name])}"
        for name in ("cfield0", "tracking0")
        if details.fields.get(name)
    ]
    if details.no_tech_console:
        facts.append(texts.NO_CONSOLE_USED)
    if details.expires_at is not None:
        when = details.expires_at.strftime("%H:%M")
        expiry = texts.EXPIRES_AT.format(
            time=when, epoch=int(details.expires_at.timestamp()), command=texts.COMMAND[kind]
        )
    else:
        expiry = texts.EXPIRES_SOON.format(command=texts.COMMAND[kind])
    blocks: list[Block] = [
        HeaderBlock(text=PlainTextObject(text=f"{texts.PIN_HEADLINE[kind]}: {pin}")),
        SectionBlock(text=MarkdownTextObject(text=how)),
    ]
    if facts:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=" · ".join(facts))]))
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=f"{expiry} {texts.ONLY_YOU}")]))
    fallback = texts.PIN_FALLBACK.format(kind=texts.KIND_SHORT[kind], pin=pin)
    return _message(fallback, blocks)


def failure_message(kind: Kind, outcome: Outcome, detail: str | None = None) -> Message:
    headline, advice = texts.failure_text(outcome, detail)
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=f"*{texts.HEADLINE_FAILED[kind]}.* {headline}")),
        SectionBlock(text=MarkdownTextObject(text=advice)),
    ]
    if outcome in AUTHCODE_PROBLEMS or outcome is Outcome.NOTLOGGEDIN:
        blocks.append(_link_again_button())
    return _message(f"{texts.HEADLINE_FAILED[kind]}: {headline} {advice}", blocks)


def not_linked_message(user_id: str, text: str | None = None) -> Message:
    text = text or texts.NOT_LINKED.format(user=user_id)
    return _message(
        text,
        [SectionBlock(text=MarkdownTextObject(text=text)), _link_again_button(texts.LINK_SUBMIT)],
    )


def _link_again_button(label: str = texts.LINK_AGAIN_BUTTON) -> ActionsBlock:
    return ActionsBlock(
        elements=[
            ButtonElement(
                text=PlainTextObject(text=label),
                action_id=LINK_OPEN_ACTION,
                value="link",
                style="primary",
            )
        ]
    )


def notice(text: str) -> Message:
    """A one-paragraph private message."""
    return _message(text, [SectionBlock(text=MarkdownTextObject(text=text))])


def help_message() -> Message:
    return notice(texts.HELP)


def _message(fallback: str, blocks: Sequence[Block]) -> Message:
    return {
        "response_type": "ephemeral",
        "text": fallback,
        "blocks": [block.to_dict() for block in blocks],
    }
