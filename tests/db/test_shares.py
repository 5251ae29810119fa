"""A PIN is shared once: the shares table decides, on SQLite and on PostgreSQL, across stores
(as across processes) and under concurrent claims."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.store import Store


async def request_row(store: Store) -> int:
    return await store.add_audit(
        team_id="T1", user_id="U1", action="request", kind="rescue", outcome="OK", pin="123456"
    )


async def test_the_first_claim_takes_the_share_and_later_ones_learn_where(
    two_stores: tuple[Store, Store],
) -> None:
    one, two = two_stores
    pin = await request_row(one)
    assert await one.shares.claim(pin, "T1", "U1", "C1") is None
    earlier = await two.shares.claim(pin, "T1", "U1", "C2")
    assert earlier is not None and (earlier.channel_id, earlier.user_id) == ("C1", "U1")
    assert earlier.shared_at.tzinfo is not None
    again = await one.shares.claim(pin, "T1", "U1", "C3")
    assert again is not None and again.channel_id == "C1"


async def test_concurrent_claims_from_two_stores_let_exactly_one_through(
    two_stores: tuple[Store, Store],
) -> None:
    one, two = two_stores
    pin = await request_row(one)
    results = await asyncio.gather(
        *(store.shares.claim(pin, "T1", "U1", f"C{i}") for i, store in enumerate([one, two] * 4))
    )
    assert sum(result is None for result in results) == 1
    taken = {result.channel_id for result in results if result is not None}
    assert len(taken) == 1


async def test_a_released_share_can_be_taken_again(two_stores: tuple[Store, Store]) -> None:
    one, two = two_stores
    pin = await request_row(one)
    assert await one.shares.claim(pin, "T1", "U1", "C1") is None
    await one.shares.release(pin)
    assert await two.shares.claim(pin, "T1", "U1", "C2") is None
    assert (await one.shares.claim(pin, "T1", "U1", "C3")).channel_id == "C2"  # type: ignore[union-attr]


async def test_shares_go_with_the_audit_trail_they_belong_to(
    two_stores: tuple[Store, Store],
) -> None:
    one, _ = two_stores
    pin = await request_row(one)
    assert await one.shares.claim(pin, "T1", "U1", "C1") is None
    assert await one.purge_audit(timedelta(0)) == 1
    assert await one.shares.claim(pin, "T1", "U1", "C1") is None  # nothing left to remember
