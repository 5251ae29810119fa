"""Rescue's Post-to-URL, read: one session's start or end, as a form post or as XML. Pure.

Rescue signs nothing, so every post is untrusted: the XML parser refuses DTDs and entity
declarations (defusedxml), unknown names are ignored, and the chat transcript (ChatLog) is
read only to be dropped: it never reaches a SessionPost, so it cannot be stored, logged or
posted by mistake. Notes and the customer's fields are kept out of the dataclass's repr.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from urllib.parse import parse_qsl
from xml.etree.ElementTree import ParseError

from bot.rescue.client import TEXT_FIELDS

# The vendor's variables, by the lower-case name both formats share (XML uses these names,
# the form post CamelCase ones such as SessionID: both are matched case-insensitively).
SESSION_ID = "sessionid"
TECH = ("techid", "techssoid", "techname", "techemail", "techdescr")
FIELDS = TEXT_FIELDS  # cfield0 … cfield5, tracking0
CHAT_LOG = "chatlog"  # read only to be dropped
NOTES = "notes"
WAITING_TIME = "waitingtime"
TIMES = ("pickuptime", "closingtime", "worktime", "lastactiontime")
KNOWN = frozenset((SESSION_ID, *TECH, *FIELDS, CHAT_LOG, NOTES, WAITING_TIME, *TIMES))

XML_TYPES = frozenset({"text/xml", "application/xml"})
FORM_TYPE = "application/x-www-form-urlencoded"
# Rescue's session ids are numbers; anything far longer is not one of its posts.
MAX_SESSION_ID = 64
# More fields than a post has, with room: a body of thousands of pairs is not Rescue's.
MAX_FORM_FIELDS = 100

# The reference the app writes into the reserved field: 128 bits from `secrets`, in hex so
# that no account's field or export mangles it, and short enough for any field (64).
REFERENCE_PREFIX = "slack-"
REFERENCE_BYTES = 16
_REFERENCE = re.compile(r"\Aslack-[0-9a-f]{32}\Z")


def new_reference() -> str:
    return REFERENCE_PREFIX + secrets.token_hex(REFERENCE_BYTES)


def is_reference(value: str | None) -> bool:
    """Shaped like one of ours (whether it is known is the store's business)."""
    return bool(value) and _REFERENCE.match(value or "") is not None


class Phase(StrEnum):
    START = "start"
    END = "end"


class PostError(Exception):
    """The post cannot be read: answered with 400. `reason` is safe to log (never content)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Malformed(PostError):
    """Not a form or XML document, or one without a session id."""


class Refused(PostError):
    """A hostile document: a DTD, entity declarations, external references."""


@dataclass(frozen=True)
class SessionTime:
    """A time as Rescue sent it, and as a moment when it reads as one."""

    raw: str
    at: datetime | None

    def __bool__(self) -> bool:
        return self.at is not None or not _blank_time(self.raw)


@dataclass(frozen=True)
class SessionPost:
    session_id: str
    tech_id: str = ""
    tech_sso_id: str = field(default="", repr=False)  # often an e-mail address
    tech_name: str = ""
    tech_email: str = field(default="", repr=False)
    tech_descr: str = field(default="", repr=False)
    # The customer's fields as the PIN request set them: never in a repr (tracebacks, logs).
    fields: Mapping[str, str] = field(default_factory=dict, repr=False)
    notes: str = field(default="", repr=False)
    waiting_time: str = ""  # seconds, as sent
    pickup_time: SessionTime | None = None
    closing_time: SessionTime | None = None
    work_time: str = ""  # seconds, as sent
    last_action_time: SessionTime | None = None

    @property
    def phase(self) -> Phase:
        """The end has notes, a work time above 0 or a closing time; anything else, the start."""
        if self.notes.strip():
            return Phase.END
        if (self.work_seconds or 0) > 0:
            return Phase.END
        if self.closing_time:
            return Phase.END
        return Phase.START

    @property
    def waiting_seconds(self) -> int | None:
        return _seconds(self.waiting_time)

    @property
    def work_seconds(self) -> int | None:
        return _seconds(self.work_time)

    @property
    def length_seconds(self) -> int | None:
        """How long the session lasted: its work time, else pickup to closing."""
        work = self.work_seconds
        if work:
            return work
        start = self.pickup_time.at if self.pickup_time else None
        end = self.closing_time.at if self.closing_time else None
        if start and end and end >= start:
            return int((end - start).total_seconds())
        return None

    def field(self, name: str) -> str:
        return self.fields.get(name, "")


def content_kind(content_type: str | None, body: bytes) -> str:
    """'xml' or 'form'. A form post cannot begin with '<', so such a body is read as XML
    whatever its header says (Rescue documents no content type); other types are refused."""
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media in XML_TYPES:
        return "xml"
    if media in ("", FORM_TYPE):
        return "xml" if body.lstrip()[:1] == b"<" else "form"
    raise Malformed("unsupported content type")


def parse_post(body: bytes, content_type: str | None) -> SessionPost:
    """A post's variables, or Malformed / Refused (both a 400)."""
    xml = content_kind(content_type, body) == "xml"
    return _session_post(_xml_values(body) if xml else _form_values(body))


def _text(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise Malformed("not UTF-8") from None


def _form_values(body: bytes) -> dict[str, str]:
    text = _text(body).strip()
    if not text:
        raise Malformed("empty body")
    try:
        pairs = parse_qsl(
            text,
            keep_blank_values=True,
            strict_parsing=False,
            encoding="utf-8",
            errors="strict",
            max_num_fields=MAX_FORM_FIELDS,
        )
    except (ValueError, UnicodeDecodeError):
        raise Malformed("not a form") from None
    return _known(pairs)


def _xml_values(body: bytes) -> dict[str, str]:
    # Imported with the first XML post, not at start: follow-through is optional.
    import defusedxml.ElementTree as SafeET  # noqa: N813 (its documented name)
    from defusedxml import DefusedXmlException

    try:
        root = SafeET.fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as error:
        raise Refused(f"xml {type(error).__name__}") from None
    except (ParseError, ValueError, UnicodeDecodeError):
        raise Malformed("not well-formed XML") from None
    pairs = []
    for child in root:
        tag = child.tag if isinstance(child.tag, str) else ""
        name = tag.rsplit("}", 1)[-1]  # a namespace, should one appear, is not part of the name
        pairs.append((name, "".join(child.itertext())))
    return _known(pairs)


def _known(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """The vendor's variables, by lower-case name; the chat transcript dropped unread."""
    values: dict[str, str] = {}
    for raw_name, value in pairs:
        name = raw_name.strip().lower()
        if name == CHAT_LOG or name not in KNOWN:
            continue
        if name in values and values[name] != value:
            raise Malformed(f"{name} given twice")
        values[name] = value
    return values


def _session_post(values: dict[str, str]) -> SessionPost:
    session_id = values.get(SESSION_ID, "").strip()
    if not session_id:
        raise Malformed("no session id")
    if len(session_id) > MAX_SESSION_ID or not session_id.isprintable():
        raise Malformed("session id is not one")
    tech = {name: values.get(name, "").strip() for name in TECH}
    return SessionPost(
        session_id=session_id,
        tech_id=tech["techid"],
        tech_sso_id=tech["techssoid"],
        tech_name=tech["techname"],
        tech_email=tech["techemail"],
        tech_descr=tech["techdescr"],
        fields={name: values[name].strip() for name in FIELDS if values.get(name, "").strip()},
        notes=values.get(NOTES, "").strip(),
        waiting_time=values.get(WAITING_TIME, "").strip(),
        pickup_time=_time(values.get("pickuptime")),
        closing_time=_time(values.get("closingtime")),
        work_time=values.get("worktime", "").strip(),
        last_action_time=_time(values.get("lastactiontime")),
    )


def _seconds(raw: str) -> int | None:
    text = raw.strip()
    try:
        return max(0, int(float(text))) if text else None
    except (ValueError, OverflowError):
        return None


# Rescue's documentation shows no format; .NET services write these two, or ISO 8601.
_FORMATS = (
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
)


def _time(raw: str | None) -> SessionTime | None:
    text = (raw or "").strip()
    if not text:
        return None
    return SessionTime(text, parse_time(text))


def parse_time(text: str) -> datetime | None:
    """A moment, taken as UTC when it names no zone; None for an empty, zero or unreadable
    one (then it is shown as sent). .NET's empty date (year 1) counts as no time at all."""
    if _blank_time(text):
        return None
    moment: datetime | None = None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        for pattern in _FORMATS:
            try:
                moment = datetime.strptime(text, pattern)  # noqa: DTZ007 - zone set below
                break
            except ValueError:
                continue
    if moment is None or moment.year < 1971:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _blank_time(text: str) -> bool:
    """Empty, 0, or .NET's DateTime.MinValue: the start's way of saying "not yet"."""
    value = text.strip()
    if not value or value.strip("0:-/. TZ") == "":
        return True
    return value.startswith(("1/1/0001", "01/01/0001", "0001-01-01"))
