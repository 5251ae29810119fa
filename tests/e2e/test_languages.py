"""Each agent reads the app in their Slack locale's language; the customer's words in the
customer's. The expected sentences are read from the catalogs at test time: a test here is
red while its language's translations are missing."""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest
from babel.messages.pofile import read_po

from bot.language.catalogs import catalog_path
from bot.pins import texts as pin_texts
from bot.rescue import texts as rescue_texts
from bot.rescue.client import Kind, Outcome
from tests.support.fakes import FakeRescue, FakeSlack
from tests.support.harness import Harness, open_and_submit, open_home, published, running_app
from tests.support.reading import input_blocks, message_text
from tests.support.slack_faults import SlackFault
from tests.support.slack_payloads import state_values

AUTHCODE = "AUTHc0de-languages-2424"
AGENTS = [("de-DE", "de"), ("ja-JP", "ja"), ("es-LA", "es")]


@cache
def _catalog(language: str) -> Any:
    with catalog_path(language).open("rb") as po:
        return read_po(po, locale=language)


def translated(language: str, msgid: str, **values: object) -> str:
    """The catalog's translation of `msgid` (placeholders filled): the test's expectation."""
    message = _catalog(language).get(msgid)
    assert message is not None, f"{msgid!r} is not in the {language} catalog"
    assert message.string and not message.fuzzy, f"{language}: {msgid!r} is not translated yet"
    return str(message.string) % values if values else str(message.string)


def locale_asked(h: Harness) -> list[Any]:
    return [c for c in h.slack.calls_to("users.info") if c.params.get("include_locale")]


@pytest.mark.parametrize(("locale", "language"), AGENTS)
async def test_the_modal_pin_failure_and_home_are_in_the_agents_language(
    harness: Harness, locale: str, language: str
) -> None:
    await harness.link("U1", AUTHCODE)
    harness.slack.locales["U1"] = locale
    harness.rescue.answers[AUTHCODE] = "OK PINCODE:246810"
    _, _, rid = await harness.command("Jane")
    await harness.opened_view()  # at once, before Slack said the locale
    [update] = await harness.slack.wait_for(lambda: harness.slack.calls_to("views.update"))
    modal = update.params["view"]
    assert modal["title"]["text"] == translated(language, pin_texts.MODAL_TITLE[Kind.RESCUE])
    assert modal["submit"]["text"] == translated(language, pin_texts.MODAL_SUBMIT)
    picker = input_blocks(modal)["customer_language"]["element"]
    assert picker["initial_option"]["value"] == language  # the customer's: the agent's own

    values = state_values({"cfield0": "Jane"}, customer_language=language)
    await harness.submit(modal, {}, values=values)
    shown = message_text(await harness.slack.response(rid))
    assert translated(language, pin_texts.READ_TO_CUSTOMER) in shown
    words = pin_texts.CUSTOMER_WORDS[Kind.RESCUE]
    assert translated(language, words, pin="246810") in shown
    assert translated(language, pin_texts.ONLY_YOU) in shown
    assert "\n*Read this to the customer:*" not in shown  # no English left

    harness.rescue.answers[AUTHCODE] = "OUTOFPINCODES"
    _, failure = await open_and_submit(harness, {"cfield0": "Jane"})
    headline = rescue_texts.FAILURES[Outcome.OUTOFPINCODES].headline
    assert translated(language, headline) in message_text(failure)
    assert translated(language, pin_texts.HEADLINE_FAILED[Kind.RESCUE]) in message_text(failure)

    await open_home(harness, "U1")
    home = message_text(await published(harness, "U1"))
    assert translated(language, "Your recent PIN requests") in home
    # The locale was asked once for the PIN requests (App Home refreshes it: a second time).
    assert len(locale_asked(harness)) == 2


async def test_a_known_locale_asks_slack_nothing_and_opens_in_the_language_at_once(
    harness: Harness,
) -> None:
    await harness.link("U1", AUTHCODE)
    harness.slack.locales["U1"] = "ja-JP"
    await open_and_submit(harness, {"cfield0": "Jane"})
    asked = len(locale_asked(harness))
    await harness.command("Jane")
    view = await harness.opened_view()
    assert view["title"]["text"] == translated("ja", pin_texts.MODAL_TITLE[Kind.RESCUE])
    assert len(locale_asked(harness)) == asked == 1


async def test_an_unsupported_locale_reads_the_default_language(
    fake_slack: FakeSlack, fake_rescue: FakeRescue, sqlite_url: str
) -> None:
    async with running_app(fake_slack, fake_rescue, sqlite_url, default_language="fr") as h:
        await h.link("U1", AUTHCODE)
        h.slack.locales["U1"] = "zh-CN"
        h.rescue.answers[AUTHCODE] = "OK PINCODE:135790"
        _, message = await open_and_submit(h, {"cfield0": "Jane"})
        opened = h.slack.calls_to("views.open")[0].params["view"]
        assert opened["title"]["text"] == translated("fr", pin_texts.MODAL_TITLE[Kind.RESCUE])
        assert translated("fr", pin_texts.READ_TO_CUSTOMER) in message_text(message)
        assert locale_asked(h)  # Slack said zh-CN: the app speaks no Chinese, so French


@pytest.mark.parametrize("fault", ["fails", "hangs"])
async def test_a_users_info_that_fails_or_hangs_still_opens_the_modal_at_once(
    harness: Harness, fault: str
) -> None:
    await harness.link("U1", AUTHCODE)
    harness.slack.locales["U1"] = "de-DE"
    if fault == "fails":
        harness.slack.script("users.info", SlackFault.slack_error("fatal_error", times=5))
    else:
        harness.slack.script("users.info", SlackFault.hang(60))
    status, body, _ = await harness.command("Jane")
    assert (status, body) == (200, "")
    view = await harness.opened_view()
    assert view["title"]["text"] == "Rescue session PIN"  # DEFAULT_LANGUAGE: en
    [asked] = await harness.slack.wait_for(lambda: locale_asked(harness))
    # Slack was asked only once the modal was open: the trigger's 3 s were never at stake.
    calls = harness.slack.calls
    assert calls.index(harness.slack.calls_to("views.open")[0]) < calls.index(asked)


async def test_the_customers_language_changes_only_the_customers_words(
    harness: Harness,
) -> None:
    await harness.link("U1", AUTHCODE)
    harness.runtime.locales.remember("U1", "de-DE")
    harness.rescue.answers[AUTHCODE] = "OK PINCODE:112233"
    _, _, rid = await harness.command("Jane")
    view = await harness.opened_view()
    await harness.submit(view, {}, values=state_values({"cfield0": "Jane"}, customer_language="ja"))
    shown = message_text(await harness.slack.response(rid))
    assert translated("de", pin_texts.READ_TO_CUSTOMER) in shown  # the agent's
    assert translated("de", pin_texts.ONLY_YOU) in shown
    words = translated("ja", pin_texts.CUSTOMER_WORDS[Kind.RESCUE], pin="112233")
    assert words in shown  # the customer's
    link = "https://127.0.0.1"  # the join link's words, in Japanese too
    assert translated("ja", pin_texts.DIRECT_LINK, link=link).split(link)[0] in shown
    assert translated("de", pin_texts.CUSTOMER_WORDS[Kind.RESCUE], pin="112233") not in shown


async def test_lens_langcode_is_the_customers_language_for_the_text_and_the_words(
    harness: Harness,
) -> None:
    await harness.link("U1", AUTHCODE)
    harness.runtime.locales.remember("U1", "de-DE")
    harness.rescue.answers[AUTHCODE] = "OK PINCODE:445566"  # the fake adds SMS_RESULT
    _, _, rid = await harness.command("Ann", command="/lens-pin")
    view = await harness.opened_view()
    lang = input_blocks(view)["LangCode"]["element"]["initial_option"]["value"]
    assert lang == "de"  # preselected from the agent's locale
    values: dict[str, Any] = state_values({"cfield0": "Ann"}, customer_language=None)
    values["PhoneNumber"] = {"value": {"type": "plain_text_input", "value": "+49 151 2345 6789"}}
    values["LangCode"] = {"value": {"type": "static_select", "selected_option": {"value": "fr"}}}
    await harness.submit(view, {}, values=values)
    shown = message_text(await harness.slack.response(rid))
    [call] = harness.rescue.pin_calls()
    assert call.params["LangCode"] == "fr"
    assert translated("fr", pin_texts.CUSTOMER_WORDS[Kind.LENS], pin="445566") in shown
    assert translated("de", pin_texts.READ_TO_CUSTOMER) in shown
