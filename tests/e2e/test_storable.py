"""Issue #26: text from outside with a NUL, an ESC, a DEL or a right-to-left override in
every stored field of every feature, on SQLite and on PostgreSQL (which refuses NUL in text).

Each request ends cleanly: its audit row is there (NUL replaced by U+FFFD, nothing else
changed), App Home shows the PIN, the agent can ask again at once, and Rescue received each
field exactly as it was typed."""

from __future__ import annotations

import io
import json
import re
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import select

from bot.pins import texts as pin_texts
from bot.pins.modals import RETRY_ACTION, SHARE_ACTION
from bot.slack import texts as slack_texts
from bot.storage.schema import sessions
from tests.support.fakes import FakeRescue, FakeSlack
from tests.support.harness import Harness, open_and_submit, open_home, published, running_app
from tests.support.reading import buttons, input_blocks, message_text
from tests.support.slack_payloads import message_shortcut
from tests.support.steps import AGENT, click, ended, start_step

AUTHCODE = "storable-authcode-2626"
POST_TOKEN = "storable-post-token-0123456789abcdef"
ODD = {"nul": "\x00", "esc": "\x1b", "del": "\x7f", "rlo": "\u202e"}
ALL_ODD = "".join(ODD.values())
PIN = re.compile(r"\d{6}")
TEXT_FIELDS = ("cfield0", "cfield1", "cfield2", "cfield3", "cfield4", "cfield5", "tracking0")


def typed(name: str, odd: str = ALL_ODD) -> str:
    """What an agent pasted into `name`: the odd characters amid ordinary text."""
    return f"{name} Ann{odd}Nul {odd}[31m end{odd}"


def stored(value: str) -> str:
    """What the database keeps of `value`: NUL replaced by U+FFFD, in place."""
    kept = value.replace("\x00", "\ufffd")
    assert len(kept) == len(value)
    return kept


@pytest.fixture
async def h(
    fake_slack: FakeSlack, fake_rescue: FakeRescue, database_url: str
) -> AsyncIterator[Harness]:
    async with running_app(fake_slack, fake_rescue, database_url) as harness:
        await harness.link("U1", AUTHCODE)
        yield harness


@pytest.fixture
async def follow(
    fake_slack: FakeSlack, fake_rescue: FakeRescue, database_url: str
) -> AsyncIterator[Harness]:
    """Session follow-through on, its reference in cfield5."""
    async with running_app(
        fake_slack,
        fake_rescue,
        database_url,
        rescue_post_token=POST_TOKEN,
        rescue_reference_field="cfield5",
    ) as harness:
        await harness.link("U1", AUTHCODE)
        yield harness


async def the_request_ended_cleanly(
    h: Harness, pin: str, fields: dict[str, str], user: str = "U1", call: int = -1
) -> None:
    """Rescue got `fields` as typed; the row is there with them stored; App Home shows the
    PIN; the guard is free: the agent asks again at once and gets another PIN."""
    sent = h.rescue.pin_calls()[call].params
    assert {name: sent.get(name) for name in fields} == fields
    rows = await h.runtime.store.audit_rows(user_id=user, action="request")
    [row] = [r for r in rows if r.pin == pin]
    assert row.outcome == "OK"
    assert row.cfield0 == (stored(fields["cfield0"]) if "cfield0" in fields else None)
    assert row.tracking0 == (stored(fields["tracking0"]) if "tracking0" in fields else None)
    await open_home(h, user)
    assert pin in json.dumps(await published(h, user))  # bold, or struck through once ended
    calls = len(h.rescue.pin_calls())
    _, again = await open_and_submit(h, {"cfield0": "Next"}, user=user)
    assert len(h.rescue.pin_calls()) == calls + 1
    assert pin_texts.BUSY not in message_text(again) and "PIN" in message_text(again)


def pin_of(message: dict[str, Any]) -> str:
    shown = message_text(message)
    return next(w for w in (word.strip("*") for word in shown.split()) if PIN.fullmatch(w))


# The PIN modal: every text field, each odd character on its own.


@pytest.mark.parametrize("odd", list(ODD.values()), ids=list(ODD))
async def test_a_pin_request_with_odd_characters_in_every_field(h: Harness, odd: str) -> None:
    fields = {name: typed(name, odd)[:30] for name in TEXT_FIELDS}
    _, message = await open_and_submit(h, fields)
    assert slack_texts.DATABASE_DOWN not in message_text(message)
    await the_request_ended_cleanly(h, pin_of(message), fields)


async def test_a_lens_request_likewise(h: Harness) -> None:
    fields = {"cfield0": typed("cfield0"), "tracking0": typed("tracking0")}
    _, message = await open_and_submit(h, fields, command="/lens-pin")
    await the_request_ended_cleanly(h, pin_of(message), fields)


# Retry without the console: Rescue gets the same fields again, as typed.


async def test_the_retry_without_the_console_sends_the_fields_as_typed(h: Harness) -> None:
    h.rescue.answers[AUTHCODE] = "NOTECHCONSOLERUNNING"
    fields = {name: typed(name) for name in TEXT_FIELDS}
    _, message = await open_and_submit(h, fields)
    h.rescue.answers[AUTHCODE] = ""
    await h.click(RETRY_ACTION, buttons(message)[0]["value"], response_rid="retry")
    answer = await h.slack.response("retry")
    assert h.rescue.pin_calls()[1].params == {**fields, "notechconsole": "1", "authcode": AUTHCODE}
    await the_request_ended_cleanly(h, pin_of(answer), fields, call=1)


# Share: the share's row copies the request's ticket.


async def test_a_share_of_a_pin_with_odd_fields(h: Harness) -> None:
    fields = {"cfield0": typed("cfield0"), "tracking0": typed("tracking0")}
    _, message = await open_and_submit(h, fields)
    [share] = [b for b in buttons(message) if b["action_id"] == SHARE_ACTION]
    await h.click(SHARE_ACTION, share["value"], response_rid="share")
    public = await h.slack.response("share")
    assert public["response_type"] == "in_channel"
    await h.slack.response("share", 1)  # the private copy follows the share's row
    [row] = await h.runtime.store.audit_rows(action="share")
    assert row.tracking0 == stored(fields["tracking0"])
    await the_request_ended_cleanly(h, pin_of(message), fields)


# The message shortcut: the author's Slack name and the message's words prefill the modal.


async def test_a_slack_name_and_message_words_prefilled(h: Harness) -> None:
    name, words = typed("name"), typed("words")
    h.slack.names["UAUTHOR"] = name
    message = {"type": "message", "user": "UAUTHOR", "text": words, "ts": "1.1"}
    payload = message_shortcut(message, response_url=h.slack.response_url("sc"), channel="C7")
    assert (await h.interact(payload))[0] == 200
    inputs = input_blocks(await h.opened_view())
    prefilled = {
        field: inputs[field]["element"]["initial_value"] for field in ("cfield0", "cfield1")
    }
    assert prefilled == {"cfield0": name, "cfield1": words}
    view = h.slack.calls_to("views.open")[-1].params["view"]
    await h.submit(view, prefilled)
    await the_request_ended_cleanly(h, pin_of(await h.slack.response("sc")), prefilled)


# The Workflow Builder step: its inputs.


async def test_a_workflow_step_with_odd_inputs(h: Harness) -> None:
    await h.link(AGENT, AUTHCODE)
    inputs = {
        "agent": AGENT,
        "kind": "rescue",
        "cfield0": typed("cfield0"),
        "cfield1": typed("cfield1"),
        "tracking0": typed("tracking0"),
    }
    await start_step(h, inputs)
    await click(h, "step_request_pin", inputs=inputs)
    [done] = await ended(h)
    pin = done.params["outputs"]["pin"]
    fields = {k: v for k, v in inputs.items() if k.startswith(("cfield", "tracking"))}
    await the_request_ended_cleanly(h, pin, fields, user=AGENT)


# Session follow-through: Rescue's posts, as a form and as XML.


@pytest.mark.parametrize("xml", [False, True], ids=["form", "xml"])
async def test_rescues_posts_with_odd_fields(follow: Harness, xml: bool) -> None:
    h = follow
    fields = {name: typed(name) for name in ("cfield0", "cfield1", "tracking0")}
    rid, message = await open_and_submit(h, fields)
    pin = pin_of(message)
    # XML 1.0 has no NUL nor ESC, even escaped: Rescue cannot post them as XML.
    odd = "\u202e\x7f" if xml else ALL_ODD
    session = h.rescue.session("5000001", tech_name=f"Ada {odd}Tech", waiting=f"4{odd}2")
    posted = {name: typed(name, odd) for name in fields}
    session = replace(session, fields={**session.fields, **posted})
    url = str(h.server.make_url(f"/rescue/sessions/{POST_TOKEN}"))
    assert await h.rescue.post_session(url, session, xml=xml) == 200
    assert await h.rescue.post_session(url, session, end=True, xml=xml) == 200
    db = h.runtime.store._db  # noqa: SLF001 - the test reads what the app stored
    row = await db.read(lambda c: c.execute(select(sessions)).first())
    assert row.customer == stored(session.fields["cfield0"])
    assert row.ticket == stored(session.fields["tracking0"])
    assert row.technician == stored(session.tech_name)
    assert row.ended_at is not None
    await the_request_ended_cleanly(h, pin, fields)


# A row the database refuses all the same (a value longer than its column: PostgreSQL only).


async def test_a_refused_audit_row_is_kept_without_what_was_refused(
    h: Harness, database_url: str, log_stream: io.StringIO
) -> None:
    """A signed command from a channel ID longer than the column: on PostgreSQL the row is
    refused, is no outage (never deferred), is logged once with its table and column, and is
    kept without that column; the agent has the PIN and the guard is free."""
    channel = "C" + "X" * 40
    status, _, rid = await h.command("", channel=channel)
    assert status == 200
    view = await h.opened_view()
    fields = {"cfield0": typed("cfield0"), "tracking0": "T-26"}
    await h.submit(view, fields)
    message = await h.slack.response(rid)
    pin = pin_of(message)
    [row] = [r for r in await h.runtime.store.audit_rows(action="request") if r.pin == pin]
    lines = [json.loads(line) for line in log_stream.getvalue().splitlines()]
    refused = [line for line in lines if line["event"] == "audit_refused"]
    assert not [line for line in lines if line["event"] in {"audit_deferred", "audit_lost"}]
    if database_url.startswith("sqlite"):
        assert row.channel_id == channel and refused == []
    else:
        assert row.channel_id is None
        assert [(r["table"], r["columns"]) for r in refused] == [("audit", ["channel_id"])]
        assert channel not in log_stream.getvalue()
    await the_request_ended_cleanly(h, pin, fields)


async def test_a_refused_click_is_told_as_such_not_as_the_database_down(
    h: Harness, database_url: str
) -> None:
    _, message = await open_and_submit(h, {"cfield0": typed("cfield0")})
    [share] = [b for b in buttons(message) if b["action_id"] == SHARE_ACTION]
    await h.click(SHARE_ACTION, share["value"], response_rid="share", channel="C" + "X" * 40)
    shown = message_text(await h.slack.response("share"))
    if database_url.startswith("sqlite"):
        assert pin_of(message) in shown
    else:
        assert slack_texts.STORE_REFUSED in shown and slack_texts.DATABASE_DOWN not in shown
    await the_request_ended_cleanly(h, pin_of(message), {"cfield0": typed("cfield0")})
