"""Session follow-through end to end: the real app between the fake Slack and a fake Rescue
that posts a session's start and end, as a form and as XML, with the vendor's names.

One test (or more) for each numbered point of issue #14."""

from __future__ import annotations

import asyncio
import http.server
import json
import logging
import threading
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from bot.audit import export as audit
from bot.config import Settings
from bot.home import texts as home_texts
from bot.language import _ as tr
from bot.metrics import SESSION_POSTS
from bot.pins.modals import SHARE_ACTION
from bot.sessions import texts as session_texts
from bot.sessions.messages import SESSION_POST_ACTION
from bot.sessions.post import is_reference
from bot.storage.database import now
from bot.storage.schema import sessions
from tests.support import sweep
from tests.support.fakes import FakeRescue, FakeSlack
from tests.support.harness import Harness, published, running_app
from tests.support.oauth_install import install_over_http
from tests.support.processes import run_bot
from tests.support.reading import buttons
from tests.support.rescue_posts import FORM, XML, RescueSession, post, post_session

POST_TOKEN = "rescue-post-token-0123456789abcdef"
AUTHCODE = "session-authcode-31337"
FIELD = "cfield5"
CHAT = "Customer: my card number is 4111-1111-1111-1111, the chat transcript"
NOTES = "Reinstalled the printer driver; the customer confirmed a test page."
# Neither in a log line; the chat never stored, the notes only sealed.
sweep.remember(CHAT, NOTES, stored=True)
FOLLOW_THROUGH = {"rescue_post_token": POST_TOKEN, "rescue_reference_field": FIELD}


@pytest.fixture
async def h(
    fake_slack: FakeSlack, fake_rescue: FakeRescue, sqlite_url: str
) -> AsyncIterator[Harness]:
    """The app on SQLite, with session follow-through on."""
    async with running_app(fake_slack, fake_rescue, sqlite_url, **FOLLOW_THROUGH) as harness:
        yield harness


@pytest.fixture
async def pg_h(
    fake_slack: FakeSlack, fake_rescue: FakeRescue, database_url: str
) -> AsyncIterator[Harness]:
    """The same, on SQLite and on PostgreSQL."""
    async with running_app(fake_slack, fake_rescue, database_url, **FOLLOW_THROUGH) as harness:
        yield harness


def address(h: Harness, token: str = POST_TOKEN) -> str:
    return str(h.server.make_url(f"/rescue/sessions/{token}"))


def message_text(message: dict[str, Any]) -> str:
    return json.dumps(message, ensure_ascii=False)


def count(result: str) -> float:
    return SESSION_POSTS.labels(result)._value.get()


async def request_pin(
    h: Harness, fields: dict[str, str], *, channel: str = "C1"
) -> tuple[str, dict[str, Any], RescueSession]:
    """A PIN through the modal; returns the command's response_url id, the PIN message and
    the session the fake Rescue will post about."""
    calls = len(h.rescue.pin_calls())
    status, _, rid = await h.command(fields.get("cfield0", ""), channel=channel)
    assert status == 200
    view = await h.opened_view()
    assert FIELD not in [block.get("block_id") for block in view["blocks"]]  # never shown
    await h.submit(view, fields)
    message = await h.slack.response(rid)
    call = h.rescue.pin_calls()[calls]
    session = RescueSession.of_call(call.params, session_id=f"5{calls:07d}", chat=CHAT)
    return rid, message, session


async def db_row(h: Harness, reference: str) -> Any:
    db = h.runtime.store._db  # noqa: SLF001 - the test reads what the app stored
    return await db.read(
        lambda c: c.execute(select(sessions).where(sessions.c.reference == reference)).first()
    )


async def all_stored(h: Harness) -> str:
    """Every row of every table, as text: what the database holds."""
    from bot.storage.schema import metadata

    db = h.runtime.store._db  # noqa: SLF001

    def dump(c: Any) -> str:
        return "\n".join(
            repr(tuple(row)) for table in metadata.sorted_tables for row in c.execute(select(table))
        )

    return str(await db.read(dump))


async def quiet(h: Harness) -> None:
    """Let the app finish what it does after answering (home refresh, audit writes)."""
    await asyncio.sleep(0.05)


# 1. An admin turns it on: unset, everything works as today.


async def test_unset_everything_works_as_today(harness: Harness) -> None:
    await harness.link("U1", AUTHCODE)
    status, _, rid = await harness.command("Jane")
    view = await harness.opened_view()
    assert FIELD in [block.get("block_id") for block in view["blocks"]]
    await harness.submit(view, {"cfield0": "Jane"})
    await harness.slack.response(rid)
    assert FIELD not in harness.rescue.pin_calls()[-1].params
    for path in ("/rescue/sessions/anything", f"/rescue/sessions/{POST_TOKEN}"):
        status, _ = await post(str(harness.server.make_url(path)), b"SessionID=1")
        assert status == 404


def test_check_refuses_a_short_token_and_a_shown_reference_field() -> None:
    def problems(**values: Any) -> list[str]:
        settings = Settings(
            _env_file=None, slack_bot_token="xoxb-1", slack_signing_secret="s", **values
        )  # type: ignore[call-arg]
        return settings.problems("serve")

    assert problems(rescue_post_token=POST_TOKEN, rescue_reference_field="cfield5") == []
    [short] = problems(rescue_post_token="x" * 23, rescue_reference_field="cfield5")
    assert "RESCUE_POST_TOKEN is too short" in short and "x" * 23 not in short
    [shown] = problems(
        rescue_post_token=POST_TOKEN,
        rescue_reference_field="cfield5",
        rescue_fields=["cfield0", "cfield5"],
    )
    assert "RESCUE_REFERENCE_FIELD is cfield5" in shown and "RESCUE_FIELDS" in shown
    [alone] = problems(rescue_post_token=POST_TOKEN)
    assert "go together" in alone
    [alone] = problems(rescue_reference_field="tracking0")
    assert "go together" in alone
    [clash] = problems(
        rescue_post_token=POST_TOKEN,
        rescue_reference_field="cfield1",
        rescue_fields=["cfield0"],
        rescue_description_field="cfield1",
    )
    assert "RESCUE_DESCRIPTION_FIELD" in clash
    assert any(
        "malformed" in p
        for p in problems(rescue_post_token="a/b" * 10, rescue_reference_field="cfield5")
    )
    # Left at its default, the PIN form simply leaves the reserved field out.
    settings = Settings(
        _env_file=None, rescue_post_token=POST_TOKEN, rescue_reference_field="tracking0"
    )  # type: ignore[call-arg]
    assert "tracking0" not in settings.rescue_fields and "cfield0" in settings.rescue_fields


async def test_python_m_bot_check_refuses_a_short_token(tmp_path: Any) -> None:
    result = await run_bot(
        tmp_path,
        "check",
        SLACK_BOT_TOKEN="xoxb-1",
        SLACK_SIGNING_SECRET="s",
        DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}",
        RESCUE_POST_TOKEN="short-token",
        RESCUE_REFERENCE_FIELD="cfield5",
        RESCUE_FIELDS="cfield0,cfield5",
    )
    assert result.returncode != 0
    assert "RESCUE_POST_TOKEN is too short" in result.stderr
    assert "RESCUE_REFERENCE_FIELD is cfield5" in result.stderr
    assert "short-token" not in result.stderr + result.stdout


# 2. Every PIN request carries a fresh, unguessable reference, kept with the request.


async def test_each_request_carries_a_fresh_reference_kept_with_it(h: Harness) -> None:
    await h.link("U1", AUTHCODE)
    _, first, one = await request_pin(h, {"cfield0": "Jane Doe", "tracking0": "T-1"})
    _, _, two = await request_pin(h, {"cfield0": "John Roe"})
    references = [one.fields[FIELD], two.fields[FIELD]]
    assert all(is_reference(r) for r in references) and len(set(references)) == 2
    assert all(r not in message_text(first) for r in references)  # nobody sees or types it
    row = await db_row(h, references[0])
    assert (row.user_id, row.channel_id, row.state, row.kind) == ("U1", "C1", "pending", "rescue")
    [audit_row] = [r for r in await h.runtime.store.audit_rows() if r.id == row.audit_id]
    assert audit_row.pin == row.pin and audit_row.cfield0 == "Jane Doe"


# 3. Session start, and 4. session end: form and XML.


@pytest.mark.parametrize("xml", [False, True], ids=["form", "xml"])
async def test_start_then_end(pg_h: Harness, xml: bool) -> None:
    h = pg_h
    await h.link("U1", AUTHCODE)
    rid, pin_message, session = await request_pin(h, {"cfield0": "Jane Doe", "tracking0": "T-42"})
    pin = pin_message["text"].rsplit(" ", 1)[-1]
    matched = count("matched")

    # Start: the PIN message changes in place, privately; App Home says "In session".
    assert await post_session(address(h), session, end=False, xml=xml) == 200
    connected = await h.slack.response(rid, 1)
    text = message_text(connected)
    assert connected["replace_original"] is True and connected["response_type"] == "ephemeral"
    assert (
        tr(session_texts.SESSION_CONNECTED_HEADLINE) in text
        and "Jane Doe" in text
        and "42 sec" in text
    )
    assert f"PIN {pin} is used" in text
    home = await published(h, "U1")
    assert tr(home_texts.HOME_IN_SESSION) in message_text(home)
    assert count("matched") == matched + 1

    # End: a private summary with the notes and the post button; App Home says "Ended".
    session.notes = NOTES
    assert await post_session(address(h), session, end=True, xml=xml) == 200
    summary = await h.slack.response(rid, 2)
    text = message_text(summary)
    assert summary["response_type"] == "ephemeral" and summary["replace_original"] is False
    for expected in ("Jane Doe", "T-42", "Ada Technician", "42 sec", "12 min", NOTES):
        assert expected in text
    [button] = buttons(summary)
    assert button["action_id"] == SESSION_POST_ACTION
    await h.slack.wait_for(
        lambda: (
            tr(home_texts.HOME_ENDED_LASTED, lasted="12 min")
            in message_text(h.slack.calls_to("views.publish")[-1].params["view"])
        )
    )
    assert count("matched") == matched + 2

    # The audit trail has the session id, waiting time and length, and `audit` exports them.
    [row] = [r for r in await h.runtime.store.audit_rows(action="request")]
    assert (row.session_id, row.waiting_seconds, row.length_seconds) == (
        session.session_id,
        42,
        720,
    )
    exported = audit.to_csv([row])
    assert "session_id,waiting_seconds,length_seconds" in exported.splitlines()[0]
    assert f"{session.session_id},42,720" in exported
    assert json.loads(audit.to_json([row]))[0]["length_seconds"] == 720

    # 6. Privacy: the chat is nowhere in Slack or the database; the notes only sealed.
    everything_sent = json.dumps([c.params for c in h.slack.calls]) + json.dumps(h.slack.responses)
    assert CHAT not in everything_sent
    stored = await all_stored(h)
    assert CHAT not in stored and NOTES not in stored


async def test_after_slacks_30_minutes_the_agent_is_told_by_dm(h: Harness) -> None:
    await h.link("U1", AUTHCODE)
    rid, _, session = await request_pin(h, {"cfield0": "Jane Doe"})
    db = h.runtime.store._db  # noqa: SLF001
    await db.write(
        lambda tx: tx.execute(update(sessions).values(pin_url_at=now() - timedelta(minutes=31)))
    )
    assert await post_session(address(h), session, end=False, xml=False) == 200
    dm = await h.slack.dm("U1")
    assert tr(session_texts.SESSION_CONNECTED_HEADLINE) in message_text(dm)
    assert len(h.slack.responses[rid]) == 1  # the PIN message itself, untouched


async def test_a_response_url_is_used_at_most_five_times(h: Harness) -> None:
    await h.link("U1", AUTHCODE)
    rid, _, session = await request_pin(h, {"cfield0": "Jane Doe"})
    db = h.runtime.store._db  # noqa: SLF001
    await db.write(lambda tx: tx.execute(update(sessions).values(pin_url_uses=5)))
    assert await post_session(address(h), session, end=False, xml=True) == 200
    await h.slack.dm("U1")
    assert len(h.slack.responses[rid]) == 1


async def test_a_shared_pin_is_marked_used(h: Harness) -> None:
    await h.link("U1", AUTHCODE)
    _, message, session = await request_pin(h, {"cfield0": "Jane Doe"})
    [share] = [b for b in buttons(message) if b["action_id"] == SHARE_ACTION]
    await h.click(SHARE_ACTION, share["value"], response_rid="share")
    public = await h.slack.response("share", 0)
    assert public["response_type"] == "in_channel"
    assert await post_session(address(h), session, end=False, xml=False) == 200
    used = await h.slack.response("share", 2)  # 0: the shared copy, 1: the private note
    assert used["response_type"] == "in_channel" and used["replace_original"] is False
    text = message_text(used)
    assert "is used now" in text and "Jane Doe" not in text and CHAT not in text


# 4. The post button: an explicit click posts the summary, never the chat.


async def test_the_summary_is_posted_only_on_the_click_and_never_the_chat(h: Harness) -> None:
    await h.link("U1", AUTHCODE)
    rid, _, session = await request_pin(h, {"cfield0": "Jane Doe", "tracking0": "T-42"})
    session.notes = NOTES
    assert await post_session(address(h), session, end=False, xml=False) == 200
    assert await post_session(address(h), session, end=True, xml=False) == 200
    summary = await h.slack.response(rid, 2)
    publicly = [
        m for ms in h.slack.responses.values() for m in ms if m.get("response_type") == "in_channel"
    ]
    assert publicly == [] and h.slack.calls_to("chat.postMessage") == []
    [button] = buttons(summary)

    # Somebody else's click (a forged payload) posts nothing.
    await h.click(SESSION_POST_ACTION, button["value"], user="U2", response_rid="other")
    assert tr(session_texts.SESSION_POST_NOT_YOURS) in message_text(await h.slack.response("other"))

    # Clicked in the conversation itself: its response_url posts there.
    await h.click(SESSION_POST_ACTION, button["value"], response_rid="click", channel="C1")
    public = await h.slack.response("click", 0)
    assert public["response_type"] == "in_channel"
    text = message_text(public)
    assert NOTES in text and "T-42" in text and "<@U1>" in text and CHAT not in text
    done = await h.slack.response("click", 1)
    assert done["replace_original"] is True and buttons(done) == []
    row = await db_row(h, session.fields[FIELD])
    assert row.notes is None  # the notes have served: gone
    rows = await h.runtime.store.audit_rows(action="summary")
    assert [(r.user_id, r.channel_id, r.session_id) for r in rows] == [
        ("U1", "C1", session.session_id)
    ]

    # A second click posts nothing more.
    await h.click(SESSION_POST_ACTION, button["value"], response_rid="again", channel="C1")
    await quiet(h)
    assert all(m.get("response_type") != "in_channel" for m in h.slack.responses.get("again", []))


async def test_a_summary_clicked_in_a_dm_is_posted_where_the_pin_was_asked(h: Harness) -> None:
    await h.link("U1", AUTHCODE)
    _, _, session = await request_pin(h, {"cfield0": "Jane Doe"}, channel="C77")
    db = h.runtime.store._db  # noqa: SLF001
    await db.write(lambda tx: tx.execute(update(sessions).values(pin_url_uses=5)))
    session.notes = NOTES
    assert await post_session(address(h), session, end=True, xml=True) == 200
    summary = await h.slack.dm("U1")
    [button] = buttons(summary)
    await h.click(SESSION_POST_ACTION, button["value"], response_rid="dmclick", channel="D1")
    posted = await h.slack.wait_for(
        lambda: [
            c.params for c in h.slack.calls_to("chat.postMessage") if c.params["channel"] == "C77"
        ]
    )
    assert NOTES in message_text(posted[0]) and CHAT not in message_text(posted[0])


async def test_when_the_app_cannot_post_the_agent_is_told(h: Harness) -> None:
    await h.link("U1", AUTHCODE)
    _, _, session = await request_pin(h, {"cfield0": "Jane Doe"}, channel="C77")
    db = h.runtime.store._db  # noqa: SLF001
    await db.write(lambda tx: tx.execute(update(sessions).values(pin_url_uses=5)))
    session.notes = NOTES
    assert await post_session(address(h), session, end=True, xml=False) == 200
    [button] = buttons(await h.slack.dm("U1"))
    h.slack.fail("chat.postMessage", "not_in_channel")
    await h.click(SESSION_POST_ACTION, button["value"], response_rid="fails", channel="D1")
    assert tr(session_texts.SESSION_POST_FAILED[:40]) in message_text(
        await h.slack.response("fails")
    )
    row = await db_row(h, session.fields[FIELD])
    assert row.summary_posted_at is None and row.notes is not None  # a later click may work


# 5. Posts are untrusted input.


async def test_a_wrong_or_missing_token_is_404(h: Harness) -> None:
    refused = count("refused")
    for url in (
        address(h, "wrong-token-0123456789abcdefgh"),
        address(h, POST_TOKEN[:-1]),
        address(h, POST_TOKEN + "x"),
        str(h.server.make_url("/rescue/sessions/")),
        str(h.server.make_url("/rescue/sessions")),
    ):
        status, _ = await post(url, b"SessionID=1")
        assert status == 404, url
    status, _ = await post(address(h), b"", method="GET")
    assert status == 404
    assert count("refused") >= refused + 3


async def test_a_post_with_no_known_reference_is_200_counted_and_does_nothing(h: Harness) -> None:
    await h.link("U1", AUTHCODE)
    await request_pin(h, {"cfield0": "Jane Doe"})
    before = len(h.slack.calls), sum(len(m) for m in h.slack.responses.values())
    unknown = count("unknown")
    for fields in (
        {},  # a session started some other way
        {FIELD: "slack-" + "0" * 32},  # shaped like ours, but not ours
        {FIELD: "anything at all"},
    ):
        stranger = RescueSession("777", fields, chat=CHAT, notes=NOTES)
        for end in (False, True):
            assert await post_session(address(h), stranger, end=end, xml=end) == 200
    await quiet(h)
    assert (len(h.slack.calls), sum(len(m) for m in h.slack.responses.values())) == before
    assert count("unknown") == unknown + 6
    metrics = await (await h.http.get(str(h.server.make_url("/metrics")))).text()
    assert 'rescue_pin_session_posts_total{result="unknown"}' in metrics


async def test_the_same_start_or_end_twice_changes_nothing(pg_h: Harness) -> None:
    h = pg_h
    await h.link("U1", AUTHCODE)
    rid, _, session = await request_pin(h, {"cfield0": "Jane Doe"})
    duplicate = count("duplicate")
    for _ in range(2):
        assert await post_session(address(h), session, end=False, xml=False) == 200
    await h.slack.response(rid, 1)
    session.notes = NOTES
    for xml in (True, False):
        assert await post_session(address(h), session, end=True, xml=xml) == 200
    await h.slack.response(rid, 2)
    # A late start after the end changes nothing either; nor a start of another session.
    assert await post_session(address(h), session, end=False, xml=False) == 200
    other = RescueSession("999", session.fields)
    assert await post_session(address(h), other, end=False, xml=False) == 200
    await quiet(h)
    assert len(h.slack.responses[rid]) == 3
    assert count("duplicate") == duplicate + 4
    row = await db_row(h, session.fields[FIELD])
    assert (row.state, row.session_id) == ("ended", session.session_id)


async def test_an_end_without_its_start_still_ends(h: Harness) -> None:
    await h.link("U1", AUTHCODE)
    rid, _, session = await request_pin(h, {"cfield0": "Jane Doe"})
    session.notes = NOTES
    assert await post_session(address(h), session, end=True, xml=False) == 200
    summary = await h.slack.response(rid, 1)
    assert NOTES in message_text(summary) and "42 sec" in message_text(summary)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"\xff\xfe", FORM),
        (b"TechName=Ada", FORM),
        (b"<session><sessionid>1</sessionid>", XML),
        (b"not xml", "application/xml"),
        (b'{"SessionID": 1}', "application/json"),
    ],
)
async def test_malformed_posts_are_400(h: Harness, body: bytes, content_type: str) -> None:
    refused = count("refused")
    status, _ = await post(address(h), body, content_type)
    assert status == 400
    assert count("refused") == refused + 1


class _Counting(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802
        _Counting.hits.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b'<!ENTITY x "network">')

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture
def listener() -> Iterator[str]:
    _Counting.hits = []
    server = http.server.HTTPServer(("127.0.0.1", 0), _Counting)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


async def test_hostile_xml_is_refused_and_nothing_is_read(
    h: Harness, listener: str, tmp_path: Any
) -> None:
    await h.link("U1", AUTHCODE)
    rid, _, session = await request_pin(h, {"cfield0": "Jane Doe"})
    secret = tmp_path / "secret.txt"
    secret.write_text("read from disk")
    reference = session.fields[FIELD]
    laughs = "".join(
        f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' if i else '<!ENTITY l0 "lol">' for i in range(10)
    )
    for dtd in (
        laughs,
        f'<!ENTITY x SYSTEM "file://{secret}">',
        f'<!ENTITY x SYSTEM "{listener}/entity">',
        f'<!ENTITY % p SYSTEM "{listener}/param"> %p;',
    ):
        entity = "&l9;" if dtd is laughs else ("&x;" if "x SYSTEM" in dtd else "")
        body = (
            f'<?xml version="1.0"?><!DOCTYPE s [{dtd}]><s><sessionid>1</sessionid>'
            f"<cfield5>{reference}</cfield5><notes>{entity}</notes></s>"
        ).encode()
        status, _ = await post(address(h), body, XML)
        assert status == 400
    status, _ = await post(
        address(h),
        f'<!DOCTYPE s SYSTEM "{listener}/dtd"><s><sessionid>1</sessionid></s>'.encode(),
        XML,
    )
    assert status == 400
    assert _Counting.hits == []
    await quiet(h)
    assert len(h.slack.responses[rid]) == 1  # nothing reached the agent
    row = await db_row(h, reference)
    assert row.state == "pending"


async def test_a_post_over_one_mib_is_413(h: Harness) -> None:
    status, _ = await post(address(h), b"SessionID=1&Notes=" + b"x" * (1024 * 1024 + 1))
    assert status == 413


async def test_a_post_that_arrives_before_the_pin_is_answered_is_not_lost(h: Harness) -> None:
    """The request's row is committed before Rescue sees the reference, so even a start
    posted while the app still waits for Rescue's answer finds it."""
    posted: list[int] = []

    async def start_at_once(params: dict[str, str]) -> None:
        session = RescueSession.of_call(params, "424242")
        posted.append(await post_session(address(h), session, end=False, xml=False))

    h.rescue.before_answer = start_at_once
    matched = count("matched")
    await h.link("U1", AUTHCODE)
    _, _, rid = await h.command("Jane Doe")
    await h.submit(await h.opened_view(), {"cfield0": "Jane Doe"})
    await h.slack.response(rid)
    await h.slack.wait_for(lambda: posted)
    assert posted == [200]
    assert count("matched") == matched + 1
    told = await h.slack.wait_for(
        lambda: [
            m
            for m in h.slack.responses.get(rid, []) + [c.params for c in h.slack.calls]
            if tr(session_texts.SESSION_CONNECTED_HEADLINE) in message_text(m)
        ]
    )
    assert told
    [row] = await h.runtime.store.audit_rows(action="request")
    assert row.session_id == "424242"


# 6. Privacy: notes and chat never in a log line.


async def test_notes_and_chat_never_reach_a_log_line(h: Harness) -> None:
    """Through the app's own logging pipeline at its most verbose (LOG_LEVEL=DEBUG)."""
    import io

    from bot import logs

    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    stream = io.StringIO()
    logs.setup("DEBUG", "json", stream=stream)
    try:
        await h.link("U1", AUTHCODE)
        rid, _, session = await request_pin(h, {"cfield0": "Jane Doe"})
        session.notes = NOTES
        assert await post_session(address(h), session, end=False, xml=True) == 200
        assert await post_session(address(h), session, end=True, xml=False) == 200
        bad = b"<s><sessionid>1</sessionid><notes>" + NOTES.encode() + b"</s>"
        assert (await post(address(h), bad, XML))[0] == 400
        await h.slack.response(rid, 2)
        [button] = buttons(await h.slack.response(rid, 2))
        await h.click(SESSION_POST_ACTION, button["value"], response_rid="logclick")
        await h.slack.response("logclick", 1)
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in saved[0]:
            root.addHandler(handler)
        root.setLevel(saved[1])
    logged = stream.getvalue()
    sweep.keep("test_notes_and_chat_never_reach_a_log_line", logged)
    assert "session_post" in logged and "session_summary_posted" in logged
    for private in (CHAT, NOTES, POST_TOKEN, session.fields[FIELD]):
        assert private not in logged


# With OAuth (several workspaces), a post carries no Slack request: the app speaks to Slack
# with the token of the installation the PIN request came from.

INSTALLED_WORKSPACE = "T0OAUTHS"
OAUTH_SESSION_AUTHCODE = "AUTHc0de-oauth-session-7373"


async def test_with_oauth_the_agent_is_told_with_their_installations_token(
    fake_slack: FakeSlack, fake_rescue: FakeRescue, sqlite_url: str
) -> None:
    settings = {
        **FOLLOW_THROUGH,
        "slack_bot_token": None,
        "slack_client_id": fake_slack.client_id,
        "slack_client_secret": fake_slack.client_secret,
        "slack_authorize_url": fake_slack.url + "/oauth/v2/authorize",
    }
    async with running_app(fake_slack, fake_rescue, sqlite_url, **settings) as h:
        fake_slack.redirect_url = h.base_url + "/slack/oauth_redirect"
        fake_slack.installing = {
            "team": {"id": INSTALLED_WORKSPACE, "name": "Acme Support"},
            "installer": "U0ADMIN",
        }
        assert await install_over_http(h.base_url) == 200
        token = fake_slack.installed_token(INSTALLED_WORKSPACE)
        assert token is not None
        await h.link("U0AGENT", OAUTH_SESSION_AUTHCODE, team=INSTALLED_WORKSPACE)
        _, _, rid = await h.command("Jane Doe", user="U0AGENT", team=INSTALLED_WORKSPACE)
        view = await h.opened_view()
        await h.submit(view, {"cfield0": "Jane Doe"}, user="U0AGENT", team=INSTALLED_WORKSPACE)
        await h.slack.response(rid)
        session = h.rescue.session("6060606", notes=NOTES)
        db = h.runtime.store._db  # noqa: SLF001 - past Slack's 30 minutes: a DM it must be
        await db.write(lambda tx: tx.execute(update(sessions).values(pin_url_uses=5)))
        before = len(fake_slack.calls)
        assert await h.rescue.post_session(address(h), session, end=False, xml=True) == 200
        dm = await fake_slack.dm("U0AGENT")
        assert tr(session_texts.SESSION_CONNECTED_HEADLINE) in message_text(dm)
        await published(h, "U0AGENT")
        sent = [c for c in fake_slack.calls[before:] if c.method != "auth.test"]
        assert {c.method for c in sent} >= {"chat.postMessage", "views.publish"}
        assert all(c.token == token for c in sent)
