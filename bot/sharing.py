"""Sharing a PIN into the conversation it was requested in: one explicit click by its requester."""

from __future__ import annotations

from bot import slack_calls, texts
from bot.database import StoreUnavailable
from bot.deliver import to_response_url
from bot.identity import Requester
from bot.logs import get_logger
from bot.messages import pin_details, pin_message, shared_message
from bot.rescue import Kind, Outcome
from bot.runtime import Runtime

log = get_logger(__name__)


async def share(
    runtime: Runtime, who: Requester, audit_value: str, response_url: str
) -> str | None:
    """Post the PIN publicly through the button's response_url; None when done, else a sentence."""
    store = runtime.store
    row = await store.audit_row(int(audit_value)) if audit_value.isdigit() else None
    if row is None or row.action != "request" or row.outcome != Outcome.OK.value or not row.pin:
        return texts.SHARE_GONE
    if (row.team_id, row.user_id) != (who.team_id, who.user_id):
        return texts.SHARE_NOT_YOURS
    fields = {
        name: value
        for name, value in (("cfield0", row.cfield0), ("tracking0", row.tracking0))
        if value
    }
    details = pin_details(
        runtime.settings, Kind(row.kind), row.pin, fields, row.at, row.no_tech_console
    )
    # The database decides, so a second click (in this process or another) posts nothing.
    earlier = await store.claim_share(row.id, who.team_id, who.user_id, who.channel_id)
    if earlier is not None:
        log.info("share_refused_already_shared")
        at = earlier.shared_at
        return texts.share_already(
            earlier.channel_id, int(at.timestamp()), at.strftime("%Y-%m-%d %H:%M")
        )
    posted = await to_response_url(
        runtime.http,
        response_url,
        shared_message(details, who.user_id),
        slack_calls.RESPONSE_URL_PUBLIC,
    )
    if not posted.ok:
        # Given back even when Slack may have posted it (a timeout): a second copy in the
        # channel is better than a PIN the agent can no longer share.
        await store.release_share(row.id)
        return texts.SHARE_FAILED
    await store.add_audit(
        team_id=who.team_id,
        user_id=who.user_id,
        action="share",
        kind=row.kind,
        channel_id=who.channel_id,
        tracking0=row.tracking0,
        outcome=Outcome.OK.value,
        pin=row.pin,
        ref_id=row.id,
        delivered=True,
    )
    log.info("pin_shared", kind=row.kind)
    if runtime.settings.follow_through:
        # A start then marks this copy used: two of the URL's five uses are spent here.
        try:
            await store.sessions.shared(row.id, response_url, uses=2)
        except StoreUnavailable as error:
            log.warning("share_not_noted", error=str(error))
    private = pin_message(details, runtime.settings.label, shared=True)
    await to_response_url(runtime.http, response_url, {**private, "replace_original": True})
    return None
