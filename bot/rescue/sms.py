"""Texting a Lens PIN: the customer's number, the SMS language, Rescue's SMS_RESULT line.

Pure functions, no I/O. A phone number is personal data: the only forms that leave this
module are E.164 (for the one Rescue call) and the masked form (for people and logs).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

# requestLensPINCode_v4's LangCode values, in the order the select shows them.
LANG_CODES: tuple[str, ...] = ("de", "en", "es", "fr", "nl", "pt-br")
DEFAULT_LANG_CODE = "en"
# What an agent may type: digits and the usual separators. Letters (vanity numbers) are
# refused rather than converted, so what Rescue texts is what the agent read out.
PHONE_MAX_LENGTH = 32
_PHONE_CHARS = re.compile(r"\A[0-9+()./\- \u00a0]+\Z")
MASK = "\u2022\u2022\u2022 \u2022\u2022\u2022"  # "••• •••"

# phonenumbers (about 1 MB of memory and 30 ms at import) is imported by the first number
# checked, not at start: most processes never text one.


@cache
def _not_textable() -> frozenset[int]:
    """Numbers that certainly cannot take a text. FIXED_LINE_OR_MOBILE and UNKNOWN pass: many
    countries cannot tell the two apart, and refusing a real mobile is worse than Rescue's
    own SMS_RESULT saying the text did not go out."""
    from phonenumbers import PhoneNumberType

    return frozenset(
        {
            PhoneNumberType.FIXED_LINE,
            PhoneNumberType.TOLL_FREE,
            PhoneNumberType.PREMIUM_RATE,
            PhoneNumberType.SHARED_COST,
            PhoneNumberType.UAN,
            PhoneNumberType.VOICEMAIL,
            PhoneNumberType.PAGER,
        }
    )


class PhoneProblem(StrEnum):
    """Why a typed number is refused; texts.py words each one for the modal."""

    TOO_LONG = "too_long"
    NOT_A_NUMBER = "not_a_number"
    NEEDS_COUNTRY = "needs_country"  # national form and no SMS_DEFAULT_REGION
    INVALID = "invalid"
    NOT_MOBILE = "not_mobile"


@dataclass(frozen=True)
class Phone:
    """A checked number. repr and str show only the masked form."""

    e164: str
    masked: str

    def __repr__(self) -> str:
        return f"Phone({self.masked!r})"

    def __str__(self) -> str:
        return self.masked


@dataclass(frozen=True)
class PhoneCheck:
    phone: Phone | None = None
    problem: PhoneProblem | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def check_phone(text: str | None, default_region: str | None) -> PhoneCheck:
    """The agent's typed number as E.164, or why not. Blank is fine: no text is sent.

    A number in international form (`+…`) is accepted whenever it is valid; a national
    one only when a default region (SMS_DEFAULT_REGION, e.g. `DE`) is set.
    """
    raw = (text or "").strip()
    if not raw:
        return PhoneCheck()
    if len(raw) > PHONE_MAX_LENGTH:
        return PhoneCheck(problem=PhoneProblem.TOO_LONG)
    if not _PHONE_CHARS.match(raw) or not any(c.isdigit() for c in raw):
        return PhoneCheck(problem=PhoneProblem.NOT_A_NUMBER)
    international = raw.startswith("+")
    if not international and not default_region:
        return PhoneCheck(problem=PhoneProblem.NEEDS_COUNTRY)
    import phonenumbers
    from phonenumbers import NumberParseException, PhoneNumberFormat

    try:
        number = phonenumbers.parse(raw, None if international else default_region)
    except NumberParseException:
        return PhoneCheck(problem=PhoneProblem.NOT_A_NUMBER)
    if not phonenumbers.is_valid_number(number):
        return PhoneCheck(problem=PhoneProblem.INVALID)
    if phonenumbers.number_type(number) in _not_textable():
        return PhoneCheck(problem=PhoneProblem.NOT_MOBILE)
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    return PhoneCheck(phone=Phone(e164=e164, masked=mask(e164)))


def mask(e164: str) -> str:
    """`+4915123456789` → `+49 ••• ••• 89`: the country and the last two digits only.

    The middle is always the same width, so the mask does not give the length away.
    """
    digits = e164.lstrip("+")
    if not digits.isdigit() or len(digits) < 6:
        return f"+{MASK}"
    import phonenumbers
    from phonenumbers import NumberParseException

    try:
        country = str(phonenumbers.parse(e164, None).country_code)
    except NumberParseException:
        country = ""
    head = f"+{country} " if country else "+"
    return f"{head}{MASK} {digits[-2:]}"


def lang_code_for_locale(locale: str | None) -> str:
    """Slack's user locale (`de-DE`, `pt-BR`, `es-LA`, …) as an SMS language, else `en`.

    Portuguese of any region maps to `pt-br`, Rescue's only Portuguese.
    """
    if not locale:
        return DEFAULT_LANG_CODE
    language = re.split(r"[-_]", locale.strip().lower(), maxsplit=1)[0]
    if language == "pt":
        return "pt-br"
    return language if language in LANG_CODES else DEFAULT_LANG_CODE


def valid_lang_code(value: str | None) -> str:
    """A LangCode from the modal's select; anything else (a forged payload) is `en`."""
    return value if value in LANG_CODES else DEFAULT_LANG_CODE


# --- Rescue's second line --------------------------------------------------------------

_SMS_LINE = re.compile(r"^[ \t]*SMS_RESULT:[ \t]*(\S*)[ \t]*\r?$", re.MULTILINE)


class SmsOutcome(StrEnum):
    SENT = "sent"
    NOT_SENT = "not_sent"  # Rescue said so: the PIN exists, the text did not go out
    NO_RESULT = "no_result"  # no SMS_RESULT line at all: nobody confirmed the text


@dataclass(frozen=True)
class SmsResult:
    outcome: SmsOutcome
    detail: str | None = None  # Rescue's token, cut to safe characters; loggable

    @property
    def sent(self) -> bool:
        return self.outcome is SmsOutcome.SENT


def split_sms_result(body: str) -> tuple[str, SmsResult]:
    """Rescue's v4 answer as (the answer without its SMS_RESULT line, what became of the text).

    `OK PINCODE:123456` + `SMS_RESULT: sendInvitationForMobileSession_OK`: the first part
    is read like any PIN answer; only a result ending in `_OK` means the text went out.
    """
    match = _SMS_LINE.search(body)
    if match is None:
        return body, SmsResult(SmsOutcome.NO_RESULT)
    token = match.group(1)
    rest = body[: match.start()] + body[match.end() :]
    detail = re.sub(r"[^A-Za-z0-9_]", "", token)[:60] or None
    if token.endswith("_OK"):
        return rest, SmsResult(SmsOutcome.SENT, detail)
    return rest, SmsResult(SmsOutcome.NOT_SENT, detail)
