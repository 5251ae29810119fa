"""One PIN request, start to finish: guard, authcode, Rescue, audit, private delivery."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot import blocks, linking, texts
from bot.blocks import Message, ModalContext, PinDetails
from bot.config import Settings
from bot.delivery import deliver
from bot.identity import Requester
from bot.logs import get_logger, register_secrets
from bot.metrics import PIN_REQUESTS
from bot.rescue import Kind, Outcome, PinResult, SessionRequest
from bot.services import Services
from bot.store import Store, StoreUnavailable, now

log = get_logger(__name__)

# Long enough to start the console and click; short enough that customer fields don't linger.
RETRY_TTL = timedelta(minutes=15)
# Rescue does not say how long to wait after POLLRATEEXCEEDED; a minute is what it asks for.
POLL_RATE_WAIT = timedelta(seconds=60)
# Within the shutdown drain, so a SIGTERM does not cut a deferred audit row short.
AUDIT_RETRY_WAITS = (0.5, 1.0, 2.0, 4.0, 8.0)
# Without RESCUE_PIN_VALIDITY_MINUTES the app cannot know; App Home shows a PIN this long.
ASSUMED_VALIDITY = timedelta(hours=1)


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
        link=blocks.direct_link(settings.rescue_api_url, pin),
        no_tech_console=no_tech_console,
        expires_at=at + valid_for if valid_for else None,
    )


def outcome_message(
    services: Services,
    request: SessionRequest,
    result: PinResult,
    who: Requester,
    audit_id: int | None = None,
    retry_token: str | None = None,
) -> Message:
    settings = services.settings
    if result.outcome is Outcome.NOT_LINKED:
        return blocks.not_linked_message(who.user_id)
    if result.outcome is Outcome.BUSY:
        return blocks.notice(texts.BUSY)
    if not result.ok or result.pin is None:
        retry_at = now() + POLL_RATE_WAIT if result.outcome is Outcome.POLLRATEEXCEEDED else None
        return blocks.failure_message(
            request.kind, result.outcome, result.detail, retry_token, retry_at
        )
    details = pin_details(
        settings, request.kind, result.pin, dict(request.fields), now(), request.no_tech_console
    )
    return blocks.pin_message(details, settings.label, share_id=audit_id)


@dataclass(frozen=True)
class Attempt:
    result: PinResult
    guarded: bool  # this request holds the agent's guard, to release with the audit row
    called: bool  # Rescue was asked


async def obtain(services: Services, who: Requester, request: SessionRequest) -> Attempt:
    """Ask Rescue once, unless the agent is unlinked or already has a request under way.

    The guard, when taken, is left for `fulfil` to release in the audit row's transaction.
    """
    store = services.store
    # A request can't outlive Rescue's timeout by much; an older guard is a crashed process.
    stale = timedelta(seconds=services.settings.rescue_timeout_seconds + 30)
    try:
        guarded, authcode = await store.claim(who.team_id, who.user_id, stale)
        if not guarded:
            return Attempt(PinResult(Outcome.BUSY), guarded=False, called=False)
    except StoreUnavailable as error:
        log.error("database_unavailable", error=str(error))
        return Attempt(PinResult(Outcome.DATABASE_UNAVAILABLE), guarded=False, called=False)
    try:
        # SSO at the command may have run out of time; it gets its full time here.
        if (
            authcode is None
            and services.settings.sso_enabled
            and (await linking.link_sso(services, who.team_id, who.user_id)).linked
        ):
            authcode = await store.authcode(who.team_id, who.user_id)
    except StoreUnavailable as error:
        log.error("database_unavailable", error=str(error))
        return Attempt(PinResult(Outcome.DATABASE_UNAVAILABLE), guarded=True, called=False)
    except BaseException:
        await _release(store, who)
        raise
    if authcode is None:
        return Attempt(PinResult(Outcome.NOT_LINKED), guarded=True, called=False)
    register_secrets([authcode])
    try:
        result = await services.rescue.request_pin(request, authcode)
    except BaseException:  # cancelled, say: the guard must not wait to go stale
        await _release(store, who)
        raise
    return Attempt(result, guarded=True, called=True)


async def _release(store: Store, who: Requester) -> None:
    try:
        await store.end_request(who.team_id, who.user_id)
    except StoreUnavailable as error:
        log.error("guard_release_failed", error=str(error))


async def fulfil(
    services: Services, who: Requester, request: SessionRequest, context: ModalContext
) -> PinResult:
    """The whole flow after the modal closed. The PIN is audited before delivery is tried."""
    store = services.store
    async with services.flows.track():
        attempt = await obtain(services, who, request)
        result = attempt.result
        PIN_REQUESTS.labels(request.kind.value, result.outcome.value).inc()
        log.info(
            "pin_requested",
            kind=request.kind.value,
            outcome=result.outcome.value,
            detail=result.detail,
            no_tech_console=request.no_tech_console,
        )
        row = {
            "team_id": who.team_id,
            "user_id": who.user_id,
            "action": "request",
            "kind": request.kind.value,
            "channel_id": who.channel_id,
            "cfield0": request.fields.get("cfield0"),
            "tracking0": request.fields.get("tracking0"),
            "no_tech_console": request.no_tech_console,
            "outcome": result.outcome.value,
            "pin": result.pin,
        }
        audit_id = await _settle(store, who, attempt, row)
        retry_token = None
        if result.outcome is Outcome.NOTECHCONSOLERUNNING and not request.no_tech_console:
            try:
                retry_token = await store.save_retry(
                    who.team_id,
                    who.user_id,
                    request.kind.value,
                    who.channel_id,
                    dict(request.fields),
                    RETRY_TTL,
                )
            except StoreUnavailable as error:  # the message goes without its retry button
                log.error("retry_not_saved", error=str(error))
        message = outcome_message(services, request, result, who, audit_id, retry_token)
        delivered = await deliver(
            services.http, services.slack, context.response_url, who.user_id, message
        )
        if not delivered:
            log.error("pin_undelivered", kind=request.kind.value, outcome=result.outcome.value)
        if audit_id is None:
            await _settle_later(store, who, attempt, {**row, "delivered": delivered})
        else:
            try:
                await store.set_delivered(audit_id, delivered)
            except StoreUnavailable as error:
                log.error("audit_delivery_not_noted", audit_id=audit_id, error=str(error))
        return result


async def _settle(
    store: Store, who: Requester, attempt: Attempt, row: dict[str, Any]
) -> int | None:
    """Guard released, last use noted, audit row written: one transaction. None when the
    database is unreachable (the guard then goes stale on its own)."""
    if not attempt.guarded:
        return await _audit(store, row)
    outcome = attempt.result.outcome.value if attempt.called else None
    try:
        return await store.finish_request(who.team_id, who.user_id, outcome, row)
    except StoreUnavailable as error:
        log.error("audit_deferred", error=str(error))
        return None


async def _audit(store: Store, row: dict[str, Any]) -> int | None:
    try:
        return await store.add_audit(**row)
    except StoreUnavailable as error:
        log.error("audit_deferred", error=str(error))
        return None


async def _settle_later(
    store: Store, who: Requester, attempt: Attempt, row: dict[str, Any]
) -> None:
    """After the agent has their answer: once the database is back, the audit row is
    written and the guard released (else the agent would be "busy" until it went stale)."""
    for wait in AUDIT_RETRY_WAITS:
        await asyncio.sleep(wait)
        if await _settle(store, who, attempt, row) is not None:
            log.info("audit_written_late", outcome=row["outcome"])
            return
    log.error("audit_lost", kind=row["kind"], outcome=row["outcome"])
