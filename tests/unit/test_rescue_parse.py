"""Rescue's answers, parsed: pure, no mocks."""

import pytest

from bot.rescue.client import (
    AuthOutcome,
    Kind,
    Outcome,
    SessionRequest,
    parse_authcode_answer,
    parse_pin_answer,
)


@pytest.mark.parametrize(
    "body",
    [
        "OK PINCODE:123456",
        "OK\r\nPINCODE:123456",
        "OK\nPINCODE:123456",
        "OK PINCODE:123456  \r\n",
        "  OK PINCODE:123456\t",
    ],
)
def test_success_variants(body: str) -> None:
    assert parse_pin_answer(body).pin == "123456"
    assert parse_pin_answer(body).outcome is Outcome.OK


def test_a_pin_keeps_its_leading_zero() -> None:
    assert parse_pin_answer("OK\r\nPINCODE:012345").pin == "012345"


@pytest.mark.parametrize(
    "body",
    [
        "OK",
        "OK PINCODE:",
        "OK PINCODE:12345",
        "OK PINCODE:1234567",
        "OK PINCODE:12a456",
        "OK PINCODE:123456 extra",
        "OK AUTHCODE:123456",
    ],
)
def test_ok_without_a_valid_pin(body: str) -> None:
    result = parse_pin_answer(body)
    assert result.outcome is Outcome.NO_PIN and result.pin is None


@pytest.mark.parametrize("code", [o for o in Outcome if o.value.isupper() and o is not Outcome.OK])
def test_every_code_is_recognised(code: Outcome) -> None:
    kind = Kind.LENS if code is Outcome.NO_ACCESS_TO_LENS else Kind.RESCUE
    assert parse_pin_answer(code.value, kind).outcome is code
    assert parse_pin_answer(code.value + "\r\n", kind).outcome is code


def test_lens_only_code_from_the_rescue_page_is_unknown() -> None:
    assert parse_pin_answer("NO_ACCESS_TO_LENS", Kind.RESCUE).outcome is Outcome.UNKNOWN_CODE


@pytest.mark.parametrize(
    ("body", "outcome"),
    [
        ("", Outcome.EMPTY_ANSWER),
        ("  \r\n", Outcome.EMPTY_ANSWER),
        ("<html><body>down</body></html>", Outcome.HTML_ANSWER),
        ("<!DOCTYPE html>", Outcome.HTML_ANSWER),
        ("Error <html>", Outcome.HTML_ANSWER),
        ("SOMETHING_NEW", Outcome.UNKNOWN_CODE),
        ("ok PINCODE:123456", Outcome.UNKNOWN_CODE),
        ("OKPINCODE:123456", Outcome.UNKNOWN_CODE),
        ("not_linked", Outcome.UNKNOWN_CODE),  # our own outcome names are not Rescue's
        ("timeout", Outcome.UNKNOWN_CODE),
    ],
)
def test_failures(body: str, outcome: Outcome) -> None:
    assert parse_pin_answer(body).outcome is outcome


def test_unknown_code_detail_is_printable_and_short() -> None:
    result = parse_pin_answer("WEIRD<script>" + "A" * 100)
    assert result.outcome is Outcome.UNKNOWN_CODE
    assert result.detail is not None and len(result.detail) <= 40 and "<" not in result.detail


def test_form_carries_only_typed_fields_and_the_console_flag() -> None:
    request = SessionRequest(Kind.RESCUE, {"cfield0": "Jane", "cfield1": ""}, no_tech_console=True)
    assert request.form("abc") == {"cfield0": "Jane", "notechconsole": "1", "authcode": "abc"}


@pytest.mark.parametrize(
    ("body", "outcome", "code"),
    [
        ("OK AUTHCODE:abc123XYZ", AuthOutcome.OK, "abc123XYZ"),
        ("OK\r\nAUTHCODE:abc123XYZ\r\n", AuthOutcome.OK, "abc123XYZ"),
        ("INVALID", AuthOutcome.INVALID, None),
        ("ERROR", AuthOutcome.ERROR, None),
        ("INVALIDPARAM_COMPANY", AuthOutcome.INVALIDPARAM_COMPANY, None),
        ("OK", AuthOutcome.UNREADABLE, None),
        ("", AuthOutcome.UNREADABLE, None),
        ("<html>", AuthOutcome.UNREADABLE, None),
    ],
)
def test_authcode_answers(body: str, outcome: AuthOutcome, code: str | None) -> None:
    result = parse_authcode_answer(body)
    assert (result.outcome, result.authcode) == (outcome, code)
    assert "abc123XYZ" not in repr(result)
