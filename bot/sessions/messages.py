"""Pure Block Kit builders for a session's follow-through: connected, ended, posted, PIN used.

None of them takes the chat transcript: there is nothing to leak it through.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot.language import _
from bot.pins import COMMAND, SHARED_HEADLINE
from bot.rescue import texts as rescue_texts
from bot.rescue.client import Kind
from bot.sessions import texts
from bot.slack.blocks import Message, escape

SESSION_POST_ACTION = "session_post_summary"
# Slack's limit for a section's text is 3000; the notes get a few sections, then a pointer.
NOTES_CHUNK = 2900
NOTES_CHUNKS = 6


@dataclass(frozen=True)
class SessionView:
    """What a person may read about one session. `notes` None: no longer kept."""

    kind: Kind
    session_id: str
    pin: str | None = None
    customer: str | None = None
    ticket: str | None = None
    technician: str | None = None
    waited_seconds: int | None = None
    waited_raw: str = ""
    lasted_seconds: int | None = None
    lasted_raw: str = ""
    notes: str | None = ""

    @property
    def waited(self) -> str:
        return texts.duration(self.waited_seconds, self.waited_raw)

    @property
    def lasted(self) -> str:
        return texts.duration(self.lasted_seconds, self.lasted_raw)


def _text(text: str) -> MarkdownTextObject:
    return MarkdownTextObject(text=text)


def _message(fallback: str, blocks: Sequence[Block], **extra: object) -> Message:
    return {
        "response_type": "ephemeral",
        "replace_original": False,
        "text": fallback,
        "blocks": [block.to_dict() for block in blocks],
        **extra,
    }


def connected_message(view: SessionView) -> Message:
    """The PIN message, changed in place (or a DM): the customer is in, and how long they waited."""
    if view.customer:
        line = _(texts.SESSION_CONNECTED, customer=escape(view.customer))
    else:
        line = _(texts.SESSION_CONNECTED_NO_NAME)
    details = [_(texts.SESSION_WAITED, waited=view.waited)]
    if view.technician:
        details.append(_(texts.SESSION_TECHNICIAN, name=escape(view.technician)))
    facts = [_(texts.SESSION_ID, session_id=escape(view.session_id))]
    if view.ticket:
        facts.insert(0, f"*{_(texts.SESSION_TICKET)}:* {escape(view.ticket)}")
    if view.pin:
        facts.append(_(texts.SESSION_PIN_USED, pin=view.pin, command=COMMAND[view.kind]))
    blocks: list[Block] = [
        HeaderBlock(text=PlainTextObject(text=_(texts.SESSION_CONNECTED_HEADLINE))),
        SectionBlock(text=_text(f"{line}\n{' '.join(details)}")),
        ContextBlock(elements=[_text(" · ".join(facts))]),
    ]
    fallback = f"{_(texts.SESSION_CONNECTED_HEADLINE)}: {escape(view.customer or '')}".rstrip(": ")
    return _message(fallback, blocks)


def _summary_blocks(view: SessionView) -> list[Block]:
    pairs = [
        (_(texts.SESSION_CUSTOMER), view.customer),
        (_(texts.SESSION_TICKET), view.ticket),
        (_(texts.SESSION_TECH), view.technician),
        (_(texts.SESSION_WAITED_LABEL), view.waited),
        (_(texts.SESSION_LASTED_LABEL), view.lasted),
    ]
    fields = [_text(f"*{label}*\n{escape(value)[:1900]}") for label, value in pairs if value]
    blocks: list[Block] = [
        HeaderBlock(text=PlainTextObject(text=_(texts.SESSION_ENDED_HEADLINE))),
        SectionBlock(fields=fields),
    ]
    if view.notes is None:
        blocks.append(ContextBlock(elements=[_text(_(texts.SESSION_NOTES_GONE))]))
    elif not view.notes.strip():
        blocks.append(ContextBlock(elements=[_text(_(texts.SESSION_NO_NOTES))]))
    else:
        notes = escape(view.notes)
        chunks = [notes[i : i + NOTES_CHUNK] for i in range(0, len(notes), NOTES_CHUNK)]
        blocks.append(SectionBlock(text=_text(f"*{_(texts.SESSION_NOTES)}*")))
        blocks += [SectionBlock(text=_text(chunk)) for chunk in chunks[:NOTES_CHUNKS]]
        if len(chunks) > NOTES_CHUNKS:
            blocks.append(ContextBlock(elements=[_text(_(texts.SESSION_NOTES_CUT))]))
    blocks.append(
        ContextBlock(elements=[_text(_(texts.SESSION_ID, session_id=escape(view.session_id)))])
    )
    return blocks


def _fallback(view: SessionView) -> str:
    customer = escape(view.customer or "-")
    return _(texts.SESSION_SUMMARY_FALLBACK, customer=customer, lasted=view.lasted)


def summary_message(view: SessionView, post_value: str | None, posted: bool = False) -> Message:
    """The agent's private summary; `post_value` (the request's audit id) adds the button."""
    blocks = _summary_blocks(view)
    if posted:
        blocks.append(ContextBlock(elements=[_text(_(texts.SESSION_POSTED_NOTE))]))
    elif post_value is not None:
        blocks.append(ContextBlock(elements=[_text(_(texts.SESSION_POST_HINT))]))
        blocks.append(
            ActionsBlock(
                elements=[
                    ButtonElement(
                        text=PlainTextObject(text=_(texts.SESSION_POST_BUTTON)),
                        action_id=SESSION_POST_ACTION,
                        value=post_value,
                        style="primary",
                    )
                ]
            )
        )
    return _message(_fallback(view), blocks)


def posted_summary(view: SessionView, user: str) -> Message:
    """The public copy, posted on the agent's click: the summary and who posted it. No chat."""
    blocks = _summary_blocks(view)
    blocks.append(ContextBlock(elements=[_text(_(texts.SESSION_POSTED_BY, user=user))]))
    return _message(_fallback(view), blocks, response_type="in_channel")


def shared_used_message(kind: Kind, pin: str, agent: str) -> Message:
    """The shared copy of a PIN, edited where the app posted it itself: the PIN is used."""
    headline = _(SHARED_HEADLINE[kind], pin=pin)
    line = _(texts.SHARED_USED, headline=f"~{headline}~", user=agent)
    return _message(
        _(texts.SHARED_USED, headline=headline, user=agent),
        [SectionBlock(text=_text(line))],
        response_type="in_channel",
    )


def shared_used_followup(kind: Kind, pin: str) -> Message:
    """One public line under a shared PIN the app cannot edit: it is used."""
    line = _(texts.SHARED_USED_FOLLOWUP, kind=rescue_texts.KIND_SHORT[kind], pin=pin)
    return _message(line, [ContextBlock(elements=[_text(line)])], response_type="in_channel")
