"""Lens SMS: numbers to E.164, the mask, LangCode from a locale, Rescue's SMS_RESULT line."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.config import Settings, SettingsError, load_settings
from bot.rescue.client import Kind, Outcome, SessionRequest, parse_sms_answer
from bot.rescue.sms import (
    LANG_CODES,
    PHONE_MAX_LENGTH,
    PhoneProblem,
    SmsOutcome,
    check_phone,
    lang_code_for_locale,
    mask,
    split_sms_result,
    valid_lang_code,
)


@pytest.mark.parametrize(
    ("typed", "region", "e164"),
    [
        ("+49 151 23456789", None, "+4915123456789"),
        ("+49 (0)151-234 567 89", None, "+4915123456789"),
        ("0151 23456789", "DE", "+4915123456789"),
        ("+49 151 23456789", "US", "+4915123456789"),  # + wins over the region
        ("+1 202 555 0143", None, "+12025550143"),  # US: fixed or mobile, cannot tell
        ("06 12 34 56 78", "FR", "+33612345678"),
        ("  +31 6 12345678  ", None, "+31612345678"),
    ],
)
def test_valid_numbers_become_e164(typed: str, region: str | None, e164: str) -> None:
    check = check_phone(typed, region)
    assert check.ok and check.phone is not None
    assert check.phone.e164 == e164


@pytest.mark.parametrize("typed", [None, "", "   "])
def test_blank_is_no_number_and_no_problem(typed: str | None) -> None:
    check = check_phone(typed, "DE")
    assert check.ok and check.phone is None


@pytest.mark.parametrize(
    ("typed", "region", "problem"),
    [
        ("0151 23456789", None, PhoneProblem.NEEDS_COUNTRY),
        ("call me", "DE", PhoneProblem.NOT_A_NUMBER),
        ("1-800-FLOWERS", "US", PhoneProblem.NOT_A_NUMBER),
        ("+", None, PhoneProblem.NOT_A_NUMBER),
        ("+49 12", None, PhoneProblem.INVALID),
        ("+44 7700 900123", None, PhoneProblem.INVALID),  # Ofcom's range for drama
        ("+999 1234567", None, PhoneProblem.NOT_A_NUMBER),  # no such country code
        ("030 1234567", "DE", PhoneProblem.NOT_MOBILE),  # a Berlin landline
        ("+49 800 1234567", None, PhoneProblem.NOT_MOBILE),  # toll free
        ("+" + "1" * PHONE_MAX_LENGTH, None, PhoneProblem.TOO_LONG),
    ],
)
def test_impossible_numbers_are_named(
    typed: str, region: str | None, problem: PhoneProblem
) -> None:
    check = check_phone(typed, region)
    assert not check.ok and check.phone is None
    assert check.problem is problem


def test_the_mask_keeps_country_and_last_two_digits() -> None:
    assert mask("+4915123456789") == "+49 \u2022\u2022\u2022 \u2022\u2022\u2022 89"
    assert mask("+12025550143") == "+1 \u2022\u2022\u2022 \u2022\u2022\u2022 43"
    assert mask("+31612345678") == "+31 \u2022\u2022\u2022 \u2022\u2022\u2022 78"
    assert mask("garbage") == "+\u2022\u2022\u2022 \u2022\u2022\u2022"


def test_a_phone_shows_only_its_mask() -> None:
    check = check_phone("+49 151 23456789", None)
    assert check.phone is not None
    assert "23456789" not in repr(check.phone) and "23456789" not in str(check.phone)
    assert "23456789" not in repr(check)
    assert str(check.phone) == check.phone.masked


@given(st.from_regex(r"\+49 1[5-7][0-9] [0-9]{7,8}", fullmatch=True))
def test_the_mask_never_holds_more_than_two_local_digits(typed: str) -> None:
    check = check_phone(typed, None)
    if check.phone is None:
        return
    digits = [c for c in check.phone.masked if c.isdigit()]
    assert len(digits) == 4  # "49" and the last two
    assert check.phone.e164[3:-2] not in check.phone.masked


@pytest.mark.parametrize(
    ("locale", "code"),
    [
        ("de-DE", "de"),
        ("en-US", "en"),
        ("en-GB", "en"),
        ("es-ES", "es"),
        ("es-LA", "es"),
        ("fr-FR", "fr"),
        ("fr-CA", "fr"),
        ("nl-NL", "nl"),
        ("pt-BR", "pt-br"),
        ("pt-PT", "pt-br"),
        ("ja-JP", "en"),
        ("it-IT", "en"),
        ("", "en"),
        (None, "en"),
        ("DE_de", "de"),
    ],
)
def test_lang_code_from_slack_locale(locale: str | None, code: str) -> None:
    assert lang_code_for_locale(locale) == code
    assert code in LANG_CODES


def test_only_known_lang_codes_pass() -> None:
    for code in LANG_CODES:
        assert valid_lang_code(code) == code
    assert valid_lang_code("xx") == "en"
    assert valid_lang_code(None) == "en"


@pytest.mark.parametrize(
    "body",
    [
        "OK PINCODE:123456\r\nSMS_RESULT: sendInvitationForMobileSession_OK",
        "OK PINCODE:123456\nSMS_RESULT:sendInvitationForMobileSession_OK\r\n",
        "OK\r\nPINCODE:123456\r\nSMS_RESULT: sendInvitationForMobileSession_OK  \r\n",
    ],
)
def test_sms_sent(body: str) -> None:
    rest, sms = split_sms_result(body)
    assert sms.outcome is SmsOutcome.SENT and sms.sent
    assert sms.detail == "sendInvitationForMobileSession_OK"
    assert "SMS_RESULT" not in rest and "123456" in rest


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ("OK PINCODE:123456\r\nSMS_RESULT: sendInvitationForMobileSession_ERROR", None),
        ("OK PINCODE:123456\r\nSMS_RESULT: INVALID_PHONE_NUMBER", "INVALID_PHONE_NUMBER"),
        ("OK PINCODE:123456\r\nSMS_RESULT: ", None),
        ("OK PINCODE:123456\r\nSMS_RESULT: <b>x</b>", None),
    ],
)
def test_sms_not_sent(body: str, detail: str | None) -> None:
    rest, sms = split_sms_result(body)
    assert sms.outcome is SmsOutcome.NOT_SENT and not sms.sent
    if detail is not None:
        assert sms.detail == detail
    assert sms.detail is None or sms.detail.replace("_", "").isalnum()
    assert rest.strip() == "OK PINCODE:123456"


def test_no_sms_line_is_not_a_sent_text() -> None:
    rest, sms = split_sms_result("OK PINCODE:123456")
    assert sms.outcome is SmsOutcome.NO_RESULT and not sms.sent
    assert rest == "OK PINCODE:123456"


def test_an_error_answer_passes_through() -> None:
    rest, sms = split_sms_result("NO_ACCESS_TO_LENS")
    assert rest == "NO_ACCESS_TO_LENS" and not sms.sent


def test_v4_answer_keeps_the_pin_and_the_news() -> None:
    sent = parse_sms_answer(
        "OK PINCODE:012345\r\nSMS_RESULT: sendInvitationForMobileSession_OK\r\n"
    )
    assert sent.outcome is Outcome.OK and sent.pin == "012345"
    assert sent.sms is not None and sent.sms.sent
    failed = parse_sms_answer("OK PINCODE:012345\r\nSMS_RESULT: sendInvitation_FAILED")
    assert failed.ok and failed.pin == "012345"
    assert failed.sms is not None and failed.sms.outcome is SmsOutcome.NOT_SENT
    for code in ("NO_ACCESS_TO_LENS", "POLLRATEEXCEEDED", "INVALID_SECRETAUTHCODE"):
        result = parse_sms_answer(code)
        assert result.outcome is Outcome(code) and result.sms is None
    assert parse_sms_answer("OK PINCODE:12\r\nSMS_RESULT: x_OK").outcome is Outcome.NO_PIN


def test_only_a_lens_request_with_a_number_texts() -> None:
    check = check_phone("+49 151 23456789", None)
    assert check.phone is not None
    lens = SessionRequest(Kind.LENS, {"cfield0": "Ann"}, phone=check.phone, lang_code="de")
    assert lens.page == "requestLensPINCode_v4.aspx"
    assert lens.form("code") == {
        "cfield0": "Ann",
        "notechconsole": "0",
        "PhoneNumber": "+4915123456789",
        "LangCode": "de",
        "authcode": "code",
    }
    assert "23456789" not in repr(lens)
    plain = SessionRequest(Kind.LENS, {"cfield0": "Ann"})
    assert plain.page == "requestLensPINCode.aspx"
    assert plain.form("code") == {"cfield0": "Ann", "notechconsole": "0", "authcode": "code"}
    rescue = SessionRequest(Kind.RESCUE, {}, phone=check.phone)
    assert rescue.page == "requestPINCode.aspx" and "PhoneNumber" not in rescue.form("c")


def test_sms_default_region_setting() -> None:
    region = Settings(_env_file=None, sms_default_region=" de ")  # type: ignore[call-arg]
    assert region.sms_default_region == "DE"
    assert Settings(_env_file=None).sms_default_region is None  # type: ignore[call-arg]
    with pytest.raises(SettingsError) as error:
        load_settings("store", sms_default_region="Germany")
    assert any("SMS_DEFAULT_REGION" in line for line in error.value.problems)


def test_log_lines_lose_execution_tokens_and_numbers() -> None:
    from bot.logs import scrub

    line = "token=xwfp-1-abc-DEF to +4915123456789, at 2026-12-01T19:56:41+0000, PIN 012345"
    scrubbed = scrub(line)
    assert "xwfp-1" not in scrubbed and "4915123456789" not in scrubbed
    assert "2026-12-01T19:56:41+0000" in scrubbed and "012345" in scrubbed
