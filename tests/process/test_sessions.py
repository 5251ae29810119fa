"""Session follow-through on two real `serve` processes sharing one PostgreSQL database:
Rescue's posts reach whichever process the load balancer picks, the same post several times
at once, and the agent hears of the start and of the end exactly once each."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from bot.crypto import Cipher
from bot.language import _ as tr
from bot.sessions import texts as session_texts
from bot.storage.database import Database
from bot.storage.schema import sessions
from bot.store import Store
from tests.support import sweep
from tests.support.fakes import FakeRescue, FakeSlack
from tests.support.postgres import reset_pg
from tests.support.processes import BotProcess, Cluster
from tests.support.rescue_posts import RescueSession, post_session
from tests.support.settings import app_env, driver_url

AUTHCODE = "two-process-session-authcode-91"
POST_TOKEN = "two-process-post-token-abcdefghijklmnop"
FIELD = "tracking0"
NOTES = "Two processes, one summary: the notes of a race."
sweep.remember(NOTES, stored=True)


@pytest.fixture
async def cluster(
    pg_database: str, fake_slack: FakeSlack, fake_rescue: FakeRescue, tmp_path: Path
) -> AsyncIterator[tuple[Cluster, Store, list[BotProcess]]]:
    await reset_pg(pg_database)
    key = Fernet.generate_key().decode()
    settings = app_env(
        fake_slack,
        fake_rescue,
        pg_database,
        key,
        RESCUE_TIMEOUT_SECONDS="5",
        RESCUE_POST_TOKEN=POST_TOKEN,
        RESCUE_REFERENCE_FIELD=FIELD,
        RESCUE_FIELDS="cfield0,cfield1",
    )
    processes = [BotProcess(tmp_path, "serve", f"web{i}", **settings) for i in (1, 2)]
    for process in processes:
        await process.start()
    store = await Store.open(driver_url(pg_database), Cipher([key]))
    http = aiohttp.ClientSession()
    try:
        await asyncio.gather(*(p.wait_healthy() for p in processes))
        yield Cluster(fake_slack, fake_rescue, http, processes), store, processes
    finally:
        await http.close()
        await store.close()
        await asyncio.gather(*(p.stop() for p in processes))
        await reset_pg(pg_database, migrated=False)
    for process in processes:
        log = process.log()
        sweep.keep(f"{process.log_path.name}", log)
        assert process.process is not None and process.process.returncode == 0, log
        assert POST_TOKEN not in log and NOTES not in log


def said(slack: FakeSlack, rid: str, words: str) -> list[Any]:
    return [m for m in slack.responses.get(rid, []) if words in json.dumps(m)]


async def test_posts_to_both_processes_at_once_tell_the_agent_once(
    cluster: tuple[Cluster, Store, list[BotProcess]],
) -> None:
    c, store, processes = cluster
    slack, rescue = c.slack, c.rescue
    await store.link("T0001", "U1", AUTHCODE, "cli")
    sweep.remember(AUTHCODE, stored=True)

    _, _, rid = await c.on(0).command("Jane Doe")
    await c.on(0).submit(await c.opened_view(), {"cfield0": "Jane Doe"})
    await slack.response(rid)
    session = RescueSession.of_call(rescue.pin_calls()[-1].params, "8675309", notes=NOTES)
    addresses = [f"{p.url}/rescue/sessions/{POST_TOKEN}" for p in processes]

    # The same start, four times at once, to both processes (Rescue retrying, say).
    starts = [
        post_session(a, session, end=False, xml=i % 2 == 0) for i, a in enumerate(addresses * 2)
    ]
    assert await asyncio.gather(*starts) == [200] * 4
    await slack.wait_for(lambda: said(slack, rid, tr(session_texts.SESSION_CONNECTED_HEADLINE)))

    # The end likewise, while another start still comes in late.
    ends = [post_session(a, session, end=True, xml=i % 2 == 1) for i, a in enumerate(addresses * 2)]
    late = post_session(addresses[1], session, end=False, xml=False)
    assert await asyncio.gather(*ends, late) == [200] * 5
    await slack.wait_for(lambda: said(slack, rid, tr(session_texts.SESSION_ENDED_HEADLINE)))
    await asyncio.sleep(0.5)  # room for a second, wrong, message to arrive

    assert len(said(slack, rid, tr(session_texts.SESSION_CONNECTED_HEADLINE))) == 1
    assert len(said(slack, rid, tr(session_texts.SESSION_ENDED_HEADLINE))) == 1
    assert slack.calls_to("chat.postMessage") == []

    # Both processes counted: one matched start and one matched end between them.
    metrics = []
    for process in processes:
        async with c.http.get(f"{process.url}/metrics") as response:
            metrics.append(await response.text())
    matched = sum(_counter(m, "matched") for m in metrics)
    duplicate = sum(_counter(m, "duplicate") for m in metrics)
    assert (matched, duplicate) == (2, 7)

    db = await Database.open(str(store.engine.url.render_as_string(hide_password=False)))
    try:
        row = await db.read(lambda c: c.execute(select(sessions)).first())
    finally:
        await db.close()
    assert (row.state, row.session_id, row.length_seconds) == ("ended", "8675309", 720)
    [audit_row] = await store.audit_rows(action="request")
    assert (audit_row.session_id, audit_row.waiting_seconds) == ("8675309", 42)


def _counter(text: str, result: str) -> float:
    for line in text.splitlines():
        if line.startswith(f'rescue_pin_session_posts_total{{result="{result}"}}'):
            return float(line.rsplit(" ", 1)[1])
    return 0.0
