"""The fake Rescue's Post-to-URL: what Rescue sends when a technician starts or ends a session,
with the vendor's variable names, as a form post or as XML, to the app's address."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode
from xml.sax.saxutils import escape

import aiohttp

# The vendor's variables, in the order its documentation lists them (form names; the XML
# elements are the same names in lower case).
VARIABLES = (
    "SessionID",
    "TechID",
    "TechSSOID",
    "TechName",
    "TechEmail",
    "TechDescr",
    "CField0",
    "CField1",
    "CField2",
    "CField3",
    "CField4",
    "CField5",
    "Tracking0",
    "ChatLog",
    "Notes",
    "WaitingTime",
    "PickupTime",
    "ClosingTime",
    "WorkTime",
    "LastActionTime",
)
FORM = "application/x-www-form-urlencoded"
XML = "text/xml"


@dataclass
class RescueSession:
    """One session as Rescue sees it: the fields its PIN request set, and what happened in it."""

    session_id: str
    fields: Mapping[str, str]  # cfield0 … tracking0, as the PIN request sent them
    tech_name: str = "Ada Technician"
    waiting: str = "42"
    work: str = "720"
    chat: str = ""
    notes: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of_call(cls, params: Mapping[str, str], session_id: str, **values: Any) -> RescueSession:
        """The session a PIN request (the fake Rescue's record of it) leads to."""
        fields = {k: v for k, v in params.items() if k.startswith(("cfield", "tracking"))}
        return cls(session_id, fields, **values)

    def variables(self, end: bool) -> dict[str, str]:
        wire = {
            name.replace("cfield", "CField").replace("tracking", "Tracking"): value
            for name, value in self.fields.items()
        }
        values = {
            "SessionID": self.session_id,
            "TechID": "9001",
            "TechSSOID": "ada.tech@example.com",
            "TechName": self.tech_name,
            "TechEmail": "ada.tech@example.com",
            "TechDescr": "Tier 2",
            **wire,
            "ChatLog": self.chat,
            "Notes": self.notes if end else "",
            "WaitingTime": self.waiting,
            "PickupTime": "12/1/2026 3:04:05 PM",
            "ClosingTime": "12/1/2026 3:16:05 PM" if end else "",
            "WorkTime": self.work if end else "0",
            "LastActionTime": "12/1/2026 3:16:05 PM" if end else "12/1/2026 3:04:05 PM",
            **self.extra,
        }
        ordered = {name: values.get(name, "") for name in VARIABLES}
        return {**ordered, **{k: v for k, v in values.items() if k not in ordered}}

    def body(self, end: bool, xml: bool) -> tuple[bytes, str]:
        values = self.variables(end)
        return xml_body(values) if xml else form_body(values)


def form_body(values: Mapping[str, str]) -> tuple[bytes, str]:
    return urlencode(dict(values)).encode(), FORM


def xml_body(values: Mapping[str, str], root: str = "session") -> tuple[bytes, str]:
    children = "".join(
        f"<{name.lower()}>{escape(value)}</{name.lower()}>" for name, value in values.items()
    )
    return f'<?xml version="1.0" encoding="utf-8"?><{root}>{children}</{root}>'.encode(), XML


async def post(
    url: str, body: bytes, content_type: str | None = FORM, method: str = "POST"
) -> tuple[int, str]:
    """One post to the app, as Rescue's servers would send it (no Slack signature, no cookie)."""
    headers = {"Content-Type": content_type} if content_type else {}
    async with (
        aiohttp.ClientSession() as http,
        http.request(method, url, data=body, headers=headers) as response,
    ):
        return response.status, await response.text()


async def post_session(url: str, session: RescueSession, *, end: bool, xml: bool) -> int:
    body, content_type = session.body(end, xml)
    status, _ = await post(url, body, content_type)
    return status
