"""Reading and validating what people typed: pure, no mocks."""

from bot.language import _ as tr
from bot.linking import modal as link_modal
from bot.linking import texts as link_texts
from bot.pins import modals
from bot.pins import texts as pin_texts
from bot.pins.prefill import command_prefill
from bot.rescue.client import FIELD_LIMITS
from tests.support.slack_payloads import state_values


def test_reads_fields_exactly_and_drops_empty_ones() -> None:
    values = state_values(
        {"cfield0": " Jane\n", "cfield1": "", "tracking0": "a&b=c#d"}, no_console=True
    )
    fields, no_console = modals.read_pin_form(values)
    assert fields == {"cfield0": " Jane\n", "tracking0": "a&b=c#d"}
    assert no_console is True


def test_missing_or_odd_state_reads_as_empty() -> None:
    assert modals.read_pin_form({}) == ({}, False)
    assert modals.read_pin_form(
        {"cfield0": "x", "notechconsole": {"value": {"selected_options": "1"}}}
    ) == ({}, False)
    assert modals.read_pin_form({"cfield0": {"value": {"value": 5}}}) == ({}, False)


def test_every_limit_is_checked_in_characters_not_bytes() -> None:
    for name, limit in FIELD_LIMITS.items():
        assert modals.field_errors({name: "é" * limit}) == {}
        errors = modals.field_errors({name: "é" * (limit + 1)})
        assert errors == {name: pin_texts.too_long(limit, limit + 1)}


def test_half_an_emoji_is_an_inline_error_not_a_crash() -> None:
    broken = "Ann \ud83d Doe"  # a lone surrogate: JSON carries it, UTF-8 cannot
    assert modals.field_errors({"cfield0": broken, "cfield1": "Ann 🙂 Doe"}) == {
        "cfield0": tr(pin_texts.UNSENDABLE)
    }


def test_errors_only_name_fields_the_modal_shows_when_it_can() -> None:
    errors = modals.field_errors({"cfield0": "x" * 70, "cfield4": "y" * 70}, shown=("cfield0",))
    assert list(errors) == ["cfield0"]


def test_command_prefill_is_cut_with_a_note() -> None:
    assert command_prefill("  Jane Doe ") == ({"cfield0": "Jane Doe"}, {})
    assert command_prefill("") == ({}, {})
    prefill, notes = command_prefill("n" * 80)
    assert prefill == {"cfield0": "n" * 64} and "64" in notes["cfield0"]


def test_link_form_rules() -> None:
    assert link_modal.link_errors("abcdEFGH1234", "", "") == {}
    assert link_modal.link_errors("", "", "") == {"authcode": tr(link_texts.LINK_EMPTY)}
    assert link_modal.link_errors("has space in it", "", "") == {
        "authcode": tr(link_texts.LINK_MALFORMED)
    }
    assert link_modal.link_errors("short", "", "") == {"authcode": tr(link_texts.LINK_MALFORMED)}
    assert link_modal.link_errors("abcdEFGH1234", "a@b.c", "pw") == {
        "authcode": tr(link_texts.LINK_BOTH)
    }
    assert link_modal.link_errors("", "a@b.c", "") == {"pwd": tr(link_texts.LINK_PWD_MISSING)}
    assert link_modal.link_errors("", "", "pw") == {"email": tr(link_texts.LINK_EMAIL_MISSING)}
    assert link_modal.link_errors("", "a@b.c", "pw") == {}
