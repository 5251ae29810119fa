"""The messages the agent reads: PIN, shared PIN, failure, notices. Pure builders, no I/O."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot.config import Settings
from bot.language import _, speaking
from bot.pins import texts
from bot.pins.modals import LINK_OPEN_ACTION, RETRY_ACTION, SHARE_ACTION
from bot.rescue import texts as rescue_texts
from bot.rescue.client import AUTHCODE_PROBLEMS, Kind, Outcome, PinResult, SessionRequest
from bot.slack.blocks import Message, buttons, escape
from bot.storage.database import now

# Rescue does not say how long to wait after POLLRATEEXCEEDED; a minute is what it asks for.
POLL_RATE_WAIT = timedelta(seconds=60)
# Without RESCUE_PIN_VALIDITY_MINUTES the app cannot know; App Home shows a PIN this long.
ASSUMED_VALIDITY = timedelta(hours=1)


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
    # Lens by SMS: the customer's number, masked (never the number), and whether it went out.
    texted_to: str | None = None
    text_sent: bool = False
    # The customer's words in this language (None: the reader's own).
    customer_language: str | None = None


def validity(settings: Settings) -> timedelta | None:
    minutes = settings.rescue_pin_validity_minutes
    return timedelta(minutes=minutes) if minutes else None


def pin_details(
    settings: Settings,
    kind: Kind,
    pin: str,
    fields: dict[str, str],
    at: datetime,
    no_tech_console: bool = False,
) -> PinDetails:
    valid_for = validity(settings)
    return PinDetails(
        kind=kind,
        pin=pin,
        fields=fields,
        link=direct_link(settings.rescue_api_url, pin),
        no_tech_console=no_tech_console,
        expires_at=at + valid_for if valid_for else None,
    )


def _customer_words(details: PinDetails) -> str:
    """The agent's heading, then the words for the customer in the customer's language."""
    with speaking(details.customer_language):
        words = _(texts.CUSTOMER_WORDS[details.kind], pin=details.pin)
        if details.kind is Kind.RESCUE:
            after = _(texts.DIRECT_LINK, link=details.link)
        else:
            after = _(texts.LENS_APP_HINT)
    return f"{_(texts.READ_TO_CUSTOMER)}\n>{words}\n{after}"


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
    if details.texted_to is not None:
        sms = texts.SMS_SENT if details.text_sent else texts.SMS_NOT_SENT
        how = f"{_(sms, phone=details.texted_to)}\n{how}"
    facts = [
        f"*{escape(label(name))}:* {escape(details.fields[name])}"
        for name in ("cfield0", "tracking0")
        if details.fields.get(name)
    ]
    if details.no_tech_console:
        facts.append(_(texts.NO_CONSOLE_USED))
    if details.expires_at is not None:
        when = details.expires_at.strftime("%H:%M")
        expiry = _(
            texts.EXPIRES_AT,
            time=when,
            epoch=int(details.expires_at.timestamp()),
            command=texts.COMMAND[kind],
        )
    else:
        expiry = _(texts.EXPIRES_SOON, command=texts.COMMAND[kind])
    # Plain dicts: this message goes out with every PIN, and building it from slack_sdk's
    # models (each checked as it is built) cost 0.6 ms of CPU. The unit tests hold it to
    # those models instead (tests parse every block back through them).
    blocks: list[dict[str, Any]] = [
        {"text": _plain(_(texts.PIN_HEADLINE[kind], pin=pin)), "type": "header"},
        {"text": _mrkdwn(how), "type": "section"},
    ]
    if facts:
        blocks.append(_context(" · ".join(facts)))
    blocks.append(_context(f"{expiry} {_(texts.ONLY_YOU)}"))
    if shared:
        blocks.append(_context(_(texts.SHARED_PRIVATE_NOTE)))
    elif share_id is not None:
        blocks.append(
            {
                "elements": [
                    {
                        "action_id": SHARE_ACTION,
                        "text": _plain(_(texts.SHARE_BUTTON)),
                        "type": "button",
                        "value": str(share_id),
                    }
                ],
                "type": "actions",
            }
        )
    fallback = _(texts.PIN_FALLBACK, kind=rescue_texts.KIND_SHORT[kind], pin=pin)
    return {
        "response_type": "ephemeral",
        "replace_original": False,
        "text": fallback,
        "blocks": blocks,
    }


def _plain(text: str) -> dict[str, str]:
    return {"text": text, "type": "plain_text"}


def _mrkdwn(text: str) -> dict[str, str]:
    return {"text": text, "type": "mrkdwn"}


def _context(text: str) -> dict[str, Any]:
    return {"elements": [_mrkdwn(text)], "type": "context"}


def shared_message(details: PinDetails, sharer: str) -> Message:
    """The public copy: who shared it, the kind, the words for the customer; no customer fields."""
    headline = _(texts.SHARED_HEADLINE[details.kind], pin=details.pin)
    by = _(texts.SHARED_BY, user=sharer, kind=_(rescue_texts.KIND_NAME[details.kind]))
    message = _message(
        f"{headline} ({by})",
        [
            HeaderBlock(text=PlainTextObject(text=headline)),
            SectionBlock(text=MarkdownTextObject(text=_customer_words(details))),
            ContextBlock(elements=[MarkdownTextObject(text=by)]),
        ],
    )
    return {**message, "response_type": "in_channel", "replace_original": False}


def outcome_message(
    settings: Settings,
    request: SessionRequest,
    result: PinResult,
    user_id: str,
    audit_id: int | None = None,
    retry_token: str | None = None,
) -> Message:
    """What the agent is told once Rescue answered (or could not be asked)."""
    if result.outcome is Outcome.NOT_LINKED:
        return not_linked_message(user_id)
    if result.outcome is Outcome.BUSY:
        return notice(_(texts.BUSY))
    if not result.ok or result.pin is None:
        retry_at = now() + POLL_RATE_WAIT if result.outcome is Outcome.POLLRATEEXCEEDED else None
        message = failure_message(
            request.kind, result.outcome, result.detail, retry_token, retry_at
        )
        if retry_token is not None and request.texts:
            # The number is not kept for the retry: that PIN is read out, not texted.
            note = ContextBlock(elements=[MarkdownTextObject(text=_(texts.SMS_NOT_RETRIED))])
            message = {**message, "blocks": [*message["blocks"], note.to_dict()]}
        return message
    details = pin_details(
        settings, request.kind, result.pin, dict(request.fields), now(), request.no_tech_console
    )
    details = replace(details, customer_language=request.customer_language)
    if request.texts and request.phone is not None:
        sent = result.sms is not None and result.sms.sent
        details = replace(details, texted_to=request.phone.masked, text_sent=sent)
    return pin_message(details, settings.label, share_id=audit_id)


def failure_message(
    kind: Kind,
    outcome: Outcome,
    detail: str | None = None,
    retry_token: str | None = None,
    retry_at: datetime | None = None,
) -> Message:
    headline, advice = rescue_texts.failure_text(outcome, detail)
    if retry_at is not None:
        when = _(
            texts.RETRY_AT, epoch=int(retry_at.timestamp()), time=retry_at.strftime("%H:%M:%S")
        )
        advice = f"{advice} {when}"
    blocks: list[Block] = [
        SectionBlock(
            text=MarkdownTextObject(
                text=_(texts.FAILED_LINE, headline=_(texts.HEADLINE_FAILED[kind]), reason=headline)
            )
        ),
        SectionBlock(text=MarkdownTextObject(text=advice)),
    ]
    if retry_token is not None:
        blocks.append(buttons((_(texts.RETRY_BUTTON), RETRY_ACTION, retry_token, "primary")))
    if outcome in AUTHCODE_PROBLEMS or outcome is Outcome.NOTLOGGEDIN:
        blocks.append(_link_again_button())
    return _message(f"{_(texts.HEADLINE_FAILED[kind])}: {headline} {advice}", blocks)


def not_linked_message(user_id: str, text: str | None = None) -> Message:
    text = text or _(texts.NOT_LINKED, user=user_id)
    return _message(
        text,
        [
            SectionBlock(text=MarkdownTextObject(text=text)),
            _link_again_button(_(texts.LINK_BUTTON)),
        ],
    )


def _link_again_button(label: str | None = None) -> ActionsBlock:
    label = label or _(texts.LINK_AGAIN_BUTTON)
    return buttons((label, LINK_OPEN_ACTION, "link", "primary"))


def notice(text: str) -> Message:
    """A one-paragraph private message."""
    return _message(text, [SectionBlock(text=MarkdownTextObject(text=text))])


def help_message() -> Message:
    return notice(_(texts.HELP))


def _message(fallback: str, blocks: Sequence[Block]) -> Message:
    return {
        "response_type": "ephemeral",
        "replace_original": False,  # a reply to a button adds a message, it replaces nothing
        "text": fallback,
        "blocks": [block.to_dict() for block in blocks],
    }
