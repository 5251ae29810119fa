"""Every call to Slack goes through here: one timeout, one retry policy, one classification.

Whatever happens to a Slack call (its JSON `"ok": false`, a body that is not JSON whatever its
content type, a 4xx or 5xx, a 429, a reset or dropped connection, a name that does not
resolve, a hang) the caller gets a `SlackResult`: `ok`, or a `Fault` with a short `error` fit
for a log line and a metric label. Callers never see an exception from a Slack call, so no
listener can crash on one, and each decides what the agent is told.

Why this exists rather than slack_sdk's own handling (checked against slack_sdk 3.47):
- `AsyncWebClient(timeout=…)` and `AsyncWebhookClient(timeout=…)` ignore `timeout` when they
  are handed a running `aiohttp` session (`_request_with_session` only applies it to a
  session of its own): the process-wide session's default is 300 seconds.
- A non-JSON answer reaches the caller as `SlackApiError.response` holding an
  `AsyncSlackResponse` whose `data` is a `str` (`text/plain`), `{}` (any other content type)
  or `None` (an empty body), or holding the raw `aiohttp.ClientResponse` (a body labelled
  `application/json` that does not parse). A `text/plain` 200 even raises `AttributeError`
  from `validate()` itself. `error.response.get("error")` therefore crashes.
- `AsyncConnectionErrorRetryHandler` does cover `ServerDisconnectedError`, but
  `max_retry_count` is shared with the other handlers' attempts, `AsyncServerErrorRetryHandler`
  knows only 500 and 503, the webhook client consults its handlers on 429 alone, and none
  knows whether a call is safe to send twice or how long a `trigger_id` lives.
So the clients are built without retry handlers and this module retries, by `Policy`.
"""

from __future__ import annotations

import asyncio
import contextvars
import email.utils
import json
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.logs import get_logger
from bot.metrics import SLACK_API_ERRORS

log = get_logger(__name__)


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

_arrival: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "slack_request_arrival", default=None
)
# Set during one of `run`'s attempts, which has its own timeout.
_timed: contextvars.ContextVar[bool] = contextvars.ContextVar("slack_call_timed", default=False)


def mark_arrival(at: float | None = None) -> None:
    """Note when the Slack request being handled arrived (`time.monotonic()`), for the
    calls whose budget runs from then (views.open and its trigger_id)."""
    _arrival.set(time.monotonic() if at is None else at)


def arrival() -> float | None:
    return _arrival.get()


class SlackClient(AsyncWebClient):
    """The Web API client for every caller, Bolt's own calls (auth.test) included.

    It has a timeout on the shared session, which slack_sdk's has not (`call_timeout`, for
    the calls made outside `run`, whose attempts have their own), and it hands a body that is
    not JSON on as `{}`, so that `validate()` raises `SlackApiError` for it instead of
    `AttributeError` (a `text/plain` 200). Build it with `retry_handlers=[]`: `run` retries.
    """

    def __init__(self, *args: Any, call_timeout: float = 2.5, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # slack_sdk's `timeout` is a whole number of seconds, and ignored on a shared session.
        self.call_timeout = call_timeout

    async def _request(
        self, *, http_verb: str, api_url: str, req_args: dict[str, Any]
    ) -> dict[str, Any]:
        async with asyncio.timeout(None if _timed.get() else self.call_timeout):
            answer: dict[str, Any] = await super()._request(
                http_verb=http_verb, api_url=api_url, req_args=req_args
            )
        if isinstance(answer.get("data"), str):
            answer = {**answer, "data": {}}
        return answer


# Classification: pure.


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


# Calls.


async def _attempt(send: Callable[[], Awaitable[Any]], seconds: float) -> Outcome:
    timed = _timed.set(True)
    try:
        async with asyncio.timeout(seconds):
            answer = await send()
    except Exception as error:  # classified; CancelledError is not an Exception
        outcome = classify_exception(error)
        if outcome.fault is Fault.UNEXPECTED:
            log.error("slack_call_unexpected", exc_info=error)
        return outcome
    finally:
        _timed.reset(timed)
    if isinstance(answer, Outcome):
        return answer
    status = getattr(answer, "status_code", 200)
    data = getattr(answer, "data", answer)
    return classify_answer(status if isinstance(status, int) else 200, None, data)


async def run(
    method: str,
    send: Callable[[], Awaitable[Any]],
    policy: Policy,
    *,
    budget: float | None = None,
) -> SlackResult:
    """Call `send()` (one attempt at `method`) under `policy`; never raises but cancellation.

    `budget` narrows the policy's, when a caller has less time (a modal still to open).
    """
    loop = asyncio.get_running_loop()
    started = loop.time()
    seconds = policy.budget if budget is None else min(policy.budget, budget)
    deadline = started + seconds
    arrived = arrival() if policy.from_arrival else None
    if arrived is not None:
        deadline = min(deadline, started + policy.budget - (time.monotonic() - arrived))
    attempts = retried = limited = 0
    ambiguous = False
    while True:
        attempts += 1
        remaining = deadline - loop.time()
        if remaining <= 0:
            outcome = Outcome(Fault.TIMEOUT, "no_time_left")
            break
        outcome = await _attempt(send, min(policy.attempt_timeout, remaining))
        ambiguous = ambiguous or outcome.fault in AMBIGUOUS
        wait = next_wait(policy, outcome, retried, limited)
        if wait is None:
            break
        if loop.time() + wait >= deadline:
            break  # Retry-After (or the backoff) would outlast the budget: stop now
        if outcome.fault is Fault.RATE_LIMITED:
            limited += 1
        else:
            retried += 1
        log.info(
            "slack_call_retry",
            method=method,
            fault=outcome.fault.value if outcome.fault else None,
            error=outcome.error,
            wait=round(wait, 3),
        )
        await asyncio.sleep(wait)
    result = SlackResult(
        method,
        outcome.fault,
        outcome.error,
        outcome.status,
        outcome.data,
        attempts,
        round(loop.time() - started, 3),
        ambiguous or outcome.fault in AMBIGUOUS,
    )
    if result.fault is not None:
        SLACK_API_ERRORS.labels(method, result.error or result.fault.value).inc()
        log.warning(
            "slack_call_failed",
            method=method,
            fault=result.fault.value,
            error=result.error,
            status=result.status,
            attempts=attempts,
            seconds=result.seconds,
        )
    return result


def policy_for(method: str) -> Policy:
    if method == "views.open":
        return VIEWS_OPEN
    if method == "views.publish":
        return VIEWS_PUBLISH
    if method == "chat.postMessage":
        return DM
    return READ


async def call(
    client: AsyncWebClient,
    method: str,
    *,
    policy: Policy | None = None,
    budget: float | None = None,
    **params: Any,
) -> SlackResult:
    """One Web API method, by its name, with its parameters as slack_sdk's method takes them.

    `client.views_open(trigger_id=…, view=…)` becomes `call(client, "views.open", trigger_id=…,
    view=…)`: the same encoding (slack_sdk's per-method function), this module's handling.
    """
    send = getattr(client, method.replace(".", "_"))
    return await run(method, lambda: send(**params), policy or policy_for(method), budget=budget)


async def post_to_response_url(
    session: aiohttp.ClientSession,
    url: str,
    message: Mapping[str, Any],
    policy: Policy = RESPONSE_URL,
) -> SlackResult:
    """POST a message to an interaction's response_url (ephemeral unless the message says)."""

    async def send() -> Outcome:
        async with session.post(url, json=dict(message)) as answer:
            raw = await answer.read()
            return classify_answer(answer.status, answer.headers, response_url_body(raw))

    return await run("response_url", send, policy)


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
