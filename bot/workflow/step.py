"""The Workflow Builder step `request_rescue_pin`: its inputs, the agent's message, its outputs.

Pure: no I/O. The step's listeners (handlers.workflow) post, complete and fail.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot.language import _
from bot.pins import direct_link
from bot.rescue.client import FIELD_LIMITS, Kind
from bot.slack.blocks import buttons, escape
from bot.workflow import texts

# Contract names: the manifest's function and the two buttons on the agent's message.
FUNCTION_CALLBACK = "request_rescue_pin"
REQUEST_ACTION = "step_request_pin"
DECLINE_ACTION = "step_decline"
STEP_FIELDS: tuple[str, ...] = ("cfield0", "cfield1", "tracking0")

_USER_ID = re.compile(r"\A[UW][A-Z0-9]{2,}\Z")


class StepInputError(ValueError):
    """Inputs the step cannot run with; `reason` is for the workflow's owner (plain text)."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(code)
        self.code = code  # loggable: never a value
        self.reason = reason


@dataclass(frozen=True)
class StepInputs:
    agent: str
    kind: Kind
    fields: dict[str, str]  # only the ones set, as typed


def read_inputs(inputs: Mapping[str, Any] | None, label: Callable[[str], str]) -> StepInputs:
    """The step's inputs as Slack sends them (`event.inputs`, or `function_data.inputs`)."""
    inputs = inputs or {}
    agent = inputs.get("agent")
    if not isinstance(agent, str) or not _USER_ID.match(agent):
        raise StepInputError("no_agent", _(texts.STEP_FAIL_NO_AGENT))
    raw_kind = inputs.get("kind")
    if raw_kind is None or raw_kind == "":
        kind = Kind.RESCUE
    elif isinstance(raw_kind, str) and raw_kind.strip().lower() in {k.value for k in Kind}:
        kind = Kind(raw_kind.strip().lower())
    else:
        raise StepInputError("bad_kind", _(texts.STEP_FAIL_KIND))
    fields: dict[str, str] = {}
    for name in STEP_FIELDS:
        value = inputs.get(name)
        if value is None:
            continue
        text = value if isinstance(value, str) else str(value)
        if not text.strip():
            continue
        limit = FIELD_LIMITS[name]
        if len(text) > limit:  # never cut silently: a truncated ticket is worse than none
            raise StepInputError(
                "too_long",
                _(texts.STEP_FAIL_TOO_LONG, field=label(name), length=len(text), limit=limit),
            )
        fields[name] = text
    return StepInputs(agent, kind, fields)


def _facts(step: StepInputs, label: Callable[[str], str]) -> list[str]:
    return [
        f"*{escape(label(name))}:* {escape(step.fields[name])}"
        for name in STEP_FIELDS
        if step.fields.get(name)
    ]


def step_message(step: StepInputs, label: Callable[[str], str]) -> dict[str, Any]:
    """The agent's message: what the workflow asks for, and the two buttons."""
    headline = _(texts.STEP_HEADLINE[step.kind])
    blocks: list[Block] = [
        HeaderBlock(text=PlainTextObject(text=headline)),
        SectionBlock(text=MarkdownTextObject(text=_(texts.STEP_INTRO))),
    ]
    facts = _facts(step, label)
    if facts:
        blocks.append(SectionBlock(text=MarkdownTextObject(text="\n".join(facts))))
    blocks.append(
        buttons(
            (_(texts.STEP_REQUEST_BUTTON), REQUEST_ACTION, step.kind.value, "primary"),
            (_(texts.STEP_DECLINE_BUTTON), DECLINE_ACTION, step.kind.value, "danger"),
        )
    )
    return {"text": headline, "blocks": [block.to_dict() for block in blocks]}


def step_closed_message(step: StepInputs, label: Callable[[str], str], note: str) -> dict[str, Any]:
    """The same message once the step is over: the buttons go, a line says how it ended."""
    headline = _(texts.STEP_HEADLINE[step.kind])
    blocks: list[Block] = [HeaderBlock(text=PlainTextObject(text=headline))]
    facts = _facts(step, label)
    if facts:
        blocks.append(SectionBlock(text=MarkdownTextObject(text="\n".join(facts))))
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=note)]))
    return {"text": f"{headline}: {note}", "blocks": [block.to_dict() for block in blocks]}


def outputs(rescue_api_url: str, kind: Kind, pin: str) -> dict[str, str]:
    """The step's outputs, always all three. `link` is Rescue's join link for a Rescue
    session; Rescue has none for Lens, so it is the empty string there."""
    link = direct_link(rescue_api_url, pin) if kind is Kind.RESCUE else ""
    return {"pin": pin, "link": link, "kind": kind.value}
