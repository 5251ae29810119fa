"""Sharing a PIN into the conversation it was requested in: one explicit click by its requester."""

from __future__ import annotations

from bot import blocks, texts
from bot.delivery import to_response_url
from bot.identity import Requester
from bot.logs import get_logger
from bot.pins import pin_details
from bot.rescue import Kind, Outcome
from bot.services import Services

log = get_logger(__name__)


async def share(
    services: Services, who: Requester, audit_value: str, response_url: str
) -> str | None:
    """Post the PIN publicly through the button's response_url; None when done, else a sentence."""
    store = services.store
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
        services.settings, Kind(row.kind), row.pin, fields, row.at, row.no_tech_console
    )
    if not await to_response_url(
        services.http, response_url, blocks.shared_message(details, who.user_id)
    ):
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
    private = blocks.pin_message(details, services.settings.label, shared=True)
    await to_response_url(services.http, response_url, {**private, "replace_original": True})
    return None
