"""Every builder, checked against Slack's Block Kit limits (tests/support/blockkit.py, written
from Slack's reference, not from slack_sdk's models that the builders use)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.home import view as home
from bot.home.view import HomeRow
from bot.language import _ as tr
from bot.linking import modal as link_modal
from bot.pins import messages, modals
from bot.pins import texts as pin_texts
from bot.pins.messages import PinDetails
from bot.pins.modals import ModalState
from bot.rescue import texts as rescue_texts
from bot.rescue.client import FIELD_LIMITS, TEXT_FIELDS, Kind, Outcome
from tests.support.blockkit import message_problems, view_problems


def slack_takes_view(view: dict) -> None:
    assert view_problems(view) == []


def slack_takes_message(message: dict) -> None:
    assert message_problems(message) == []


@pytest.mark.parametrize("kind", list(Kind))
def test_pin_modal(kind: Kind) -> None:
    context = ModalState(kind, "https://hooks.slack.com/commands/T/1/abc", "C1")
    view = modals.pin_modal(
        context, TEXT_FIELDS, lambda name: name, {"cfield0": "Jane"}, {"cfield0": "note"}
    )
    slack_takes_view(view)
    inputs = [b for b in view["blocks"] if b["type"] == "input"]
    # Lens by SMS; /rescue-pin only asks the language of the customer's words
    texting = ["PhoneNumber", "LangCode"] if kind is Kind.LENS else ["customer_language"]
    assert [b["block_id"] for b in inputs] == [*TEXT_FIELDS, *texting, "notechconsole"]
    assert all(b["optional"] for b in inputs)
    fields = inputs[: len(TEXT_FIELDS)]
    assert {b["block_id"]: b["element"].get("max_length") for b in fields} == FIELD_LIMITS
    assert inputs[0]["element"]["initial_value"] == "Jane" and inputs[0]["hint"]["text"] == "note"
    assert ModalState.load(view["private_metadata"]) == context
    assert view["title"]["text"] == tr(pin_texts.MODAL_TITLE[kind])


@pytest.mark.parametrize(("lang_code", "shown"), [("de", "de"), ("pt-br", "pt-br"), ("xx", "en")])
def test_lens_modal_preselects_the_sms_language(lang_code: str, shown: str) -> None:
    for region in (None, "DE"):
        view = modals.pin_modal(
            ModalState(Kind.LENS), TEXT_FIELDS, str, lang_code=lang_code, sms_region=region
        )
        slack_takes_view(view)
        inputs = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
        assert inputs["LangCode"]["element"]["initial_option"]["value"] == shown
        assert ("DE" in inputs["PhoneNumber"]["hint"]["text"]) is (region == "DE")


def test_modal_context_survives_garbage() -> None:
    for raw in (None, "", "not json", "[]", '{"k": "nope"}', '{"r": 5}'):
        assert ModalState.load(raw).kind is Kind.RESCUE
    assert ModalState.load('{"r": 5}').response_url is None


def test_long_labels_are_cut_to_slacks_limit() -> None:
    view = modals.pin_modal(ModalState(Kind.RESCUE), ("cfield0",), lambda name: "L" * 3000)
    slack_takes_view(view)


@pytest.mark.parametrize("signin", [True, False])
def test_link_modal(signin: bool) -> None:
    view = link_modal.link_modal(ModalState(Kind.RESCUE, None, None), offer_signin=signin)
    slack_takes_view(view)
    ids = [b["block_id"] for b in view["blocks"] if b["type"] == "input"]
    assert ids == (["authcode", "email", "pwd"] if signin else ["authcode"])
    shown = str(view)
    assert ("replace" in shown) is signin  # the warning before signing in


def test_direct_link_uses_the_api_host() -> None:
    assert messages.direct_link("https://secure.logmeinrescue.com/API/", "012345") == (
        "https://secure.logmeinrescue.com/R?i=2&Code=012345"
    )


@pytest.mark.parametrize("kind", list(Kind))
def test_pin_message(kind: Kind) -> None:
    details = PinDetails(
        kind,
        "012345",
        {"cfield0": "<Jane & co>", "tracking0": "T-1", "cfield2": "secret problem"},
        "https://x/R?i=2&Code=012345",
        no_tech_console=True,
        expires_at=datetime(2026, 1, 1, 12, 30, tzinfo=UTC),
    )
    message = messages.pin_message(details, lambda n: {"cfield0": "Customer"}.get(n, n))
    slack_takes_message(message)
    shown = str(message)
    assert (
        message["blocks"][0]["type"] == "header"
        and "012345" in message["blocks"][0]["text"]["text"]
    )
    assert "&lt;Jane &amp; co&gt;" in shown and "<Jane" not in shown
    assert "secret problem" not in shown  # only the name and ticket are echoed
    assert "12:30" in shown and "<!date^" in shown
    assert ("LogMeIn123.com" in shown) is (kind is Kind.RESCUE)
    assert ("Rescue Lens" in shown) is (kind is Kind.LENS)


def test_pin_message_without_validity_says_pins_expire() -> None:
    message = messages.pin_message(PinDetails(Kind.RESCUE, "111111", {}, "l"), lambda n: n)
    assert "expire" in str(message)


@pytest.mark.parametrize("outcome", list(rescue_texts.FAILURES))
def test_failure_messages(outcome: Outcome) -> None:
    for kind in Kind:
        message = messages.failure_message(kind, outcome, "503")
        slack_takes_message(message)
        assert "{" not in message["text"]


def test_small_messages() -> None:
    small = (messages.help_message(), messages.notice("hi"), messages.not_linked_message("U1"))
    for message in small:
        slack_takes_message(message)
        assert message["response_type"] == "ephemeral"


def test_every_failure_outcome_has_a_distinct_sentence() -> None:
    failing = [o for o in Outcome if o not in (Outcome.OK, Outcome.NOT_LINKED, Outcome.BUSY)]
    assert set(failing) == set(rescue_texts.FAILURES)
    headlines = [f.headline for f in rescue_texts.FAILURES.values()]
    assert len(set(headlines)) == len(headlines)
    for failure in rescue_texts.FAILURES.values():
        assert failure.headline.endswith(".") and failure.advice.endswith(".")


def test_a_team_leads_home_with_every_row_fits() -> None:
    now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    row = HomeRow(now, "U1", Kind.RESCUE, "OK", "012345", "<Jane> " * 500, "T-1", now)
    many = [row] * 80
    view = home.home_view(True, many, many, now)
    slack_takes_view(view)
    assert view["type"] == "home"
