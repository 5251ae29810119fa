"""The LogMeIn Rescue PIN-code API: session kinds, fields, answers, and an async client.

Everything is POSTed form-encoded so the authcode never sits in a URL.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from urllib.parse import urlencode

import aiohttp

from bot.metrics import RESCUE_SECONDS
from bot.rescue.sms import DEFAULT_LANG_CODE, Phone, SmsResult, split_sms_result

_FORM = {"Content-Type": "application/x-www-form-urlencoded"}


class Kind(StrEnum):
    RESCUE = "rescue"
    LENS = "lens"

    @property
    def page(self) -> str:
        return "requestPINCode.aspx" if self is Kind.RESCUE else "requestLensPINCode.aspx"


# Lens with a number: Rescue texts the customer the invitation itself.
LENS_SMS_PAGE = "requestLensPINCode_v4.aspx"


# The API's own limits, in characters.
FIELD_LIMITS: dict[str, int] = {
    "cfield0": 64,
    "cfield1": 512,
    "cfield2": 512,
    "cfield3": 256,
    "cfield4": 64,
    "cfield5": 64,
    "tracking0": 64,
}
TEXT_FIELDS: tuple[str, ...] = tuple(FIELD_LIMITS)


class Outcome(StrEnum):
    """Rescue's return values, then every way the call can fail on our side."""

    OK = "OK"
    ERROR = "ERROR"
    NOTLOGGEDIN = "NOTLOGGEDIN"
    NOTTECHNICIAN = "NOTTECHNICIAN"
    NOTECHCONSOLERUNNING = "NOTECHCONSOLERUNNING"
    OUTOFPINCODES = "OUTOFPINCODES"
    POLLRATEEXCEEDED = "POLLRATEEXCEEDED"
    INVALID_SECRETAUTHCODE = "INVALID_SECRETAUTHCODE"
    USER_IS_DELETED = "USER_IS_DELETED"
    USER_DELETED_OR_DISABLED = "USER_DELETED_OR_DISABLED"
    NO_ACCESS_TO_LENS = "NO_ACCESS_TO_LENS"
    # Not Rescue's words: failures of the call itself.
    HTTP_ERROR = "http_error"
    EMPTY_ANSWER = "empty_answer"
    HTML_ANSWER = "html_answer"
    NO_PIN = "no_pin"
    UNKNOWN_CODE = "unknown_code"
    CONNECTION_ERROR = "connection_error"
    TIMEOUT = "timeout"
    # Not a call at all.
    NOT_LINKED = "not_linked"
    BUSY = "busy"
    DATABASE_UNAVAILABLE = "database_unavailable"


RESCUE_CODES = frozenset(o for o in Outcome if o.value.isupper())
LENS_ONLY_CODES = frozenset({Outcome.NO_ACCESS_TO_LENS})
AUTHCODE_PROBLEMS = frozenset(
    {Outcome.INVALID_SECRETAUTHCODE, Outcome.USER_IS_DELETED, Outcome.USER_DELETED_OR_DISABLED}
)

_PIN_ANSWER = re.compile(r"\AOK\s+PINCODE:(\S*)\s*\Z")
_AUTHCODE_ANSWER = re.compile(r"\AOK\s+AUTHCODE:(\S+)\s*\Z")
_PIN = re.compile(r"\A[0-9]{6}\Z")


@dataclass(frozen=True)
class PinResult:
    outcome: Outcome
    pin: str | None = None
    # Safe to show and log: an HTTP status, or an unknown code cut short. Never the body.
    detail: str | None = None
    # Lens by SMS: what became of the text (only with a PIN; None when none was asked for).
    sms: SmsResult | None = None

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.OK


@dataclass(frozen=True)
class SessionRequest:
    kind: Kind
    fields: Mapping[str, str]  # only the text fields typed; empty ones left out
    no_tech_console: bool = False
    # Lens only: the customer's number (shown masked by repr) and the text's language.
    phone: Phone | None = None
    lang_code: str = DEFAULT_LANG_CODE
    # The language of the customer's words in the PIN message (never sent to Rescue):
    # None is the agent's own.
    customer_language: str | None = None

    @property
    def texts(self) -> bool:
        return self.kind is Kind.LENS and self.phone is not None

    @property
    def page(self) -> str:
        """Without a number, exactly the page it always was."""
        return LENS_SMS_PAGE if self.texts else self.kind.page

    def form(self, authcode: str) -> dict[str, str]:
        form = {name: value for name, value in self.fields.items() if value}
        form["notechconsole"] = "1" if self.no_tech_console else "0"
        if self.texts and self.phone is not None:
            form["PhoneNumber"] = self.phone.e164
            form["LangCode"] = self.lang_code
        form["authcode"] = authcode
        return form


def parse_pin_answer(body: str, kind: Kind = Kind.RESCUE) -> PinResult:
    """Rescue's plain-text answer to a PIN request, as an outcome."""
    text = body.strip()
    if not text:
        return PinResult(Outcome.EMPTY_ANSWER)
    if text.startswith("<") or "<html" in text[:200].lower():
        return PinResult(Outcome.HTML_ANSWER)
    first = text.split(None, 1)[0]
    if first == "OK":
        match = _PIN_ANSWER.match(text)
        if match and _PIN.match(match.group(1)):
            return PinResult(Outcome.OK, pin=match.group(1))
        return PinResult(Outcome.NO_PIN)
    try:
        outcome = Outcome(first)
    except ValueError:
        outcome = None
    if outcome is None or outcome not in RESCUE_CODES:
        return PinResult(Outcome.UNKNOWN_CODE, detail=_printable(first))
    if outcome in LENS_ONLY_CODES and kind is not Kind.LENS:
        return PinResult(Outcome.UNKNOWN_CODE, detail=outcome.value)
    return PinResult(outcome)


def parse_sms_answer(body: str) -> PinResult:
    """requestLensPINCode_v4: the first line as any Lens answer, then SMS_RESULT.

    A PIN whose text did not go out is still a PIN: the agent gets it with that news.
    """
    rest, sms = split_sms_result(body)
    result = parse_pin_answer(rest, Kind.LENS)
    return replace(result, sms=sms) if result.ok else result


class AuthOutcome(StrEnum):
    OK = "OK"
    ERROR = "ERROR"
    INVALID = "INVALID"
    INVALIDPARAM_COMPANY = "INVALIDPARAM_COMPANY"
    UNREADABLE = "unreadable"
    UNREACHABLE = "unreachable"


@dataclass(frozen=True)
class AuthResult:
    outcome: AuthOutcome
    authcode: str | None = None

    def __repr__(self) -> str:  # the authcode is a secret
        return f"AuthResult(outcome={self.outcome.value!r})"


def parse_authcode_answer(body: str) -> AuthResult:
    text = body.strip()
    match = _AUTHCODE_ANSWER.match(text)
    if match:
        return AuthResult(AuthOutcome.OK, authcode=match.group(1))
    first = text.split(None, 1)[0] if text else ""
    try:
        outcome = AuthOutcome(first)
    except ValueError:
        return AuthResult(AuthOutcome.UNREADABLE)
    if outcome is AuthOutcome.OK:  # OK without a code
        return AuthResult(AuthOutcome.UNREADABLE)
    return AuthResult(outcome)


def _printable(token: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "", token)[:40] or "?"


class RescueClient:
    """Calls Rescue over the process's one aiohttp session. Never retries: a PIN is spent."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str, timeout: float) -> None:
        self._session = session
        self._base = base_url
        self._timeout = aiohttp.ClientTimeout(total=timeout)

    async def request_pin(self, request: SessionRequest, authcode: str) -> PinResult:
        try:
            status, body = await self._post(request.page, request.form(authcode))
        except TimeoutError:
            return PinResult(Outcome.TIMEOUT)
        except (aiohttp.ClientError, OSError):
            return PinResult(Outcome.CONNECTION_ERROR)
        if status != 200:
            return PinResult(Outcome.HTTP_ERROR, detail=str(status))
        if not request.texts:
            return parse_pin_answer(body, request.kind)
        return parse_sms_answer(body)

    async def request_authcode(self, email: str, password: str) -> AuthResult:
        return await self._authcode("requestAuthCode.aspx", {"email": email, "pwd": password})

    async def request_authcode_sso(self, sso_id: str, password: str, company: str) -> AuthResult:
        form = {"ssoid": sso_id, "pwd": password, "company": company}
        return await self._authcode("requestAuthCodeSSO.aspx", form)

    async def _authcode(self, page: str, form: dict[str, str]) -> AuthResult:
        try:
            status, body = await self._post(page, form)
        except (TimeoutError, aiohttp.ClientError, OSError):
            return AuthResult(AuthOutcome.UNREACHABLE)
        if status != 200:
            return AuthResult(AuthOutcome.UNREADABLE)
        return parse_authcode_answer(body)

    async def _post(self, page: str, form: dict[str, str]) -> tuple[int, str]:
        # Failures are timed too: a slow failure is what the histogram is for.
        with RESCUE_SECONDS.labels(page).time():
            async with self._session.post(
                self._base + page,
                # Encoded here: given the dict, aiohttp builds a FormData and, inside it, a
                # multipart writer with a fresh uuid4 boundary, all to send this same line.
                data=urlencode(form).encode(),
                headers=_FORM,
                timeout=self._timeout,
                allow_redirects=False,
            ) as response:
                raw = await response.content.read(64 * 1024)  # an answer is a line; cap it
                return response.status, raw.decode("utf-8", errors="replace")
