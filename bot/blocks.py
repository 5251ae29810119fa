"""Pure Block Kit builders. slack_sdk's models check Slack's limits as each is built."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
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
SHARE_ACTION = "pin_share"
RETRY_ACTION = "pin_retry_no_console"
HOME_REQUEST_ACTION = {Kind.RESCUE: "home_request_rescue", Kind.LENS: "home_request_lens"}
HOME_UNLINK_ACTION = "home_unlink"
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
    names = (*fields, NO_CONSOLE)
    form = _pin_form(context.kind, tuple(fields), tuple(label(name) for name in names))
    blocks = list(form["blocks"])
    # The form is shared between calls: copy only what this agent's modal changes.
    for index, block in enumerate(blocks):
        name = block.get("block_id")
        value = (prefill or {}).get(name)
        note = (notes or {}).get(name)
        if value or note:
            block = {**block, "element": {**block["element"]}}
            if value:
                block["element"]["initial_value"] = value
            if note:
                block["hint"] = PlainTextObject(text=note).to_dict()
            blocks[index] = block
    return {**form, "private_metadata": context.dump(), "blocks": blocks}


@lru_cache(maxsize=32)
def _pin_form(kind: Kind, fields: tuple[str, ...], labels: tuple[str, ...]) -> dict[str, Any]:
    """The part of the PIN modal that is the same for everyone: built and checked once."""
    label = dict(zip((*fields, NO_CONSOLE), labels, strict=True)).__getitem__
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=texts.MODAL_INTRO[kind]))]
    for name in fields:
        limit = FIELD_LIMITS[name]
        blocks.append(
            InputBlock(
                block_id=name,
                label=PlainTextObject(text=_label(label(name))),
                optional=True,
                element=PlainTextInputElement(
                    action_id=VALUE_ACTION, max_length=limit, multiline=limit > 64
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
        title=PlainTextObject(text=texts.MODAL_TITLE[kind]),
        submit=PlainTextObject(text=texts.MODAL_SUBMIT),
        close=PlainTextObject(text=texts.MODAL_CLOSE),
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


def _customer_words(details: PinDetails) -> str:
    words = texts.CUSTOMER_WORDS[details.kind].format(pin=details.pin)
    how = f"{texts.READ_TO_CUSTOMER}\n>{words}"
    if details.kind is Kind.RESCUE:
        return how + "\n" + texts.DIRECT_LINK.format(link=details.link)
    return how + "\n" + texts.LENS_APP_HINT


def pin_message(
    details: PinDetails,
    label: Callable[[str], str],
    share_id: int | None = None,
    shared: bool = False,
) -> Message:
    """The private PIN: large, with the words for the customer and what it was made for.

    `share_id` (the audit row) adds the Share button; `shared` says it was shared instead.
    """
    kind, pin = details.kind, details.pin
    how = _customer_words(details)
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
    if shared:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=texts.SHARED_PRIVATE_NOTE)]))
    elif share_id is not None:
        blocks.append(_buttons((texts.SHARE_BUTTON, SHARE_ACTION, str(share_id), None)))
    fallback = texts.PIN_FALLBACK.format(kind=texts.KIND_SHORT[kind], pin=pin)
    return _message(fallback, blocks)


def shared_message(details: PinDetails, sharer: str) -> Message:
    """The public copy: who shared it, the kind, the words for the customer; no customer fields."""
    headline = texts.SHARED_HEADLINE[details.kind].format(pin=details.pin)
    by = texts.SHARED_BY.format(user=sharer, kind=texts.KIND_NAME[details.kind])
    message = _message(
        f"{headline} ({by})",
        [
            HeaderBlock(text=PlainTextObject(text=headline)),
            SectionBlock(text=MarkdownTextObject(text=_customer_words(details))),
            ContextBlock(elements=[MarkdownTextObject(text=by)]),
        ],
    )
    return {**message, "response_type": "in_channel", "replace_original": False}


def failure_message(
    kind: Kind,
    outcome: Outcome,
    detail: str | None = None,
    retry_token: str | None = None,
    retry_at: datetime | None = None,
) -> Message:
    headline, advice = texts.failure_text(outcome, detail)
    if retry_at is not None:
        when = texts.RETRY_AT.format(
            epoch=int(retry_at.timestamp()), time=retry_at.strftime("%H:%M:%S")
        )
        advice = f"{advice} {when}"
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=f"*{texts.HEADLINE_FAILED[kind]}.* {headline}")),
        SectionBlock(text=MarkdownTextObject(text=advice)),
    ]
    if retry_token is not None:
        blocks.append(_buttons((texts.RETRY_BUTTON, RETRY_ACTION, retry_token, "primary")))
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
    return _buttons((label, LINK_OPEN_ACTION, "link", "primary"))


def _buttons(*buttons: tuple[str, str, str, str | None]) -> ActionsBlock:
    """(label, action_id, value, style) each."""
    return ActionsBlock(
        elements=[
            ButtonElement(
                text=PlainTextObject(text=label), action_id=action, value=value, style=style
            )
            for label, action, value, style in buttons
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
        "replace_original": False,  # a reply to a button adds a message, it replaces nothing
        "text": fallback,
        "blocks": [block.to_dict() for block in blocks],
    }


@dataclass(frozen=True)
class HomeRow:
    at: datetime
    user_id: str
    kind: Kind
    outcome: str
    pin: str | None
    cfield0: str | None
    tracking0: str | None
    expires_at: datetime


def _home_line(row: HomeRow, now: datetime, with_user: bool) -> str:
    parts = [
        f"<!date^{int(row.at.timestamp())}^{{date_short}} {{time}}|{row.at:%Y-%m-%d %H:%M} UTC>"
    ]
    if with_user:
        parts.append(f"<@{row.user_id}>")
    parts.append(texts.KIND_SHORT[row.kind])
    parts += [escape(value) for value in (row.cfield0, row.tracking0) if value]
    if row.outcome == Outcome.OK.value and row.pin:
        parts.append(
            f"*{row.pin}*" if now < row.expires_at else f"~{row.pin}~ {texts.HOME_EXPIRED}"
        )
    else:
        parts.append(texts.OUTCOME_SHORT.format(outcome=row.outcome))
    return " · ".join(parts)


def home_view(
    linked: bool,
    mine: Sequence[HomeRow],
    team: Sequence[HomeRow] | None,
    now: datetime,
) -> dict[str, Any]:
    """The Home tab: link state, the two request buttons, recent requests (the team's for leads)."""
    if linked:
        state = texts.HOME_LINKED
        link_buttons = _buttons(
            (texts.HOME_RELINK, LINK_OPEN_ACTION, "home", None),
            (texts.HOME_UNLINK, HOME_UNLINK_ACTION, "home", "danger"),
        )
    else:
        state = texts.HOME_NOT_LINKED
        link_buttons = _buttons((texts.HOME_LINK, LINK_OPEN_ACTION, "home", "primary"))
    items: list[Block] = [
        HeaderBlock(text=PlainTextObject(text=texts.HOME_TITLE)),
        SectionBlock(text=MarkdownTextObject(text=state)),
        link_buttons,
        _buttons(
            *[
                (texts.HOME_REQUEST[kind], HOME_REQUEST_ACTION[kind], kind.value, None)
                for kind in Kind
            ]
        ),
        DividerBlock(),
    ]
    for title, rows, with_user in ((texts.HOME_RECENT, mine, False), (texts.HOME_TEAM, team, True)):
        if rows is None:
            continue
        items.append(HeaderBlock(text=PlainTextObject(text=title)))
        lines = [_home_line(row, now, with_user) for row in rows] or [texts.HOME_NONE]
        items += [SectionBlock(text=MarkdownTextObject(text=line[:3000])) for line in lines]
    return View(type="home", blocks=items[:100]).to_dict()
