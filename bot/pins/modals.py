"""The PIN modal and the ids of the buttons around it: the state a modal carries, building
the PIN modal, reading and checking it.

Building and reading are pure: no I/O. slack_sdk's models check Slack's limits as each is built.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    CheckboxesElement,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.language import _, current
from bot.pins import texts
from bot.pins.customer import VALUE_ACTION, customer_language_input
from bot.rescue.client import FIELD_LIMITS, TEXT_FIELDS, Kind
from bot.rescue.sms import (
    DEFAULT_LANG_CODE,
    LANG_CODES,
    PHONE_MAX_LENGTH,
    Phone,
    check_phone,
    valid_lang_code,
)

# The ids Slack sends back: contract names (manifest, tests), never renamed.
# Modals (callback_id) and their inputs (block_id; every input's action_id is VALUE_ACTION)
PIN_CALLBACK = "pin_request"
NO_CONSOLE = "notechconsole"
# The Lens modal's texting inputs, named after requestLensPINCode_v4's parameters
PHONE_BLOCK, LANG_BLOCK = "PhoneNumber", "LangCode"
# Buttons on messages and App Home (action_id)
LINK_OPEN_ACTION, SHARE_ACTION, RETRY_ACTION = "link_open", "pin_share", "pin_retry_no_console"
HOME_REQUEST_ACTION = {Kind.RESCUE: "home_request_rescue", Kind.LENS: "home_request_lens"}
HOME_UNLINK_ACTION = "home_unlink"
# Shortcuts (callback_id)
MESSAGE_SHORTCUT, GLOBAL_SHORTCUT = "pin_from_message", "pin_global"


@dataclass(frozen=True)
class ModalState:
    """What a modal's submit needs from whatever opened it, carried in private_metadata."""

    kind: Kind
    response_url: str | None = None
    channel_id: str | None = None
    target_user: str | None = None  # the link modal, opened by a team lead for someone else

    def dump(self) -> str:
        # Short keys on the wire: a modal opened by the release before must still load,
        # and one opened by this release must load in it (rolling deploys).
        data = {
            "k": self.kind.value,
            "r": self.response_url,
            "c": self.channel_id,
            "t": self.target_user,
        }
        return json.dumps({key: value for key, value in data.items() if value})

    @classmethod
    def load(cls, raw: str | None) -> ModalState:
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


def submitted(body: Mapping[str, Any]) -> tuple[ModalState, dict[str, Any]]:
    """A view submission's modal state and its typed values (empty when unreadable)."""
    view = body.get("view")
    view = view if isinstance(view, Mapping) else {}
    state = view.get("state")
    values = state.get("values") if isinstance(state, Mapping) else None
    return ModalState.load(view.get("private_metadata")), values if isinstance(values, dict) else {}


def pin_modal(
    modal: ModalState,
    fields: Sequence[str],
    label: Callable[[str], str],
    prefill: Mapping[str, str] | None = None,
    notes: Mapping[str, str] | None = None,
    lang_code: str = DEFAULT_LANG_CODE,
    sms_region: str | None = None,
) -> dict[str, Any]:
    """The PIN form: one optional input per Rescue parameter, `block_id` = parameter name.

    Lens adds the customer's number and the text's language (`lang_code` preselected).
    """
    names = (*fields, NO_CONSOLE)
    labels = tuple(label(name) for name in names)
    form = _pin_form(modal.kind, tuple(fields), labels, sms_region, current())
    blocks = list(form["blocks"])
    if modal.kind is Kind.LENS:
        blocks = [_preselect(block, valid_lang_code(lang_code)) for block in blocks]
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
    return {**form, "private_metadata": modal.dump(), "blocks": blocks}


def _preselect(block: dict[str, Any], lang_code: str) -> dict[str, Any]:
    if block.get("block_id") != LANG_BLOCK:
        return block
    options = block["element"]["options"]
    chosen = next(option for option in options if option["value"] == lang_code)
    return {**block, "element": {**block["element"], "initial_option": chosen}}


@lru_cache(maxsize=64)
def _pin_form(
    kind: Kind,
    fields: tuple[str, ...],
    labels: tuple[str, ...],
    sms_region: str | None,
    language: str,
) -> dict[str, Any]:
    """The part of the PIN modal that is the same for everyone who reads `language`: built
    and checked once per language."""
    label = dict(zip((*fields, NO_CONSOLE), labels, strict=True)).__getitem__
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=_(texts.MODAL_INTRO[kind])))]
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
    if kind is Kind.LENS:
        blocks += _sms_inputs(sms_region)
    else:
        blocks.append(customer_language_input(language))
    blocks.append(
        InputBlock(
            block_id=NO_CONSOLE,
            label=PlainTextObject(text=_label(label(NO_CONSOLE), _(texts.NO_CONSOLE_LABEL))),
            optional=True,
            element=CheckboxesElement(
                action_id=VALUE_ACTION,
                options=[
                    Option(
                        value="1",
                        text=PlainTextObject(text=_(texts.NO_CONSOLE_OPTION)),
                        description=PlainTextObject(text=_(texts.NO_CONSOLE_HINT)),
                    )
                ],
            ),
        )
    )
    return View(
        type="modal",
        callback_id=PIN_CALLBACK,
        title=PlainTextObject(text=_(texts.MODAL_TITLE[kind])),
        submit=PlainTextObject(text=_(texts.MODAL_SUBMIT)),
        close=PlainTextObject(text=_(texts.MODAL_CLOSE)),
        blocks=blocks,
    ).to_dict()


def _sms_inputs(sms_region: str | None) -> list[Block]:
    """Lens only: Rescue texts the customer the invitation when a number is given."""
    hint = _(texts.PHONE_HINT_REGION, region=sms_region) if sms_region else _(texts.PHONE_HINT)
    options = [
        Option(value=code, text=PlainTextObject(text=texts.LANG_NAMES[code])) for code in LANG_CODES
    ]
    return [
        InputBlock(
            block_id=PHONE_BLOCK,
            label=PlainTextObject(text=_(texts.PHONE_LABEL)),
            hint=PlainTextObject(text=hint),
            optional=True,
            element=PlainTextInputElement(
                action_id=VALUE_ACTION,
                max_length=PHONE_MAX_LENGTH,
                placeholder=PlainTextObject(text=texts.PHONE_PLACEHOLDER),
            ),
        ),
        InputBlock(
            block_id=LANG_BLOCK,
            label=PlainTextObject(text=_(texts.LANG_LABEL)),
            optional=True,
            element=StaticSelectElement(
                action_id=VALUE_ACTION,
                options=options,
                initial_option=options[LANG_CODES.index(DEFAULT_LANG_CODE)],
            ),
        ),
    ]


def _label(text: str, default: str | None = None) -> str:
    if text == NO_CONSOLE and default:
        return default
    return text[:2000]


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


def read_sms_form(state: Mapping[str, Any]) -> tuple[str, str]:
    """The Lens modal's number, as typed, and the chosen language (`en` when unreadable)."""
    element = _value(state, LANG_BLOCK)
    selected = element.get("selected_option") if element else None
    code = selected.get("value") if isinstance(selected, Mapping) else None
    return text_value(state, PHONE_BLOCK), valid_lang_code(code if isinstance(code, str) else None)


def sms_inputs(
    kind: Kind, state: Mapping[str, Any], sms_region: str | None
) -> tuple[Phone | None, str, dict[str, str]]:
    """Lens: the checked number (None: no text), the language, and an inline error if any."""
    if kind is not Kind.LENS:
        return None, DEFAULT_LANG_CODE, {}
    typed, lang_code = read_sms_form(state)
    check = check_phone(typed, sms_region)
    if check.problem is not None:
        return None, lang_code, {PHONE_BLOCK: _(texts.PHONE_PROBLEMS[check.problem])}
    return check.phone, lang_code, {}


def sendable(value: str) -> bool:
    """False for a lone surrogate (JSON can carry "\\ud800"): no encoding can send it to Rescue."""
    try:
        value.encode()
    except UnicodeEncodeError:
        return False
    return True


def field_errors(fields: Mapping[str, str], shown: Sequence[str] = TEXT_FIELDS) -> dict[str, str]:
    """An inline error per over-long or unsendable field, in characters; never truncate."""
    errors = {}
    for name, value in fields.items():
        limit = FIELD_LIMITS.get(name)
        if limit is not None and len(value) > limit:
            errors[name] = texts.too_long(limit, len(value))
        elif not sendable(value):
            errors[name] = _(texts.UNSENDABLE)
    # Slack can only show an error on a block the modal has.
    return {name: error for name, error in errors.items() if name in shown} or errors
