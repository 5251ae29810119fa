"""Session follow-through: Rescue's Post-to-URL turned into what the agent sees in Slack.

A post is untrusted (Rescue signs nothing): the secret path has been checked by the route,
the body is parsed by session_post (hostile XML refused), and only a post carrying one of our
references reaches the database. Nothing a post carries is logged but its session id and the
outcome; the chat transcript never gets this far.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.home import publish as publish_home
from bot.installs import request_token
from bot.language import _, language, supported
from bot.linking import user_locale
from bot.logs import get_logger
from bot.metrics import SESSION_POSTS
from bot.rescue.client import Kind
from bot.sessions import texts
from bot.sessions.messages import (
    SessionView,
    connected_message,
    posted_summary,
    shared_used_followup,
    shared_used_message,
    summary_message,
)
from bot.sessions.post import Phase, PostError, SessionPost, is_reference, parse_post
from bot.sessions.rows import ENDED, Facts, SessionRow
from bot.slack import calls as slack_calls
from bot.slack import policies as slack_policies
from bot.slack.blocks import Message
from bot.slack.deliver import to_dm, to_response_url
from bot.slack.identity import Requester
from bot.storage.failures import StoreRefused, StoreUnavailable

if TYPE_CHECKING:  # the process's own; a feature only receives it
    from bot.runtime import Runtime

log = get_logger(__name__)


@dataclass(frozen=True)
class Answer:
    status: int
    text: str


OK = Answer(200, "OK")
# Rescue waits for the post's answer: the agent's locale, when not known, no longer than this.
LOCALE_SECONDS = 2.0


def facts_of(post: SessionPost) -> Facts:
    length = post.length_seconds
    work = post.work_time or ""
    return Facts(
        session_id=post.session_id,
        technician=post.tech_name[:128] or None,
        customer=post.field("cfield0")[:64] or None,
        ticket=post.field("tracking0")[:64] or None,
        waiting_seconds=post.waiting_seconds,
        waiting_raw=post.waiting_time[:64] or None,
        length_seconds=length,
        length_raw=None if length is not None else (work[:64] or None),
        notes=post.notes,
    )


async def receive(runtime: Runtime, body: bytes, content_type: str | None) -> Answer:
    """One post from Rescue, already through the token check."""
    field = runtime.settings.rescue_reference_field
    assert field is not None  # the route exists only with both settings
    try:
        post = parse_post(body, content_type)
    except PostError as error:
        SESSION_POSTS.labels("refused").inc()
        log.warning("session_post_refused", reason=error.reason)
        return Answer(400, "malformed post")
    phase = post.phase
    reference = post.field(field)
    if not is_reference(reference):
        SESSION_POSTS.labels("unknown").inc()
        log.info("session_post_unknown", phase=phase.value, session_id=post.session_id)
        return OK
    facts = facts_of(post)
    sessions = runtime.store.sessions
    async with runtime.under_way.track():
        try:
            if phase is Phase.START:
                change = await sessions.start(reference, facts)
            else:
                change = await sessions.end(reference, facts)
        except StoreUnavailable as error:
            # Rescue may post again; a 503 says so better than a 200 that lost it.
            log.error("session_post_not_stored", error=str(error), phase=phase.value)
            return Answer(503, "database unavailable")
        except StoreRefused as error:  # the same post would be refused again: no 503
            SESSION_POSTS.labels("refused").inc()
            log.error("session_post_refused_by_database", table=error.table, column=error.column)
            return Answer(400, "refused")
        SESSION_POSTS.labels(change.result).inc()
        log.info(
            "session_post", result=change.result, phase=phase.value, session_id=post.session_id
        )
        if change.result == "matched" and change.row is not None:
            await _as_installation(runtime, change.row)
            await _speak_as_agent(runtime, change.row.user_id)
            if phase is Phase.START:
                await _started(runtime, change.row)
            else:
                await _ended(runtime, change.row)
    return OK


async def _speak_as_agent(runtime: Runtime, user_id: str) -> None:
    """Everything this post makes (the agent's update, a channel's follow-up, App Home) is in
    the language of the agent who asked for the PIN: Rescue's post says nothing of it."""
    locale = runtime.locales.get(user_id)
    if locale is None and runtime.locales.needs_asking(user_id):
        locale = await runtime.locales.learn(
            user_id, lambda: user_locale(runtime, user_id, budget=LOCALE_SECONDS)
        )
    language(supported(locale))


async def _as_installation(runtime: Runtime, row: SessionRow) -> None:
    """OAuth: no Slack request is under way, so the Web API calls below take the token of
    the installation the request's row belongs to (its owner: a team, or an organisation)."""
    if runtime.installations is None:
        return
    try:
        bot = await runtime.installations.async_find_bot(
            enterprise_id=row.team_id, team_id=row.team_id, is_enterprise_install=False
        )
    except StoreUnavailable as error:
        log.warning("installation_not_found", error=str(error))
        return
    if bot is not None and bot.bot_token:
        request_token.set(bot.bot_token)


def view_of(row: SessionRow) -> SessionView:
    return SessionView(
        kind=Kind(row.kind),
        session_id=row.session_id or "",
        pin=row.pin,
        customer=row.customer,
        ticket=row.ticket,
        technician=row.technician,
        waited_seconds=row.waiting_seconds,
        waited_raw=row.waiting_raw or "",
        lasted_seconds=row.length_seconds,
        lasted_raw=row.length_raw or "",
        notes=row.notes,
    )


async def _tell_agent(runtime: Runtime, row: SessionRow, message: Message) -> str:
    """Through the PIN's own response_url while Slack allows it, else a DM. Returns how."""
    url = await runtime.store.sessions.take_pin_url(row.id)
    if url and (await to_response_url(runtime.http, url, message)).ok:
        return "response_url"
    plain = {key: value for key, value in message.items() if key != "replace_original"}
    return "dm" if await to_dm(runtime.slack, row.user_id, plain, note=False) else "failed"


async def _started(runtime: Runtime, row: SessionRow) -> None:
    message = {**connected_message(view_of(row)), "replace_original": True}
    via = await _tell_agent(runtime, row, message)
    log.info("session_started_told", via=via)
    await _mark_shared_used(runtime, row)
    await _refresh_home(runtime, row)


async def _ended(runtime: Runtime, row: SessionRow) -> None:
    via = await _tell_agent(runtime, row, summary_message(view_of(row), post_value=str(row.id)))
    log.info("session_summary_sent", via=via)
    await _refresh_home(runtime, row)


async def _mark_shared_used(runtime: Runtime, row: SessionRow) -> None:
    """The app's own shared copy is edited; else one public line while the share's
    response_url works; else nothing can be done."""
    if not row.pin:
        return
    kind = Kind(row.kind)
    if row.share_channel and row.share_ts:
        message = shared_used_message(kind, row.pin, row.user_id)
        edited = await _send(
            runtime, "chat.update", message, channel=row.share_channel, ts=row.share_ts
        )
        if edited.ok:
            return
        log.warning("shared_copy_not_edited", error=edited.error)
    url = await runtime.store.sessions.take_share_url(row.id)
    if url is not None:
        followup = shared_used_followup(kind, row.pin)
        await to_response_url(runtime.http, url, followup, slack_policies.RESPONSE_URL_PUBLIC)


async def _refresh_home(runtime: Runtime, row: SessionRow) -> None:
    try:
        await publish_home(runtime, row.team_id, row.user_id)  # False: Slack's no, logged there
    except StoreUnavailable as error:
        log.warning("home_not_refreshed", error=str(error))


async def post_summary(
    runtime: Runtime, who: Requester, value: str, response_url: str | None
) -> str | None:
    """The summary's button: posts it into the conversation where the PIN was requested.

    None when done, else a sentence for the agent."""
    sessions = runtime.store.sessions
    row = await sessions.row(int(value), with_notes=True) if value.isdigit() else None
    if row is None or row.state != ENDED:
        return _(texts.SESSION_POST_GONE)
    if (row.team_id, row.user_id) != (who.team_id, who.user_id):
        return _(texts.SESSION_POST_NOT_YOURS)
    if not await sessions.claim_summary_post(row.id):
        return None  # another click (perhaps at another process) is posting it
    view = view_of(row)
    public = posted_summary(view, who.user_id)
    posted = False
    try:
        posted = await _post_public(runtime, row, who, public, response_url)
    finally:
        await sessions.summary_posted(row.id, posted)
    if not posted:
        return _(texts.SESSION_POST_FAILED)
    await runtime.store.add_audit(
        team_id=row.team_id,
        user_id=row.user_id,
        action="summary",
        kind=row.kind,
        channel_id=row.channel_id,
        outcome="OK",
        ref_id=row.audit_id,
        delivered=True,
        session_id=row.session_id,
    )
    log.info("session_summary_posted", session_id=row.session_id)
    if response_url:
        done = summary_message(view, None, posted=True)
        await to_response_url(runtime.http, response_url, {**done, "replace_original": True})
    return None


async def _post_public(
    runtime: Runtime,
    row: SessionRow,
    who: Requester,
    message: Message,
    response_url: str | None,
) -> bool:
    # Clicked in the conversation itself: the click's own response_url posts there.
    public = slack_policies.RESPONSE_URL_PUBLIC  # for everyone to see: never twice
    here = response_url if who.channel_id == row.channel_id else None
    if here and (await to_response_url(runtime.http, here, message, public)).ok:
        return True
    # The bot posts where it is a member.
    if row.channel_id:
        posted = await _send(
            runtime,
            "chat.postMessage",
            message,
            policy=slack_policies.RESPONSE_URL_PUBLIC,
            channel=row.channel_id,
        )
        if posted.ok:
            return True
        log.info("summary_not_posted_by_bot", error=posted.error)
    # Else the PIN's own response_url, should it still work (a session under 30 minutes).
    url = await runtime.store.sessions.take_pin_url(row.id)
    return url is not None and (await to_response_url(runtime.http, url, message, public)).ok


async def _send(
    runtime: Runtime, method: str, message: Message, **where: Any
) -> slack_policies.SlackResult:
    """chat.postMessage or chat.update with a built message: its fallback text and blocks."""
    return await slack_calls.call(
        runtime.slack, method, text=str(message["text"]), blocks=message["blocks"], **where
    )
