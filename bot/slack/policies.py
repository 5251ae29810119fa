"""What a Slack call's answer means, and when a kind of call is tried again: pure, no I/O.

`bot/slack/calls.py` makes the calls; this module classifies each attempt (`Outcome`, with a
`Fault`), sums a call up (`SlackResult`), and holds the `Policy` of each kind of call: its time,
and whether and when it is retried.
"""

from __future__ import annotations

import email.utils
import json
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError


class Fault(StrEnum):
    """How a Slack call failed. Values are metric labels and log fields."""

    SLACK_ERROR = "slack_error"  # Slack's JSON said "ok": false; `error` holds its code
    RATE_LIMITED = "rate_limited"  # 429, still after the waits Retry-After asked for
    SERVER_ERROR = "server_error"  # a 5xx, whatever its body
    HTTP_ERROR = "http_error"  # another non-2xx status without Slack's JSON (a 404 or 405)
    NOT_JSON = "not_json"  # a 2xx whose body is not Slack's JSON (a proxy's page)
    TIMEOUT = "timeout"  # no complete answer within the attempt's time
    UNREACHABLE = "unreachable"  # no connection (refused, DNS): nothing was sent
    DROPPED = "dropped"  # reset or disconnected mid-call: Slack may have acted
    UNEXPECTED = "unexpected"  # anything else: logged with its traceback


# Slack may have acted on a call that failed this way: sending it again may repeat it.
AMBIGUOUS = frozenset({Fault.SERVER_ERROR, Fault.TIMEOUT, Fault.DROPPED})


@dataclass(frozen=True)
class Outcome:
    """One attempt, classified."""

    fault: Fault | None
    error: str = ""  # Slack's error code, the HTTP status, or the exception's type
    status: int | None = None
    retry_after: float | None = None  # seconds, from a 429's Retry-After
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SlackResult:
    """What a caller learns from one Slack call, all its attempts together."""

    method: str
    fault: Fault | None = None
    error: str = ""
    status: int | None = None
    data: Mapping[str, Any] = field(default_factory=dict)
    attempts: int = 1
    seconds: float = 0.0
    # Some attempt (perhaps an earlier one than the last) failed in a way Slack may have acted
    # on: a later "no" may be Slack refusing to do it twice.
    ambiguous: bool = False

    @property
    def ok(self) -> bool:
        return self.fault is None

    @property
    def maybe_done(self) -> bool:
        """Failed, but Slack may have done it anyway (a timeout, a dropped connection, a 5xx)."""
        return self.fault in AMBIGUOUS

    def get(self, key: str) -> Any:
        return self.data.get(key)


@dataclass(frozen=True)
class Policy:
    """Time and retries for one kind of call. Seconds throughout."""

    attempt_timeout: float  # one attempt, connect to last byte
    budget: float  # every attempt and wait together
    retries: int = 2  # further attempts after a 5xx or a dropped connection
    repeatable: bool = True  # safe to send again when Slack may have acted on the first
    rate_limit_retries: int = 2  # further attempts after a 429, each after its Retry-After
    backoff: tuple[float, ...] = (0.25, 0.75)  # before the 1st, 2nd… retry of a 5xx/drop
    from_arrival: bool = False  # the budget runs from the Slack request's arrival


# views.open needs the trigger_id of a request less than 3 seconds old: the budget counts from
# that request's arrival, with a margin for the network back to Slack.
VIEWS_OPEN = Policy(attempt_timeout=2.7, budget=2.7, from_arrival=True)
# Replaces App Home whole: repeating it is harmless.
VIEWS_PUBLISH = Policy(attempt_timeout=4.0, budget=10.0)
# Reads.
READ = Policy(attempt_timeout=3.0, budget=7.0)
# A DM carries the PIN when the response_url failed: a second copy beats a lost PIN.
DM = Policy(attempt_timeout=4.0, budget=12.0)
# The agent's own ephemeral answer: a duplicate is harmless, a hang is not.
RESPONSE_URL = Policy(attempt_timeout=4.0, budget=8.0, retries=1)
# The workflow step's message with its buttons: a second copy would be a second live message.
STEP_MESSAGE = Policy(attempt_timeout=4.0, budget=8.0, repeatable=False)
# Posted for the whole channel to see: repeated only when Slack surely did not take it.
RESPONSE_URL_PUBLIC = Policy(attempt_timeout=4.0, budget=8.0, repeatable=False)

# A workflow step's result (functions.completeSuccess/Error): a second report is refused
# (execution_not_in_running_state), not repeated, so a retry after a 5xx is safe; the caller
# treats that refusal after an ambiguous attempt, or a timeout, as done (handlers.workflow).
FUNCTION_RESULT = Policy(attempt_timeout=4.0, budget=10.0)

DEFAULT_RETRY_AFTER = 1.0
_ERROR_CODE = re.compile(r"\A[a-z][a-z0-9_.]{0,59}\Z")


def _header(headers: Any, name: str) -> str | None:
    if not headers:
        return None
    try:
        items = headers.items()
    except AttributeError:
        return None
    for key, value in items:
        if isinstance(key, str) and key.lower() == name:
            if isinstance(value, list | tuple):
                value = value[0] if value else None
            return value if isinstance(value, str) else None
    return None


def retry_after(headers: Any) -> float | None:
    """Retry-After in seconds: a number, or an HTTP date; None when absent or unreadable."""
    raw = _header(headers, "retry-after")
    if raw is None:
        return None
    raw = raw.strip()
    try:
        seconds = float(raw)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(raw)
        except (TypeError, ValueError):
            return None
        seconds = when.timestamp() - time.time()
    return max(0.0, seconds) if seconds == seconds else None  # NaN is no answer


def error_code(value: Any) -> str:
    """A Slack error code fit for a log and a label; anything else is 'unreadable'."""
    return value if isinstance(value, str) and _ERROR_CODE.match(value) else "unreadable"


def classify_answer(status: int, headers: Any, data: Any) -> Outcome:
    """An HTTP answer from Slack: `data` is the decoded JSON, or anything else it sent."""
    if status == 429:
        return Outcome(Fault.RATE_LIMITED, "429", status, retry_after(headers))
    if status >= 500:
        return Outcome(Fault.SERVER_ERROR, str(status), status)
    slack_json = isinstance(data, Mapping) and isinstance(data.get("ok"), bool)
    if status >= 400 or status < 200:
        if slack_json and not data.get("ok"):
            return Outcome(Fault.SLACK_ERROR, error_code(data.get("error")), status)
        return Outcome(Fault.HTTP_ERROR, str(status), status)
    if not slack_json:
        return Outcome(Fault.NOT_JSON, str(status), status)
    if not data.get("ok"):
        return Outcome(Fault.SLACK_ERROR, error_code(data.get("error")), status)
    return Outcome(None, "", status, data=data)


def classify_exception(error: BaseException) -> Outcome:
    """An exception from a Slack call (the client's, or the attempt's own timeout)."""
    if isinstance(error, SlackApiError):
        response = error.response
        status = getattr(response, "status_code", None) or getattr(response, "status", None)
        headers = getattr(response, "headers", None)
        # AsyncSlackResponse keeps the body as `data`; an aiohttp ClientResponse (a body
        # labelled JSON that did not parse) has none we can read any more.
        data = getattr(response, "data", None)
        if isinstance(status, int):
            return classify_answer(status, headers, data)
        return Outcome(Fault.NOT_JSON, "unreadable")
    # aiohttp's ServerTimeoutError is a TimeoutError too.
    if isinstance(error, TimeoutError):
        return Outcome(Fault.TIMEOUT, type(error).__name__)
    if isinstance(error, aiohttp.ClientConnectorError | aiohttp.InvalidURL):
        # Refused, unresolvable (ClientConnectorDNSError), no route: nothing left the process.
        return Outcome(Fault.UNREACHABLE, type(error).__name__)
    if isinstance(error, aiohttp.ClientResponseError):
        return classify_answer(error.status, error.headers, None)
    if isinstance(error, aiohttp.ClientError | OSError):
        # ServerDisconnectedError, ClientOSError (a reset), ClientPayloadError…
        return Outcome(Fault.DROPPED, type(error).__name__)
    if isinstance(error, UnicodeDecodeError | json.JSONDecodeError):
        return Outcome(Fault.NOT_JSON, type(error).__name__)
    return Outcome(Fault.UNEXPECTED, type(error).__name__)


def next_wait(policy: Policy, outcome: Outcome, retried: int, limited: int) -> float | None:
    """How long to wait before trying again, or None to stop. `retried` counts the earlier
    retries after a 5xx or a dropped connection, `limited` those after a 429."""
    fault = outcome.fault
    if fault is Fault.RATE_LIMITED:
        if limited >= policy.rate_limit_retries:
            return None
        return DEFAULT_RETRY_AFTER if outcome.retry_after is None else outcome.retry_after
    if fault is Fault.UNREACHABLE or (
        policy.repeatable and fault in (Fault.SERVER_ERROR, Fault.DROPPED)
    ):
        if retried >= policy.retries:
            return None
        return policy.backoff[min(retried, len(policy.backoff) - 1)] if policy.backoff else 0.0
    return None  # Slack's own "no", a timeout, a page that is not Slack's: asking again won't help


def policy_for(method: str) -> Policy:
    if method == "views.open":
        return VIEWS_OPEN
    if method == "views.publish":
        return VIEWS_PUBLISH
    if method == "chat.postMessage":
        return DM
    return READ


def response_url_body(raw: bytes) -> Any:
    """Slack answers a response_url with `ok` as text (or nothing), or JSON with `ok`; an error
    as a short code (`expired_url`, `used_url`), or JSON with `error`. Anything else is left as
    text."""
    text = raw.decode("utf-8", errors="replace").strip()
    if text in ("ok", ""):  # with a 2xx, taken; with any other status, the status decides
        return {"ok": True}
    if _ERROR_CODE.match(text):
        return {"ok": False, "error": text}
    try:
        return json.loads(text)
    except ValueError:
        return text
