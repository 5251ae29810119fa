"""The customer's language: the words the agent reads or sends to the customer are in it.

/rescue-pin's modal has a select for it (`customer_language`, preselected with the agent's
own language); /lens-pin's LangCode (the text message's language) is the same choice, so
there is one picker, not two. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from slack_sdk.models.blocks import InputBlock, Option, PlainTextObject, StaticSelectElement

from bot.language import LANGUAGES, SOURCE_LANGUAGE, _, current, supported
from bot.pins import texts
from bot.rescue.client import Kind

# A contract name (block_id), like the Rescue parameters' inputs.
CUSTOMER_LANGUAGE_BLOCK = "customer_language"
VALUE_ACTION = "value"  # every input's action_id


def _option_value(language: str) -> str:
    return language.replace("_", "-")  # `pt-BR`, as DEFAULT_LANGUAGE spells it


def customer_language_input(preselected: str) -> InputBlock:
    """The select: each language in its own name, `preselected` chosen."""
    options = [
        Option(value=_option_value(name), text=PlainTextObject(text=texts.LANGUAGE_NAMES[name]))
        for name in LANGUAGES
    ]
    chosen = LANGUAGES.index(preselected) if preselected in LANGUAGES else 0
    return InputBlock(
        block_id=CUSTOMER_LANGUAGE_BLOCK,
        label=PlainTextObject(text=_(texts.LANG_LABEL)),
        hint=PlainTextObject(text=_(texts.CUSTOMER_LANGUAGE_HINT)),
        optional=True,
        element=StaticSelectElement(
            action_id=VALUE_ACTION, options=options, initial_option=options[chosen]
        ),
    )


def read_customer_language(kind: Kind, state: Mapping[str, Any], lang_code: str) -> str:
    """The language of the customer's words. Lens: LangCode's (`nl`, which the app does not
    speak, reads English). Rescue: the select's, else (an old modal, a forged value) the
    agent's own."""
    if kind is Kind.LENS:
        return supported(lang_code) or SOURCE_LANGUAGE
    block = state.get(CUSTOMER_LANGUAGE_BLOCK)
    element = block.get(VALUE_ACTION) if isinstance(block, Mapping) else None
    selected = element.get("selected_option") if isinstance(element, Mapping) else None
    value = selected.get("value") if isinstance(selected, Mapping) else None
    return (supported(value) if isinstance(value, str) else None) or current()
