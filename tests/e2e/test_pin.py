"""The real app, signed requests into POST /slack/events, fake Slack and fake Rescue recording."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import timedelta

import pytest

from bot.language import _ as tr
from bot.pins import texts as pin_texts
from bot.rescue import texts as rescue_texts
from bot.rescue.client import FIELD_LIMITS, Kind, Outcome
from bot.slack import texts as slack_texts
from tests.support.harness import Harness, open_and_submit, running_app, settled
from tests.support.reading import input_blocks, message_text
from tests.support.slack_payloads import state_values

AUTHCODE = "AUTHc0de-U1-7f7f7f"


async def test_command_is_acked_fast_and_opens_the_modal(harness: Harness) -> None:
    await harness.link("U1", AUTHCODE)
    started = time.perf_counter()
    status, body, rid = await harness.command("Jane Doe")
    assert status == 200 and body == ""  # nothing public, nothing echoed
    assert time.perf_counter() - started < 3  # Slack's deadline
    view = await harness.opened_view()
    call = harness.slack.calls_to("views.open")[0]
    assert call.params["trigger_id"] == "trigger-1"
    inputs = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    assert list(inputs) == [
        "cfield0",
        "cfield1",
        "cfield2",
        "cfield3",
        "cfield4",
        "cfield5",
        "tracking0",
        "customer_language",
        "notechconsole",
    ]
    for name, limit in FIELD_LIMITS.items():
        assert inputs[name]["element"]["max_length"] == limit
        assert inputs[name]["optional"] is True
    assert inputs["notechconsole"]["element"]["type"] == "checkboxes"
    assert inputs["cfield0"]["element"]["initial_value"] == "Jane Doe"
    assert json.loads(view["private_metadata"])["r"].endswith(f"/response/{rid}")
    assert harness.rescue.calls == []


async def test_submit_sends_exactly_what_was_typed_and_the_pin_reaches_only_the_agent(
    harness: Harness,
) -> None:
    await harness.link("U1", AUTHCODE)
    harness.rescue.answers[AUTHCODE] = "OK PINCODE:012345"
    fields = {
        "cfield0": "Zoë Ångström & Søn",
        "cfield1": "line one\nline two = 2 # hash & amp",
        "cfield2": "日本語 🚀",
        "tracking0": "TCK-42#a=b&c",
    }
    rid, message = await open_and_submit(harness, fields, text="Zoë")
    [call] = harness.rescue.pin_calls()
    assert call.page == "requestPINCode.aspx" and call.http_method == "POST"
    assert call.query == ""  # the authcode never sits in a URL
    assert call.params == {**fields, "notechconsole": "0", "authcode": AUTHCODE}
    assert message["response_type"] == "ephemeral"
    shown = message_text(message)
    assert "012345" in shown
    assert "LogMeIn123.com" in shown
    assert "/R?i=2&Code=012345" in shown
    assert "expire" in shown
    assert "Zoë Ångström &amp; Søn" in shown and "TCK-42#a=b&amp;c" in shown
    assert harness.slack.calls_to("chat.postMessage") == []  # nothing posted to any channel


async def test_lens_uses_the_lens_page_and_the_lens_words(harness: Harness) -> None:
    await harness.link("U1", AUTHCODE)
    rid, message = await open_and_submit(
        harness, {"cfield0": "Ann"}, command="/lens-pin", no_console=True
    )
    [call] = harness.rescue.pin_calls()
    assert call.page == "requestLensPINCode.aspx"
    assert call.params["notechconsole"] == "1"
    shown = message_text(message)
    assert "Rescue Lens" in shown and "LogMeIn123.com" not in shown
    view = harness.slack.calls_to("views.open")[0].params["view"]
    assert view["title"]["text"] == tr(pin_texts.MODAL_TITLE[Kind.LENS])


async def test_half_an_emoji_is_an_inline_error_and_nothing_is_sent(harness: Harness) -> None:
    await harness.link("U1", AUTHCODE)
    _, _, rid = await harness.command()
    view = await harness.opened_view()
    status, body = await harness.submit(view, {"cfield0": "Ann \ud83d Doe"})
    assert status == 200
    answer = json.loads(body)
    assert answer == {
        "response_action": "errors",
        "errors": {"cfield0": tr(pin_texts.UNSENDABLE)},
    }
    assert harness.rescue.pin_calls() == []
    assert await harness.submit(view, {"cfield0": "Ann Doe"}) == (200, "")
    assert "100001" in message_text(await harness.slack.response(rid))
    [call] = harness.rescue.pin_calls()
    assert call.params["cfield0"] == "Ann Doe"


async def test_an_over_long_field_is_an_inline_error_and_nothing_is_sent(harness: Harness) -> None:
    await harness.link("U1", AUTHCODE)
    _, _, rid = await harness.command()
    view = await harness.opened_view()
    status, body = await harness.submit(view, {"cfield0": "x" * 65, "cfield3": "y" * 256})
    assert status == 200
    answer = json.loads(body)
    assert answer["response_action"] == "errors"
    assert list(answer["errors"]) == ["cfield0"]
    assert "64" in answer["errors"]["cfield0"] and "65" in answer["errors"]["cfield0"]
    # The agent shortens the name and submits again. Once that PIN is in and its request
    # settled, the app has finished with both submissions: only the second reached Rescue.
    assert await harness.submit(view, {"cfield0": "x" * 64}) == (200, "")
    assert "100001" in message_text(await harness.slack.response(rid))
    [row] = await settled(harness)
    assert (row.outcome, row.cfield0) == ("OK", "x" * 64)
    [call] = harness.rescue.pin_calls()
    assert call.params["cfield0"] == "x" * 64
    assert len(harness.slack.responses[rid]) == 1


RESCUE_CODES = [o for o in Outcome if o.value.isupper() and o is not Outcome.OK]


@pytest.mark.parametrize("code", RESCUE_CODES, ids=lambda o: o.value)
async def test_every_rescue_code_has_its_own_sentence(harness: Harness, code: Outcome) -> None:
    await harness.link("U1", AUTHCODE)
    harness.rescue.answers[AUTHCODE] = code.value + "\r\n"
    command = "/lens-pin" if code is Outcome.NO_ACCESS_TO_LENS else "/rescue-pin"
    _, message = await open_and_submit(harness, {"cfield0": "Jane"}, command=command)
    shown = message_text(message)
    failure = rescue_texts.FAILURES[code]
    assert failure.headline in shown and failure.advice in shown
    assert len(harness.rescue.pin_calls()) == 1  # never retried: each success spends a PIN
    buttons = [
        e["action_id"] for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    if code in (
        Outcome.INVALID_SECRETAUTHCODE,
        Outcome.USER_IS_DELETED,
        Outcome.USER_DELETED_OR_DISABLED,
    ):
        assert "link_open" in buttons and "/rescue-pin link" in shown


@pytest.mark.parametrize(
    ("answer", "outcome", "detail"),
    [
        ("http500", Outcome.HTTP_ERROR, "500"),
        ("html", Outcome.HTML_ANSWER, None),
        ("   ", Outcome.EMPTY_ANSWER, None),
        ("OK PINCODE:12345", Outcome.NO_PIN, None),
        ("OK", Outcome.NO_PIN, None),
        ("MAINTENANCE_MODE", Outcome.UNKNOWN_CODE, "MAINTENANCE_MODE"),
        ("reset", Outcome.CONNECTION_ERROR, None),
        ("sleep:3", Outcome.TIMEOUT, None),
    ],
)
async def test_every_failure_of_the_call_has_its_own_sentence(
    harness: Harness, answer: str, outcome: Outcome, detail: str | None
) -> None:
    await harness.link("U1", AUTHCODE)
    harness.rescue.answers[AUTHCODE] = answer
    _, message = await open_and_submit(harness, {"cfield0": "Jane"})
    headline, advice = rescue_texts.failure_text(outcome, detail)
    shown = message_text(message)
    assert headline in shown and advice in shown
    assert AUTHCODE not in json.dumps(message)
    assert len(harness.rescue.pin_calls()) == 1


async def test_a_refused_rescue_host_is_a_connection_error(harness: Harness) -> None:
    await harness.link("U1", AUTHCODE)
    await harness.rescue.stop()  # nothing listens there any more
    _, message = await open_and_submit(harness, {})
    assert rescue_texts.FAILURES[Outcome.CONNECTION_ERROR].headline in message_text(message)


async def test_an_unlinked_agent_is_told_how_to_link_and_rescue_is_not_called(
    harness: Harness,
) -> None:
    status, body, rid = await harness.command("Jane")
    assert status == 200
    message = await harness.slack.response(rid)
    assert "/rescue-pin link" in message_text(message)
    assert message["response_type"] == "ephemeral"
    assert harness.slack.calls_to("views.open") == []
    assert harness.rescue.calls == []


async def test_unlinked_between_open_and_submit_is_told_too(harness: Harness) -> None:
    await harness.link("U1", AUTHCODE)
    _, _, rid = await harness.command()
    view = await harness.opened_view()
    await harness.runtime.store.unlink("T0001", "U1")
    await harness.submit(view, {"cfield0": "Jane"})
    message = await harness.slack.response(rid)
    assert tr(pin_texts.NOT_LINKED, user="U1") in message_text(message)
    assert harness.rescue.calls == []


async def test_help_explains_the_commands(harness: Harness) -> None:
    _, _, rid = await harness.command("help")
    shown = message_text(await harness.slack.response(rid))
    for word in ("/rescue-pin", "/lens-pin", "link", "unlink"):
        assert word in shown
    assert harness.slack.calls_to("views.open") == []


async def test_a_dead_response_url_falls_back_to_a_dm(harness: Harness) -> None:
    await harness.link("U1", AUTHCODE)
    harness.rescue.answers[AUTHCODE] = "OK PINCODE:654321"
    _, _, rid = await harness.command()
    harness.slack.dead_responses.add(rid)
    view = await harness.opened_view()
    await harness.submit(view, {})
    dm = await harness.slack.dm("U1")
    assert "654321" in json.dumps(dm)
    assert tr(slack_texts.DM_FALLBACK_NOTE) in json.dumps(dm)


async def test_concurrent_agents_each_get_their_own_pin(harness: Harness) -> None:
    agents = [f"U{n:03d}" for n in range(20)]
    for n, user in enumerate(agents):
        await harness.link(user, f"code-{user}-xyz")
        harness.rescue.answers[f"code-{user}-xyz"] = f"OK PINCODE:{500000 + n}"

    async def flow(n: int, user: str) -> None:
        status, _, rid = await harness.command(
            f"Customer {n}", user=user, trigger_id=f"trig-{user}"
        )
        view = await harness.slack.wait_for(
            lambda: [
                c.params["view"]
                for c in harness.slack.calls_to("views.open")
                if c.params["trigger_id"] == f"trig-{user}"
            ]
        )
        await harness.submit(view[0], {"cfield0": f"Customer {n}"}, user=user)
        message = await harness.slack.response(rid)
        assert str(500000 + n) in message_text(message)
        assert f"Customer {n}" in message_text(message)

    await asyncio.gather(*(flow(n, user) for n, user in enumerate(agents)))
    sent = {c.params["authcode"]: c.params["cfield0"] for c in harness.rescue.pin_calls()}
    assert sent == {f"code-{u}-xyz": f"Customer {n}" for n, u in enumerate(agents)}


async def test_the_submit_is_answered_while_rescue_is_still_being_asked(
    harness: Harness,
) -> None:
    # Bolt runs with process_before_response: Slack hears the ack when the listener makes
    # it, not when the listener is done.
    await harness.link("U1", AUTHCODE)
    asked, release = asyncio.Event(), asyncio.Event()

    async def hold(_: dict[str, str]) -> None:
        asked.set()
        await release.wait()

    harness.rescue.before_answer = hold
    _, _, rid = await harness.command("Jane Doe")
    view = await harness.opened_view()
    status, _ = await asyncio.wait_for(harness.submit(view, {"cfield0": "Jane Doe"}), 3)
    assert status == 200
    await asyncio.wait_for(asked.wait(), 3)
    assert rid not in harness.slack.responses  # no PIN yet: Rescue has not answered
    release.set()
    assert "PIN" in message_text(await harness.slack.response(rid))


async def test_a_double_submit_spends_one_pin(harness: Harness) -> None:
    await harness.link("U1", AUTHCODE)
    harness.rescue.delay = 0.5
    _, _, rid = await harness.command()
    view = await harness.opened_view()
    await asyncio.gather(
        harness.submit(view, {"cfield0": "A"}), harness.submit(view, {"cfield0": "A"})
    )
    first, second = await harness.slack.response(rid, 0), await harness.slack.response(rid, 1)
    assert len(harness.rescue.pin_calls()) == 1
    shown = message_text(first) + message_text(second)
    assert tr(pin_texts.BUSY) in shown and "PIN" in shown


async def test_an_expired_trigger_is_reported_privately(harness: Harness) -> None:
    await harness.link("U1", AUTHCODE)
    harness.slack.fail("views.open", "expired_trigger_id")
    _, _, rid = await harness.command()
    message = await harness.slack.response(rid)
    assert message_text(message).startswith(tr(slack_texts.OPEN_FAILED, command="/rescue-pin"))


async def test_a_user_from_another_organisation_is_refused(harness: Harness) -> None:
    await harness.link("U1", AUTHCODE, team="T0001")
    await harness.link("U1", "other-org-code", team="TFOREIGN")
    _, _, rid = await harness.command(team="TFOREIGN")
    assert tr(slack_texts.FOREIGN_USER) in message_text(await harness.slack.response(rid))
    assert harness.slack.calls_to("views.open") == []


async def test_labels_and_field_choice_come_from_settings(
    fake_slack, fake_rescue, sqlite_url
) -> None:
    async with running_app(
        fake_slack,
        fake_rescue,
        sqlite_url,
        rescue_field_labels={"cfield0": "Customer name", "tracking0": "Ticket"},
        rescue_fields=("tracking0", "cfield0"),
    ) as h:
        await h.link("U1", AUTHCODE)
        await h.command("Jane")
        view = await h.opened_view()
        inputs = [
            (b["block_id"], b["label"]["text"]) for b in view["blocks"] if b["type"] == "input"
        ]
        assert inputs == [
            ("tracking0", "Ticket"),
            ("cfield0", "Customer name"),
            ("customer_language", "Customer's language"),
            ("notechconsole", "Technician Console"),
        ]


async def test_the_flow_works_on_each_database(pg_harness: Harness) -> None:
    await pg_harness.link("U1", AUTHCODE)
    pg_harness.rescue.answers[AUTHCODE] = "OK\r\nPINCODE:000777  "
    _, message = await open_and_submit(pg_harness, {"tracking0": "T-1"})
    assert "000777" in message_text(message)
    [row] = await settled(pg_harness)  # delivery is noted just after the message arrives
    assert (row.outcome, row.pin, row.tracking0, row.delivered) == ("OK", "000777", "T-1", True)
    [link] = await pg_harness.runtime.store.links()
    assert link.last_outcome == "OK" and link.last_used_at is not None
    assert await pg_harness.runtime.store.begin_request("T0001", "U1", timedelta(seconds=60))


async def test_the_harness_answers_in_the_shape_of_the_modal_the_app_opened(
    harness: Harness,
) -> None:
    # Every submission in these tests is built by state_values(): it must fill the modal the
    # app really opens, block by block, with each element's own action_id, type and options.
    await harness.link("U1", AUTHCODE)
    await harness.command()
    view = await harness.opened_view()
    typed = {
        name: "x"
        for name in input_blocks(view)
        if name not in ("notechconsole", "customer_language")
    }
    values = state_values(typed, no_console=True)
    assert set(values) == set(input_blocks(view))
    for block_id, block in input_blocks(view).items():
        element = block["element"]
        [(action_id, state)] = values[block_id].items()
        assert (action_id, state["type"]) == (element["action_id"], element["type"])
        if element["type"] == "checkboxes":
            offered = [option["value"] for option in element["options"]]
            assert [option["value"] for option in state["selected_options"]] == offered
        if element["type"] == "static_select":
            offered = [option["value"] for option in element["options"]]
            assert state["selected_option"]["value"] in offered
