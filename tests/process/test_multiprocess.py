"""Two real `serve` processes on one PostgreSQL database, a flow's steps sent to each in turn:
links, in-flight guards, retries, shares, App Home and the audit trail all live in the database."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from cryptography.fernet import Fernet

from bot.crypto import Cipher
from bot.language import _ as tr
from bot.linking import texts as link_texts
from bot.pins import texts as pin_texts
from bot.pins.modals import RETRY_ACTION, SHARE_ACTION
from bot.rescue.client import Outcome
from bot.store import Store
from tests.support.fakes import FakeRescue, FakeSlack
from tests.support.harness import open_home, published
from tests.support.postgres import reset_pg
from tests.support.processes import BotProcess, Cluster
from tests.support.reading import buttons, message_text
from tests.support.settings import SIGNING_SECRET, TEAM, app_env, driver_url
from tests.support.slack_payloads import link_values

AUTHCODE = "two-process-authcode-77"


@pytest.fixture
async def cluster(
    pg_database: str, fake_slack: FakeSlack, fake_rescue: FakeRescue, tmp_path: Path
) -> AsyncIterator[tuple[Cluster, Store]]:
    await reset_pg(pg_database)  # what the release phase does, once
    key = Fernet.generate_key().decode()
    settings = app_env(fake_slack, fake_rescue, pg_database, key, RESCUE_TIMEOUT_SECONDS="5")
    processes = [BotProcess(tmp_path, "serve", f"web{i}", **settings) for i in (1, 2)]
    for process in processes:
        await process.start()
    store = await Store.open(driver_url(pg_database), Cipher([key]))
    http = aiohttp.ClientSession()
    try:
        await asyncio.gather(*(p.wait_healthy() for p in processes))
        yield Cluster(fake_slack, fake_rescue, http, processes), store
    finally:
        await http.close()
        await store.close()
        await asyncio.gather(*(p.stop() for p in processes))
        await reset_pg(pg_database, migrated=False)
    for process in processes:
        assert process.process is not None and process.process.returncode == 0, process.log()
        assert AUTHCODE not in process.log() and SIGNING_SECRET not in process.log()


async def test_two_processes_on_one_database_behave_as_one(
    cluster: tuple[Cluster, Store],
) -> None:
    c, store = cluster
    slack, rescue = c.slack, c.rescue

    # Linking: the modal opens on one process, the authcode is submitted to the other.
    _, _, rid = await c.on(0).command("link")
    await c.on(1).submit(await c.opened_view(), {}, values=link_values(AUTHCODE))
    assert tr(link_texts.LINKED) in message_text(await slack.response(rid))

    # A PIN: command to the second, submission to the first, which decrypts what it stored.
    _, _, rid = await c.on(1).command("Jane Doe")
    await c.on(0).submit(await c.opened_view(), {"cfield0": "Jane Doe"})
    first = await slack.response(rid)
    assert "100001" in message_text(first)
    assert rescue.pin_calls()[-1].params["authcode"] == AUTHCODE

    # Its share button works on the other process: the audit row is shared state.
    [share] = [b for b in buttons(first) if b["action_id"] == SHARE_ACTION]
    await c.on(1).click(SHARE_ACTION, share["value"], response_rid="shared")
    public = await slack.response("shared")
    assert public["response_type"] == "in_channel" and "100001" in message_text(public)

    # One request at a time per agent, across processes.
    rescue.delay = 1.0
    rids = []
    for index in (0, 1):
        _, _, one = await c.on(index).command()
        rids.append(one)
    views = [await c.opened_view(), await c.opened_view()]
    await asyncio.gather(
        c.on(0).submit(views[0], {"cfield0": "A"}), c.on(1).submit(views[1], {"cfield0": "B"})
    )
    answers = sorted(
        [message_text(await slack.response(r)) for r in rids], key=lambda t: tr(pin_texts.BUSY) in t
    )
    assert "100002" in answers[0] and tr(pin_texts.BUSY) in answers[1]
    assert len(rescue.pin_calls()) == 2
    rescue.delay = 0

    # A retry saved by one process is taken by the other, once.
    rescue.answers[AUTHCODE] = "NOTECHCONSOLERUNNING"
    _, _, rid = await c.on(1).command()
    await c.on(1).submit(await c.opened_view(), {"cfield0": "Retry Me"})
    [retry] = [b for b in buttons(await slack.response(rid)) if b["action_id"] == RETRY_ACTION]
    rescue.answers[AUTHCODE] = "OK PINCODE:424242"
    await c.on(0).click(RETRY_ACTION, retry["value"], response_rid="retried")
    assert "424242" in message_text(await slack.response("retried"))
    assert rescue.pin_calls()[-1].params["notechconsole"] == "1"
    await c.on(1).click(RETRY_ACTION, retry["value"], response_rid="again")
    assert tr(pin_texts.RETRY_GONE, command="/rescue-pin") in message_text(
        await slack.response("again")
    )

    # App Home, rendered by either, lists the PINs both made.
    for index in (0, 1):
        c.on(index)
        assert await open_home(c, "U1") == 200
        home = repr(await published(c, "U1"))
        assert "100001" in home and "100002" in home and "424242" in home
        slack.calls = [call for call in slack.calls if call.method != "views.publish"]

    rows = await store.audit_rows(team_id=TEAM)
    assert sorted((r.action, r.outcome) for r in rows) == sorted(
        [
            ("request", Outcome.BUSY.value),
            ("request", "NOTECHCONSOLERUNNING"),
            ("request", "OK"),
            ("request", "OK"),
            ("request", "OK"),
            ("share", "OK"),
        ]
    )
    assert all(r.request_id for r in rows)
    [link] = await store.links()
    assert link.last_outcome == "OK"
