"""What every listener does the same way: reach the runtime, ack and identify the asker,
open a modal, check the asker is linked (a listener's failure: handlers/failures.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any

import structlog
from slack_bolt.async_app import AsyncAck, AsyncBoltContext
from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.installs import tenancy
from bot.language import _
from bot.linking import link as linking
from bot.linking import texts as link_texts
from bot.logs import get_logger
from bot.pins import messages
from bot.pins import texts as pin_texts
from bot.pins.modals import ModalState, pin_modal
from bot.rescue.client import Kind
from bot.rescue.sms import lang_code_for_locale
from bot.runtime import Runtime
from bot.slack import calls as slack_calls
from bot.slack import texts as slack_texts
from bot.slack.blocks import Message
from bot.slack.deliver import deliver
from bot.slack.identity import MalformedPayload, Requester, requester
from handlers.speaking import learn_locale, payload_locale, speak_for

log = get_logger(__name__)

# views.open must follow the command within Slack's 3-second trigger window.
SSO_DEADLINE_SECONDS = 2.0
RUNTIME_KEY = "runtime"


class ProvideRuntime(AsyncMiddleware):
    """Puts the process's Runtime into every request's Bolt context, for `runtime_of`, and sets
    the request's language."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    async def async_process(
        self,
        *,
        req: AsyncBoltRequest,
        resp: BoltResponse,
        next: Callable[[], Awaitable[BoltResponse]],  # Bolt passes it by this name
    ) -> BoltResponse:
        req.context[RUNTIME_KEY] = self.runtime
        speak_for(self.runtime, req)  # and the request's language (handlers/speaking.py)
        return await next()


def runtime_of(context: AsyncBoltContext) -> Runtime:
    runtime = context[RUNTIME_KEY]
    assert isinstance(runtime, Runtime)
    return runtime


@dataclass(frozen=True)
class Asker:
    """Who sent an acknowledged request, where to answer them, and the process's resources."""

    runtime: Runtime
    who: Requester
    response_url: str | None
    locale: str | None = None  # when Slack put the user's locale in the payload

    async def deliver(self, message: Message) -> bool:
        """Privately to the asker: bot.slack.deliver.deliver, with what this request knows."""
        return await deliver(self.runtime, self.response_url, self.who.user_id, message)


def text_field(body: dict[str, Any], key: str) -> str | None:
    value = body.get(key)
    return value if isinstance(value, str) else None


def button_value(body: dict[str, Any]) -> str:
    actions = body.get("actions")
    action = actions[0] if isinstance(actions, list) and actions else {}
    value = action.get("value") if isinstance(action, dict) else None
    return value if isinstance(value, str) else ""


def serving(body: dict[str, Any], context: AsyncBoltContext) -> tenancy.Installed:
    """The installation serving this request: a workspace, or an organisation (org-wide)."""
    result = context.authorize_result
    return tenancy.installed(
        body, result.enterprise_id if result else None, result.team_id if result else None
    )


async def identify(
    body: dict[str, Any], context: AsyncBoltContext, action: str
) -> tuple[Requester, bool]:
    """The requester (keyed by the serving installation: the workspace, or on an org-wide
    install the organisation), and whether they belong to another organisation."""
    runtime = runtime_of(context)
    who, foreign = await tenancy.who_is_asking(
        body, serving(body, context), runtime.orgs, runtime.store.owners.adopt_workspace
    )
    structlog.contextvars.bind_contextvars(team=who.team_id, user=who.user_id, action=action)
    return who, foreign


async def acknowledge(
    ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext, action: str
) -> Asker | None:
    """Ack, and identify; a user from another organisation is told so and gets None.

    A payload without the ids every request carries is acked and dropped with one warning:
    checked before the ack (pure), since the full identification may ask Slack.
    """
    try:
        requester(body)
    except MalformedPayload:
        await ack()
        log.warning("malformed_payload", action=action)
        return None
    await ack()
    who, foreign = await identify(body, context, action)
    asker = Asker(runtime_of(context), who, text_field(body, "response_url"), payload_locale(body))
    if foreign:
        await asker.deliver(messages.notice(_(slack_texts.FOREIGN_USER)))
        return None
    return asker


async def open_modal(
    asker: Asker, trigger_id: Any, view: dict[str, Any], command: str
) -> dict[str, Any] | None:
    """views.open, and the view as Slack opened it (its id and hash, for views.update); when
    Slack refuses (an expired trigger, say) the agent is told privately and this is None."""
    if not isinstance(trigger_id, str):
        log.warning("no_trigger_id")
        return None
    opened = await slack_calls.call(
        asker.runtime.slack, "views.open", trigger_id=trigger_id, view=view
    )
    if opened.ok:
        view_opened = opened.get("view")
        return view_opened if isinstance(view_opened, dict) else {}
    await asker.deliver(messages.notice(_(slack_texts.OPEN_FAILED, command=command)))
    return None


async def ready_to_request(asker: Asker) -> bool:
    """Linked already, or linked now by SSO; otherwise the agent is told how to link."""
    runtime, who = asker.runtime, asker.who
    if await runtime.store.is_linked(who.team_id, who.user_id):
        return True
    if not runtime.settings.sso_enabled:
        await asker.deliver(messages.not_linked_message(who.user_id))
        return False
    try:
        sso = await asyncio.wait_for(
            linking.link_sso(runtime, who.team_id, who.user_id), SSO_DEADLINE_SECONDS
        )
    except TimeoutError:
        return True  # open the modal anyway; the submit tries SSO again
    if not sso.linked:
        text = _(link_texts.SSO_FAILED, reason=sso.reason)
        await asker.deliver(messages.not_linked_message(who.user_id, text))
    return sso.linked


async def open_pin_modal(
    asker: Asker,
    trigger_id: Any,
    modal: ModalState,
    prefill: dict[str, str] | None = None,
    notes: dict[str, str] | None = None,
) -> bool:
    """The PIN modal, in the agent's language; Lens preselects the SMS language from their
    Slack locale (and /rescue-pin the customer's language from their own)."""
    runtime, who = asker.runtime, asker.who
    settings = runtime.settings

    def view() -> dict[str, Any]:
        return pin_modal(
            modal,
            settings.rescue_fields,
            settings.label,
            prefill,
            notes,
            lang_code=lang_code_for_locale(runtime.locales.get(who.user_id)),
            sms_region=settings.sms_default_region,
        )

    return await open_speaking(asker, trigger_id, view, pin_texts.COMMAND[modal.kind])


async def open_speaking(
    asker: Asker, trigger_id: Any, view: Callable[[], dict[str, Any]], command: str
) -> bool:
    """Opens `view()` at once, in what the app knows of the person's language (the trigger
    expires in 3 s). When it knew nothing, it learns their Slack locale after and updates
    the modal in place if it then reads differently."""
    runtime, who = asker.runtime, asker.who
    asking = runtime.locales.needs_asking(who.user_id)
    shown = view()
    opened = await open_modal(asker, trigger_id, shown, command)
    if opened is None:
        return False
    if asking:
        await respeak(asker, opened, shown, view)
    return True


async def respeak(
    asker: Asker, opened: dict[str, Any], shown: dict[str, Any], view: Callable[[], dict[str, Any]]
) -> None:
    """After the modal opened: the person's locale, learnt, and the modal rebuilt in it. The
    hash makes Slack refuse the update if they already moved on; what they typed stays
    (same block_ids and action_ids)."""
    runtime, who = asker.runtime, asker.who
    if await learn_locale(runtime, who.user_id) is None:
        return  # Slack did not say: DEFAULT_LANGUAGE stays, and next time asks again
    fresh = view()
    view_id, view_hash = opened.get("id"), opened.get("hash")
    if fresh == shown or not isinstance(view_id, str):
        return
    updated = await slack_calls.call(
        runtime.slack,
        "views.update",
        view_id=view_id,
        hash=view_hash if isinstance(view_hash, str) else None,
        view=fresh,
    )
    if not updated.ok:  # hash_conflict: the agent was quicker; nothing lost
        log.info("language_not_shown", error=updated.error)


async def open_pin_modal_if_ready(asker: Asker, body: dict[str, Any], kind: Kind) -> None:
    """For the global shortcut and App Home's buttons: no response_url, the PIN comes by DM."""
    asker = replace(asker, response_url=None)
    if await ready_to_request(asker):
        await open_pin_modal(asker, body.get("trigger_id"), ModalState(kind))
