"""Lens PIN by SMS, end to end: /lens-pin's modal, the number checked inline, the v4 page with
the number, the masked number in the agent's message, SMS_RESULT, and the number nowhere else."""

from __future__ import annotations

import io
import json
from pathlib import Path
from urllib.parse import urlencode

import pytest

from bot.language import _ as tr
from bot.pins import texts as pin_texts
from bot.pins.modals import RETRY_ACTION
from bot.rescue import texts as rescue_texts
from bot.rescue.client import Outcome
from bot.rescue.sms import LANG_CODES
from tests.support import sweep
from tests.support.fakes import FakeRescue, FakeSlack
from tests.support.harness import Harness, running_app
from tests.support.reading import buttons, input_blocks, message_text
from tests.support.slack_payloads import slash_command, state_values

AUTHCODE = "AUTHc0de-lens-sms-5150"
TYPED = "+49 151 2345 6789"
E164 = "+4915123456789"
NATIONAL = "0151 23456789"
MASKED = "+49 \u2022\u2022\u2022 \u2022\u2022\u2022 89"
# Every way the number could leak: E.164, digits only, the national and the typed forms.
NUMBER_FORMS = (E164, E164[1:], "15123456789", "151 2345 6789", NATIONAL, "0151 2345")


def sms_values(
    fields: dict[str, str], phone: str | None, lang: str | None = "en"
) -> dict[str, object]:
    """The Lens modal's state with a number typed and a language chosen."""
    values: dict[str, object] = state_values(fields)
    values["PhoneNumber"] = {"value": {"type": "plain_text_input", "value": phone}}
    if lang is not None:
        values["LangCode"] = {
            "value": {
                "type": "static_select",
                "selected_option": {"value": lang, "text": {"type": "plain_text", "text": lang}},
            }
        }
    return values


async def lens_submit(
    h: Harness, phone: str | None, lang: str | None = "en", fields: dict[str, str] | None = None
) -> tuple[str, int, str]:
    """/lens-pin, then its modal submitted: the response_url's id, and the submit's answer."""
    status, body, rid = await h.command("Ann", command="/lens-pin")
    assert (status, body) == (200, "")
    view = await h.opened_view()
    status, body = await h.submit(
        view, {}, values=sms_values(fields or {"cfield0": "Ann"}, phone, lang)
    )
    return rid, status, body


def everything_slack_saw(slack: FakeSlack) -> str:
    calls = [json.dumps(c.params, ensure_ascii=False) for c in slack.calls]
    answers = [json.dumps(r, ensure_ascii=False) for rs in slack.responses.values() for r in rs]
    return "\n".join(calls + answers)


async def test_lens_modal_gains_number_and_language_and_rescue_modal_does_not(
    harness: Harness,
) -> None:
    await harness.link("U1", AUTHCODE)
    await harness.command(command="/lens-pin")
    lens = input_blocks(await harness.opened_view())
    assert list(lens)[-3:] == ["PhoneNumber", "LangCode", "notechconsole"]
    phone = lens["PhoneNumber"]
    assert phone["optional"] is True and phone["element"]["type"] == "plain_text_input"
    select = lens["LangCode"]["element"]
    assert select["type"] == "static_select"
    assert [o["value"] for o in select["options"]] == list(LANG_CODES)
    assert select["initial_option"]["value"] == "en"  # Slack sent no locale for U1
    await harness.command(command="/rescue-pin")
    rescue = input_blocks(await harness.opened_view())
    assert "PhoneNumber" not in rescue and "LangCode" not in rescue


async def test_language_follows_the_agents_slack_locale_without_delaying_the_modal(
    harness: Harness,
) -> None:
    await harness.link("U1", AUTHCODE)
    harness.slack.locales["U1"] = "de-DE"
    await harness.command(command="/lens-pin")
    view = await harness.opened_view()
    # The modal opened at once; the locale came after and the modal was updated in place.
    [update] = await harness.slack.wait_for(lambda: harness.slack.calls_to("views.update"))
    assert update.params["hash"] and update.params["view_id"]
    updated = input_blocks(update.params["view"])
    assert updated["LangCode"]["element"]["initial_option"]["value"] == "de"
    opened = harness.slack.calls_to("views.open")[0]
    asked = [c for c in harness.slack.calls_to("users.info") if c.params.get("include_locale")]
    assert asked and harness.slack.calls.index(asked[0]) > harness.slack.calls.index(opened)
    assert input_blocks(view)["LangCode"]["element"]["initial_option"]["value"] == "en"
    # Next time the locale is known: the modal opens with it, and nothing is updated.
    await harness.command(command="/lens-pin")
    again = input_blocks(await harness.opened_view())
    assert again["LangCode"]["element"]["initial_option"]["value"] == "de"
    assert len(harness.slack.calls_to("views.update")) == 1


async def test_a_locale_in_the_payload_is_used_without_asking_slack(harness: Harness) -> None:
    await harness.link("U1", AUTHCODE)
    form = slash_command("", command="/lens-pin", response_url=harness.slack.response_url())
    status, _, _ = await harness.post(urlencode({**form, "locale": "fr-FR"}).encode())
    assert status == 200
    view = input_blocks(await harness.opened_view())
    assert view["LangCode"]["element"]["initial_option"]["value"] == "fr"
    assert harness.slack.calls_to("users.info") == []
    assert harness.slack.calls_to("views.update") == []


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("+49 12", "INVALID"),
        ("+49 30 1234567", "NOT_MOBILE"),
        ("call me maybe", "NOT_A_NUMBER"),
        (NATIONAL, "NEEDS_COUNTRY"),
    ],
)
async def test_an_impossible_number_is_an_inline_error_and_rescue_is_not_called(
    harness: Harness, typed: str, problem: str
) -> None:
    from bot.rescue.sms import PhoneProblem

    await harness.link("U1", AUTHCODE)
    _, status, body = await lens_submit(harness, typed)
    assert status == 200
    answer = json.loads(body)
    assert answer == {
        "response_action": "errors",
        "errors": {"PhoneNumber": tr(pin_texts.PHONE_PROBLEMS)[PhoneProblem[problem]]},
    }
    assert harness.rescue.calls == []


async def test_a_number_goes_to_the_v4_page_with_its_language(harness: Harness) -> None:
    await harness.link("U1", AUTHCODE)
    rid, status, body = await lens_submit(
        harness, TYPED, "pt-br", {"cfield0": "Ann", "tracking0": "T-9"}
    )
    assert (status, body) == (200, "")
    message = await harness.slack.response(rid)
    [call] = harness.rescue.pin_calls()
    assert call.page == "requestLensPINCode_v4.aspx" and call.http_method == "POST"
    assert call.query == ""  # neither the authcode nor the number in a URL
    assert call.params == {
        "cfield0": "Ann",
        "tracking0": "T-9",
        "notechconsole": "0",
        "PhoneNumber": E164,
        "LangCode": "pt-br",
        "authcode": AUTHCODE,
    }
    shown = message_text(message)
    assert "100001" in shown
    assert tr(pin_texts.SMS_SENT, phone=MASKED) in shown


async def test_a_national_number_needs_sms_default_region(
    fake_slack: FakeSlack, fake_rescue: FakeRescue, sqlite_url: str
) -> None:
    async with running_app(fake_slack, fake_rescue, sqlite_url, sms_default_region="DE") as h:
        await h.link("U1", AUTHCODE)
        rid, status, body = await lens_submit(h, NATIONAL)
        assert (status, body) == (200, "")
        await h.slack.response(rid)
        [call] = h.rescue.pin_calls()
        assert call.params["PhoneNumber"] == E164
        assert call.params["LangCode"] == "en"


async def test_without_a_number_the_plain_lens_page_exactly_as_before(harness: Harness) -> None:
    await harness.link("U1", AUTHCODE)
    rid, status, body = await lens_submit(harness, None, "de")
    assert (status, body) == (200, "")
    message = await harness.slack.response(rid)
    [call] = harness.rescue.pin_calls()
    assert call.page == "requestLensPINCode.aspx"
    assert call.params == {"cfield0": "Ann", "notechconsole": "0", "authcode": AUTHCODE}
    shown = message_text(message)
    assert "100001" in shown and "\u2022" not in shown  # no word of a text message
    assert tr(pin_texts.SMS_SENT).split("%(")[0] not in shown and "did *not* go out" not in shown


@pytest.mark.parametrize(
    "sms_result", ["sendInvitationForMobileSession_ERROR", "INVALID_PHONE_NUMBER", "", None]
)
async def test_when_the_text_did_not_go_out_the_pin_still_comes_with_that_news(
    harness: Harness, sms_result: str | None
) -> None:
    await harness.link("U1", AUTHCODE)
    harness.rescue.sms_results[AUTHCODE] = sms_result
    rid, _, _ = await lens_submit(harness, TYPED)
    shown = message_text(await harness.slack.response(rid))
    assert "100001" in shown
    assert tr(pin_texts.SMS_NOT_SENT, phone=MASKED) in shown
    assert tr(pin_texts.SMS_SENT, phone=MASKED) not in shown


@pytest.mark.parametrize(
    "code",
    [o for o in Outcome if o.value.isupper() and o is not Outcome.OK],
)
async def test_every_lens_return_code_keeps_its_sentence(harness: Harness, code: Outcome) -> None:
    await harness.link("U1", AUTHCODE)
    harness.rescue.answers[AUTHCODE] = code.value
    rid, _, _ = await lens_submit(harness, TYPED)
    shown = message_text(await harness.slack.response(rid))
    headline, advice = rescue_texts.failure_text(code)
    assert headline in shown and advice.split(" <")[0][:40] in shown
    assert harness.rescue.pin_calls()[0].page == "requestLensPINCode_v4.aspx"


async def test_the_number_is_never_logged_stored_or_posted_unmasked(
    harness: Harness, log_stream: io.StringIO, sqlite_url: str
) -> None:
    sweep.remember(*NUMBER_FORMS, stored=True)  # the suite-wide sweep checks too
    await harness.link("U1", AUTHCODE)
    rid, _, _ = await lens_submit(harness, TYPED, "de")
    message = await harness.slack.response(rid)
    harness.rescue.sms_results[AUTHCODE] = "sendInvitationForMobileSession_ERROR"
    rid2, _, _ = await lens_submit(harness, TYPED, "de")
    await harness.slack.response(rid2)
    _, status, _ = await lens_submit(harness, "+49 30 1234567")  # refused inline
    assert status == 200
    [row, _] = [r for r in await harness.runtime.store.audit_rows() if r.kind == "lens"]
    assert row.sms in ("sent", "not_sent")
    seen = everything_slack_saw(harness.slack)
    logged = log_stream.getvalue()
    # The main file and its -wal/-shm: rows written just now sit in the WAL.
    path = Path(sqlite_url.removeprefix("sqlite:///"))
    database = b"".join(file.read_bytes() for file in path.parent.glob(path.name + "*"))
    assert row.request_id and row.request_id.encode() in database  # the bytes hold the rows
    for form in (*NUMBER_FORMS, "1234567"):
        assert form not in seen, form
        assert form not in logged, form
        assert form.encode() not in database, form
    assert MASKED in message_text(message)
    assert "pin_requested" in logged  # the lines were there to look at


async def test_the_retry_without_console_says_it_will_not_text(harness: Harness) -> None:
    sweep.remember(*NUMBER_FORMS, stored=True)
    await harness.link("U1", AUTHCODE)
    harness.rescue.answers[AUTHCODE] = "NOTECHCONSOLERUNNING"
    rid, _, _ = await lens_submit(harness, TYPED)
    failed = await harness.slack.response(rid)
    assert tr(pin_texts.SMS_NOT_RETRIED) in message_text(failed)
    [retry] = [b for b in buttons(failed) if b["action_id"] == RETRY_ACTION]
    assert E164 not in json.dumps(failed) and "6789" not in retry["value"]
    harness.rescue.answers[AUTHCODE] = ""
    await harness.click(RETRY_ACTION, retry["value"], response_rid="retried")
    shown = message_text(await harness.slack.response("retried"))
    assert "100001" in shown and "\u2022" not in shown
    first, second = harness.rescue.pin_calls()
    assert first.page == "requestLensPINCode_v4.aspx"
    assert second.page == "requestLensPINCode.aspx" and "PhoneNumber" not in second.params
    assert second.params["notechconsole"] == "1"
