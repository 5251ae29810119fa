"""One PIN request after its modal closed, in the order it happens:

guard → authcode → Rescue → audit → delivery.

The guard rule: an agent has one request under way at a time, across processes. The guard
is taken with the authcode (`Store.claim`) and released in the transaction that writes the
audit row (`Store.finish_request`); only when the request dies before that (cancelled, an
error) is it released on its own at once. Whatever the database does, it goes stale after
Rescue's timeout, so an agent is never "busy" for good.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from bot.audit import without_refused
from bot.linking import link_sso
from bot.logs import get_logger, register_secrets
from bot.metrics import PIN_REQUESTS
from bot.pins.messages import outcome_message
from bot.rescue.client import Outcome, PinResult, SessionRequest
from bot.sessions import new_reference
from bot.slack.deliver import deliver
from bot.slack.identity import Requester
from bot.storage.failures import StoreFailed, StoreRefused, StoreUnavailable

if TYPE_CHECKING:  # the process's own; a feature only receives it
    from bot.runtime import Runtime
    from bot.store import Store

log = get_logger(__name__)

# Long enough to start the console and click; short enough that customer fields don't linger.
RETRY_TTL = timedelta(minutes=15)
# Within the shutdown drain, so a SIGTERM does not cut a deferred audit row short.
AUDIT_RETRY_WAITS = (0.5, 1.0, 2.0, 4.0, 8.0)


@dataclass(frozen=True)
class RescueAnswer:
    """What asking Rescue came to, and what the audit row must do with the guard."""

    result: PinResult
    holds_guard: bool  # this request took the agent's guard: the audit row releases it
    rescue_called: bool  # the link's last use is noted only then
    session_row: int | None = None  # follow-through: the row Rescue's posts will find


@dataclass(frozen=True)
class Audited:
    """What became of a request's audit row."""

    audit_id: int | None  # None: not written
    deferred: bool = False  # the database was away: `write_audit_later` tries again


async def request_pin(
    runtime: Runtime,
    who: Requester,
    request: SessionRequest,
    response_url: str | None,
    before_delivery: Callable[[PinResult], Awaitable[None]] | None = None,
) -> PinResult:
    """The whole request. The PIN is audited before delivery is tried; `before_delivery`
    (the workflow step noting its run) runs before the agent can read the answer."""
    async with runtime.under_way.track():
        answer = await ask_rescue(runtime, who, request, response_url)
        result = answer.result
        PIN_REQUESTS.labels(request.kind.value, result.outcome.value).inc()
        log.info(
            "pin_requested",
            kind=request.kind.value,
            outcome=result.outcome.value,
            detail=result.detail,
            no_tech_console=request.no_tech_console,
            sms=result.sms.outcome.value if result.sms else None,  # never the number
        )
        row = audit_row(who, request, result)
        audited = await write_audit(runtime.store, who, answer, row)
        audit_id = audited.audit_id
        await settle_session(runtime.store, answer, audit_id)
        retry_token = await save_retry(runtime.store, who, request, result)
        if before_delivery is not None:
            await before_delivery(result)
        message = outcome_message(
            runtime.settings, request, result, who.user_id, audit_id, retry_token
        )
        delivered = await deliver(runtime, response_url, who.user_id, message)
        if not delivered:
            log.error("pin_undelivered", kind=request.kind.value, outcome=result.outcome.value)
        if audited.deferred:
            await write_audit_later(runtime.store, who, answer, {**row, "delivered": delivered})
        elif audit_id is not None:
            await note_delivery(runtime.store, audit_id, delivered)
        return result


async def ask_rescue(
    runtime: Runtime, who: Requester, request: SessionRequest, response_url: str | None = None
) -> RescueAnswer:
    """Guard and authcode, then Rescue once: unless the agent is unlinked or already has a
    request under way. A guard taken here is left for `write_audit` to release."""
    store = runtime.store
    # A request can't outlive Rescue's timeout by much; an older guard is a crashed process.
    stale = timedelta(seconds=runtime.settings.rescue_timeout_seconds + 30)
    try:
        claim = await store.claim(who.team_id, who.user_id, stale)
    except StoreUnavailable as error:
        log.error("database_unavailable", error=str(error))
        return RescueAnswer(PinResult(Outcome.DATABASE_UNAVAILABLE), False, False)
    if not claim.guarded:
        return RescueAnswer(PinResult(Outcome.BUSY), holds_guard=False, rescue_called=False)
    authcode = claim.authcode
    try:
        # SSO at the command may have run out of time; it gets its full time here.
        if (
            authcode is None
            and runtime.settings.sso_enabled
            and (await link_sso(runtime, who.team_id, who.user_id)).linked
        ):
            authcode = await store.authcode(who.team_id, who.user_id)
    except StoreUnavailable as error:
        log.error("database_unavailable", error=str(error))
        return RescueAnswer(PinResult(Outcome.DATABASE_UNAVAILABLE), True, False)
    except BaseException:
        await release_guard_now(store, who)
        raise
    if authcode is None:
        return RescueAnswer(PinResult(Outcome.NOT_LINKED), holds_guard=True, rescue_called=False)
    try:
        session_row, request = await with_reference(runtime, who, request, response_url)
    except StoreUnavailable as error:
        log.error("database_unavailable", error=str(error))
        return RescueAnswer(PinResult(Outcome.DATABASE_UNAVAILABLE), True, False)
    try:
        result = await runtime.rescue.request_pin(request, authcode)
    except BaseException:  # cancelled, say: the guard must not wait to go stale
        await release_guard_now(store, who)  # a session row left "requested" is purged
        raise
    if result.ok:  # only now is it a real authcode: as typed, it could be anyone's ID
        register_secrets([authcode])
    return RescueAnswer(result, holds_guard=True, rescue_called=True, session_row=session_row)


async def with_reference(
    runtime: Runtime, who: Requester, request: SessionRequest, response_url: str | None
) -> tuple[int | None, SessionRequest]:
    """Session follow-through: a fresh reference in the reserved field, its row committed
    before Rescue sees it, so no post about this PIN can come before the row it needs."""
    field = runtime.settings.rescue_reference_field
    if not runtime.settings.follow_through or field is None:
        return None, request
    reference = new_reference()
    row = await runtime.store.sessions.open(
        reference, who.team_id, who.user_id, request.kind.value, who.channel_id, response_url
    )
    return row, replace(request, fields={**request.fields, field: reference})


async def settle_session(store: Store, answer: RescueAnswer, audit_id: int | None) -> None:
    """With a PIN the row waits for Rescue's posts; without one it goes. A database away just
    now leaves it to the purge (an unanswered reference is never posted back)."""
    if answer.session_row is None:
        return
    try:
        await store.sessions.settle(answer.session_row, answer.result.pin, audit_id)
    except StoreFailed as error:
        log.error("session_row_not_settled", error=str(error))


async def release_guard_now(store: Store, who: Requester) -> None:
    """For a request that dies before its audit row: the guard must not wait to go stale."""
    try:
        await store.end_request(who.team_id, who.user_id)
    except StoreFailed as error:
        log.error("guard_release_failed", error=str(error))


def audit_row(who: Requester, request: SessionRequest, result: PinResult) -> dict[str, Any]:
    return {
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
        # Lens by SMS: that a text was asked for and what became of it; never the number.
        "sms": (result.sms.outcome.value if result.sms else "asked") if request.texts else None,
    }


async def write_audit(
    store: Store, who: Requester, answer: RescueAnswer, row: dict[str, Any]
) -> Audited:
    """The audit row, with the guard released and the link's last use noted in the same
    transaction. Deferred when the database is unreachable: `write_audit_later` then tries
    again. A row whose data the database refuses is no outage: it is written once more
    without what was refused, and the guard goes with it."""
    try:
        return Audited(await _audit_once(store, who, answer, row))
    except StoreUnavailable as error:
        log.error("audit_deferred", error=str(error))
        return Audited(None, deferred=True)
    except StoreRefused as refusal:
        kept, blanked = without_refused(row, refusal.column)
        # Once, where: never the value.
        log.error("audit_refused", table="audit", columns=blanked, code=refusal.code)
    try:
        return Audited(await _audit_once(store, who, answer, kept))
    except StoreUnavailable as error:  # gone in between: the later tries blank it again
        log.error("audit_deferred", error=str(error))
        return Audited(None, deferred=True)
    except StoreRefused as error:
        log.error("audit_lost", kind=row["kind"], outcome=row["outcome"], error=str(error))
    if answer.holds_guard:
        await release_guard_now(store, who)
    return Audited(None)


async def _audit_once(
    store: Store, who: Requester, answer: RescueAnswer, row: dict[str, Any]
) -> int | None:
    if not answer.holds_guard:
        return await store.add_audit(**row)
    outcome = answer.result.outcome.value if answer.rescue_called else None
    return await store.finish_request(who.team_id, who.user_id, outcome, row)


async def write_audit_later(
    store: Store, who: Requester, answer: RescueAnswer, row: dict[str, Any]
) -> None:
    """After the agent has their answer: once the database is back, the audit row is
    written and the guard released (else the agent would be "busy" until it went stale)."""
    for wait in AUDIT_RETRY_WAITS:
        await asyncio.sleep(wait)
        audited = await write_audit(store, who, answer, row)
        if audited.audit_id is not None:
            log.info("audit_written_late", outcome=row["outcome"])
            return
        if not audited.deferred:  # refused, and said so: no outage to wait out
            return
    log.error("audit_lost", kind=row["kind"], outcome=row["outcome"])


async def save_retry(
    store: Store, who: Requester, request: SessionRequest, result: PinResult
) -> str | None:
    """For "no technician console": the fields kept for a retry without it; the button's token."""
    if result.outcome is not Outcome.NOTECHCONSOLERUNNING or request.no_tech_console:
        return None
    try:
        return await store.retries.save(
            who.team_id,
            who.user_id,
            request.kind.value,
            who.channel_id,
            dict(request.fields),
            RETRY_TTL,
        )
    except StoreFailed as error:  # the message goes without its retry button
        log.error("retry_not_saved", error=str(error))
        return None


async def note_delivery(store: Store, audit_id: int, delivered: bool) -> None:
    try:
        await store.set_delivered(audit_id, delivered)
    except StoreFailed as error:
        log.error("audit_delivery_not_noted", audit_id=audit_id, error=str(error))
