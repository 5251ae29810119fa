"""A deactivated Slack account (`user_change` with `deleted`) is forgotten on its own, on
SQLite and PostgreSQL: after real PIN requests, no table holds the person's authcode (nor its
encrypted form), a customer's name or ticket, or a trace of their requests; their audit rows
stay, counted with their outcomes, customer fields empty. Someone else's rows are untouched."""

from __future__ import annotations

import asyncio

from sqlalchemy import text

from tests.support import tables
from tests.support.harness import Harness, open_and_submit, settled
from tests.support.slack_payloads import user_change

LEAVER_AUTHCODE = "AUTHc0de-leaver-9191"
STAYER_AUTHCODE = "AUTHc0de-stayer-9292"
CUSTOMER = "Jane Customer-Leaver"
TICKET = "TICKET-LEAVER-4242"


async def stored_authcode(h: Harness, user: str) -> str:
    async with h.runtime.store.engine.connect() as connection:
        query = text("SELECT authcode FROM links WHERE user_id = :user")
        found: str = (await connection.execute(query, {"user": user})).scalar_one()
    return found


async def test_a_deactivated_account_leaves_nothing_but_its_counted_audit_rows(
    pg_harness: Harness,
) -> None:
    h = pg_harness
    await h.link("U1", LEAVER_AUTHCODE)
    await h.link("U2", STAYER_AUTHCODE)
    h.rescue.answers[LEAVER_AUTHCODE] = "OK PINCODE:111111"
    h.rescue.answers[STAYER_AUTHCODE] = "OUTOFPINCODES"
    await open_and_submit(h, {"cfield0": CUSTOMER, "tracking0": TICKET})
    await open_and_submit(h, {"cfield0": CUSTOMER}, no_console=True)
    await open_and_submit(h, {"cfield0": "Bob Other", "tracking0": "T-2"}, user="U2")
    await settled(h, 3)
    store = h.runtime.store
    await tables.leave_traces(store, "T0001", "U1", h.slack.response_url("leaver"))
    sealed = await stored_authcode(h, "U1")
    before = {r.id: r for r in await store.audit_rows()}

    # Any other change to an account is nothing to the app.
    assert await h.event(user_change("U1", deleted=False)) == 200
    await asyncio.sleep(0.2)
    assert await store.is_linked("T0001", "U1")

    assert await h.event(user_change("U1", deleted=True)) == 200
    for _ in range(100):
        if not await store.is_linked("T0001", "U1"):
            break
        await asyncio.sleep(0.05)
    held = await tables.dump(store)
    for secret in (sealed, LEAVER_AUTHCODE, CUSTOMER, TICKET):
        assert [table for table, rows in held.items() if secret in rows] == [], secret
    for table in ("links", "retries", "in_flight", "step_runs", "rescue_sessions", "shares"):
        assert "U1" not in held[table], table
    after = {r.id: r for r in await store.audit_rows()}
    [forgotten] = [r for r in after.values() if r.id not in before]
    assert (forgotten.user_id, forgotten.action, forgotten.outcome) == (
        "U1",
        "user_deleted",
        "person_forgotten",
    )
    for row_id, row in before.items():
        kept = after[row_id]  # every row kept, with its outcome
        assert (kept.user_id, kept.action, kept.outcome, kept.pin) == (
            row.user_id,
            row.action,
            row.outcome,
            row.pin,
        )
        if row.user_id == "U1":
            assert (kept.cfield0, kept.tracking0) == (None, None)
        else:
            assert (kept.cfield0, kept.tracking0) == ("Bob Other", "T-2")
    assert await store.authcode("T0001", "U2") == STAYER_AUTHCODE
