"""Fault injection with the fake servers and a real database cut off for a moment: the agent
always gets a clear sentence, the server keeps serving, the audit trail says what happened."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import pytest

from bot.language import _ as tr
from bot.rescue import texts as rescue_texts
from bot.rescue.client import Outcome
from bot.slack import texts as slack_texts
from tests.support.fakes import CuttableProxy, FakeRescue, FakeSlack
from tests.support.harness import (
    Harness,
    audited,
    open_and_submit,
    open_home,
    published,
    running_app,
    settled,
)
from tests.support.postgres import reset_pg
from tests.support.reading import message_text
from tests.support.slack_payloads import link_values

AUTHCODE = "faults-authcode-4040"


# Rescue


@pytest.mark.parametrize(
    ("answer", "outcome"),
    [
        ("sleep:3", Outcome.TIMEOUT),
        ("reset", Outcome.CONNECTION_ERROR),
        ("http500", Outcome.HTTP_ERROR),
        ("html", Outcome.HTML_ANSWER),
    ],
)
async def test_a_failing_rescue_is_explained_audited_and_the_server_carries_on(
    harness: Harness, answer: str, outcome: Outcome
) -> None:
    await harness.link("U1", AUTHCODE)
    harness.rescue.answers[AUTHCODE] = answer
    _, message = await open_and_submit(harness, {"cfield0": "Jane"})
    headline, advice = rescue_texts.failure_text(outcome, "500")
    assert headline in message_text(message) and advice in message_text(message)
    [row] = await settled(harness)
    assert (row.outcome, row.pin, row.delivered) == (outcome.value, None, True)
    harness.rescue.answers[AUTHCODE] = "OK PINCODE:777000"
    _, message = await open_and_submit(harness, {"cfield0": "Jane"})
    assert "777000" in message_text(message)
    assert await harness.healthz() == 200


# Slack


async def test_views_open_rate_limited_is_retried_after_retry_after(harness: Harness) -> None:
    await harness.link("U1", AUTHCODE)
    harness.slack.fail("views.open", "ratelimited", status=429, **{"Retry-After": "1"})
    started = time.monotonic()
    _, _, rid = await harness.command("Jane")
    await harness.slack.wait_for(lambda: len(harness.slack.calls_to("views.open")) == 2)
    assert time.monotonic() - started >= 1.0
    assert rid not in harness.slack.responses  # no error: the modal opened


async def test_views_open_failing_for_good_is_told_privately(harness: Harness) -> None:
    await harness.link("U1", AUTHCODE)
    for _ in range(3):  # the first try and both retries
        harness.slack.fail("views.open", "ratelimited", status=429, **{"Retry-After": "0"})
    _, _, rid = await harness.command("Jane")
    shown = message_text(await harness.slack.response(rid))
    assert tr(slack_texts.OPEN_FAILED, command="/rescue-pin") in shown


async def test_response_url_rate_limited_is_retried(harness: Harness) -> None:
    await harness.link("U1", AUTHCODE)
    _, _, rid = await harness.command("Jane")
    harness.slack.response_faults[rid] = [(429, {"Retry-After": "1"})]
    await harness.submit(await harness.opened_view(), {"cfield0": "Jane"})
    assert "100001" in message_text(await harness.slack.response(rid))
    assert harness.slack.calls_to("chat.postMessage") == []  # no DM needed


async def test_dead_response_url_and_rate_limited_dm_still_reach_the_agent(
    harness: Harness,
) -> None:
    await harness.link("U1", AUTHCODE)
    _, _, rid = await harness.command("Jane")
    harness.slack.dead_responses.add(rid)
    harness.slack.fail("chat.postMessage", "ratelimited", status=429, **{"Retry-After": "1"})
    await harness.submit(await harness.opened_view(), {"cfield0": "Jane"})
    dm = await harness.slack.dm("U1")
    assert "100001" in message_text(dm) and tr(slack_texts.DM_FALLBACK_NOTE) in repr(dm)
    [row] = await settled(harness)
    assert row.delivered is True


async def test_a_pin_slack_would_not_take_is_kept_in_the_trail_and_on_app_home(
    harness: Harness,
) -> None:
    await harness.link("U1", AUTHCODE)
    _, _, rid = await harness.command("Jane")
    harness.slack.dead_responses.add(rid)
    harness.slack.fail("chat.postMessage", "channel_not_found")
    await harness.submit(await harness.opened_view(), {"cfield0": "Jane"})
    [row] = await settled(harness)
    assert (row.pin, row.delivered) == ("100001", False)
    assert await open_home(harness, "U1") == 200
    assert "100001" in repr(await published(harness, "U1"))


# The database, unreachable for a moment


@pytest.fixture
async def cut_db(
    pg_database: str, fake_slack: FakeSlack, fake_rescue: FakeRescue
) -> AsyncIterator[tuple[Harness, CuttableProxy]]:
    await reset_pg(pg_database)
    address = urlsplit(pg_database)
    proxy = CuttableProxy(address.hostname or "127.0.0.1", address.port or 5432)
    await proxy.start()
    through_proxy = pg_database.replace(address.netloc, f"127.0.0.1:{proxy.port}", 1)
    try:
        async with running_app(fake_slack, fake_rescue, through_proxy) as h:
            try:
                yield h, proxy
            finally:
                proxy.restore()
    finally:
        await proxy.stop()
        await reset_pg(pg_database, migrated=False)


async def test_database_down_at_the_command_and_the_submit_is_explained(
    cut_db: tuple[Harness, CuttableProxy],
) -> None:
    h, proxy = cut_db
    await h.link("U1", AUTHCODE)
    _, _, early = await h.command("Jane")
    view = await h.opened_view()

    proxy.cut()
    assert await h.healthz() == 503
    _, _, rid = await h.command("Jane")
    assert tr(slack_texts.DATABASE_DOWN) in message_text(await h.slack.response(rid))
    status, body = await h.submit(view, {"cfield0": "Jane"})
    assert (status, body) == (200, "")
    headline, advice = rescue_texts.failure_text(Outcome.DATABASE_UNAVAILABLE)
    shown = message_text(await h.slack.response(early))
    assert headline in shown and advice in shown
    assert h.rescue.pin_calls() == []  # nothing asked of Rescue without a guard

    proxy.restore()
    assert await h.healthz() == 200
    await audited(h, Outcome.DATABASE_UNAVAILABLE.value)  # written once it was back
    _, message = await open_and_submit(h, {"cfield0": "Jane"})
    assert "100001" in message_text(message)


async def test_a_pin_obtained_while_the_database_drops_still_reaches_the_agent_and_the_trail(
    cut_db: tuple[Harness, CuttableProxy],
) -> None:
    h, proxy = cut_db
    await h.link("U1", AUTHCODE)
    h.rescue.delay = 1.0
    _, _, rid = await h.command("Jane")
    await h.submit(await h.opened_view(), {"cfield0": "Jane"})
    await h.slack.wait_for(lambda: h.rescue.pin_calls())
    proxy.cut()  # while Rescue is answering
    message = await h.slack.response(rid)
    assert "100001" in message_text(message)
    await asyncio.sleep(0.5)
    proxy.restore()
    [row] = await audited(h, "OK")
    assert (row.pin, row.delivered) == ("100001", True)
    assert await h.healthz() == 200
    # The guard was released with the late audit row: the agent is not told "busy".
    h.rescue.delay = 0
    _, message = await open_and_submit(h, {"cfield0": "Jane"})
    assert "100002" in message_text(message)


async def test_database_down_during_self_service_link_is_an_inline_error(
    cut_db: tuple[Harness, CuttableProxy],
) -> None:
    h, proxy = cut_db
    await h.command("link")
    view = await h.opened_view()
    proxy.cut()
    status, body = await h.submit(view, {}, values=link_values("LinkMe-authcode-1"))
    assert status == 200
    assert tr(slack_texts.DATABASE_DOWN) in body and '"authcode"' in body
    proxy.restore()
