"""A Workflow step run spends at most one PIN: the step_runs table decides, on SQLite and on
PostgreSQL, across stores (as across processes) and under concurrent clicks."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import update

from bot.storage.database import now
from bot.storage.schema import step_runs
from bot.store import Store
from bot.workflow.store import StepState

STALE = timedelta(seconds=40)


async def test_a_run_starts_once(two_stores: tuple[Store, Store]) -> None:
    one, two = two_stores
    assert await one.step_runs.start("Fx1", "T1", "U1") is True
    assert await two.step_runs.start("Fx1", "T1", "U1") is False  # Slack's retry
    run = await two.step_runs.get("Fx1")
    assert run is not None and (run.state, run.agent, run.pin) == ("waiting", "U1", None)


async def test_concurrent_clicks_from_two_stores_let_exactly_one_through(
    two_stores: tuple[Store, Store],
) -> None:
    one, two = two_stores
    await one.step_runs.start("Fx1", "T1", "U1")
    wanted = [StepState.REQUESTING, StepState.DECLINED] * 4
    results = await asyncio.gather(
        *(
            store.step_runs.take("Fx1", "T1", "U1", to, STALE)
            for store, to in zip([one, two] * 4, wanted, strict=True)
        )
    )
    assert sum(result is None for result in results) == 1
    states = {result.state for result in results if result is not None}
    assert len(states) == 1 and states <= {StepState.REQUESTING, StepState.DECLINED}


async def test_an_unseen_run_is_taken_once_too(two_stores: tuple[Store, Store]) -> None:
    # Started before the table existed, or while the database was down.
    one, two = two_stores
    results = await asyncio.gather(
        *(s.step_runs.take("Fx9", "T1", "U1", StepState.REQUESTING, STALE) for s in [one, two] * 3)
    )
    assert sum(result is None for result in results) == 1


async def test_completed_keeps_its_pin_and_is_never_taken_again(
    two_stores: tuple[Store, Store],
) -> None:
    one, two = two_stores
    await one.step_runs.start("Fx1", "T1", "U1")
    assert await one.step_runs.take("Fx1", "T1", "U1", StepState.REQUESTING, STALE) is None
    assert await one.step_runs.settle("Fx1", "requesting", "completed", "024680") is True
    assert await two.step_runs.settle("Fx1", "requesting", "waiting") is False
    for to in (StepState.REQUESTING, StepState.DECLINED):
        found = await two.step_runs.take("Fx1", "T1", "U1", to, timedelta(0))
        assert found is not None and (found.state, found.pin) == ("completed", "024680")


async def test_a_failed_request_waits_again_and_a_stale_one_is_taken_over(
    two_stores: tuple[Store, Store],
) -> None:
    one, two = two_stores
    await one.step_runs.start("Fx1", "T1", "U1")
    assert await one.step_runs.take("Fx1", "T1", "U1", StepState.REQUESTING, STALE) is None
    assert await one.step_runs.settle("Fx1", "requesting", "waiting") is True
    assert await two.step_runs.take("Fx1", "T1", "U1", StepState.REQUESTING, STALE) is None
    # Still requesting: another click waits, Decline too; a crashed process's is taken over.
    found = await one.step_runs.take("Fx1", "T1", "U1", StepState.REQUESTING, STALE)
    assert found is not None and found.state == "requesting"
    found = await one.step_runs.take("Fx1", "T1", "U1", StepState.DECLINED, STALE)
    assert found is not None and found.state == "requesting"
    await one.database.write(
        lambda tx: tx.execute(update(step_runs).values(updated_at=now() - timedelta(minutes=5)))
    )
    assert await two.step_runs.take("Fx1", "T1", "U1", StepState.REQUESTING, STALE) is None


async def test_an_uninstall_and_the_purge_forget_runs(two_stores: tuple[Store, Store]) -> None:
    one, _ = two_stores
    await one.step_runs.start("Fx1", "T1", "U1")
    await one.step_runs.start("Fx2", "T2", "U2")
    await one.owners.forget_installation("T1", "app_uninstalled")
    assert await one.step_runs.get("Fx1") is None and await one.step_runs.get("Fx2") is not None
    await one.purge_audit(timedelta(0))
    assert await one.step_runs.get("Fx2") is None
