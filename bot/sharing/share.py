"""Sharing a PIN into the conversation it was requested in: one explicit click by its requester."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bot.language import _
from bot.logs import get_logger
from bot.pins import pin_details, pin_message, shared_message
from bot.rescue.client import Kind, Outcome
from bot.sharing import texts
from bot.slack import policies as slack_policies
from bot.slack.deliver import to_response_url
from bot.slack.identity import Requester
from bot.storage.failures import StoreUnavailable

if TYPE_CHECKING:  # the process's own; a feature only receives it
    from bot.runtime import Runtime

log = get_logger(__name__)

_AUDIT_ID = re.compile(r"[0-9]{1,9}")


async def share(
    runtime: Runtime, who: Requester, audit_value: str, response_url: str
) -> str | None:
    """Post the PIN publicly through the button's response_url; None when done, else a sentence."""
    store = runtime.store
    # Our own button's value, but a payload can be forged: digits only, and fit for `integer`.
    row = await store.audit_row(int(audit_value)) if _AUDIT_ID.fullmatch(audit_value) else None
    if row is None or row.action != "request" or row.outcome != Outcome.OK.value or not row.pin:
        return _(texts.SHARE_GONE)
    if (row.team_id, row.user_id) != (who.team_id, who.user_id):
        return _(texts.SHARE_NOT_YOURS)
    fields = {
        name: value
        for name, value in (("cfield0", row.cfield0), ("tracking0", row.tracking0))
        if value
    }
    details = pin_details(
        runtime.settings, Kind(row.kind), row.pin, fields, row.at, row.no_tech_console
    )
    # The database decides, so a second click (in this process or another) posts nothing.
    earlier = await store.shares.claim(row.id, who.team_id, who.user_id, who.channel_id)
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
        slack_policies.RESPONSE_URL_PUBLIC,
    )
    if not posted.ok and posted.maybe_done:
        # A timeout, a 5xx, a dropped connection: Slack may have posted it. The share stays
        # taken (a PIN is shared once); the agent is told to look in the channel.
        log.warning("share_unconfirmed", error=posted.error)
        return _(texts.SHARE_MAYBE_POSTED)
    if not posted.ok:  # a clear refusal: nothing was posted, the PIN may be shared again
        await store.shares.release(row.id)
        return _(texts.SHARE_FAILED)
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
