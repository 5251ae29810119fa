"""Rescue's Post-to-URL bodies, parsed: the vendor's variables, both formats, hostile XML. Pure."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.sessions.post import (
    MAX_SESSION_ID,
    Malformed,
    Phase,
    PostError,
    Refused,
    content_kind,
    is_reference,
    new_reference,
    parse_post,
    parse_time,
)

FORM = "application/x-www-form-urlencoded"
CHAT = "Customer: my password is hunter2"
NOTES = "Replaced the printer driver; customer happy."

# Every variable the vendor lists, with the vendor's (form) names, as at a session's start.
START = {
    "SessionID": "48151623",
    "TechID": "1234",
    "TechSSOID": "ada@example.com",
    "TechName": "Ada Lovelace",
    "TechEmail": "ada@example.com",
    "TechDescr": "Tier 2",
    "CField0": "Jane Doe",
    "CField1": "Printer prints blank pages",
    "CField2": "",
    "CField3": "",
    "CField4": "",
    "CField5": "slack-" + "0" * 32,
    "Tracking0": "TICKET-42",
    "ChatLog": CHAT,
    "Notes": "",
    "WaitingTime": "75",
    "PickupTime": "12/1/2026 3:04:05 PM",
    "ClosingTime": "",
    "WorkTime": "0",
    "LastActionTime": "12/1/2026 3:04:05 PM",
}
END = {
    **START,
    "Notes": NOTES,
    "ClosingTime": "12/1/2026 3:16:05 PM",
    "WorkTime": "720",
    "LastActionTime": "12/1/2026 3:16:05 PM",
}


def form(values: dict[str, str]) -> bytes:
    return urlencode(values).encode()


def xml(values: dict[str, str], root: str = "session", lower: bool = True) -> bytes:
    from xml.sax.saxutils import escape

    children = "".join(
        f"<{name.lower() if lower else name}>{escape(value)}</{name.lower() if lower else name}>"
        for name, value in values.items()
    )
    return f'<?xml version="1.0" encoding="utf-8"?><{root}>{children}</{root}>'.encode()


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (form(START), FORM),
        (form(START), None),
        (xml(START), "text/xml"),
        (xml(START), "application/xml; charset=utf-8"),
        (xml(START, root="anything", lower=False), "text/xml"),
        (xml(START), FORM),  # a body that starts with '<' is no form, whatever the header says
    ],
)
def test_the_start_with_every_vendor_variable(body: bytes, content_type: str | None) -> None:
    post = parse_post(body, content_type)
    assert post.phase is Phase.START
    assert post.session_id == "48151623"
    assert (post.tech_id, post.tech_name) == ("1234", "Ada Lovelace")
    assert post.tech_sso_id == "ada@example.com"
    assert post.tech_email == "ada@example.com" and post.tech_descr == "Tier 2"
    assert post.field("cfield0") == "Jane Doe"
    assert post.field("cfield1") == "Printer prints blank pages"
    assert post.field("cfield5") == "slack-" + "0" * 32
    assert post.field("tracking0") == "TICKET-42"
    assert post.field("cfield2") == ""  # empty fields are simply absent
    assert post.waiting_seconds == 75
    assert post.notes == ""
    assert post.pickup_time is not None
    assert post.pickup_time.at == datetime(2026, 12, 1, 15, 4, 5, tzinfo=UTC)
    assert post.length_seconds is None


@pytest.mark.parametrize("make", [form, xml])
def test_the_end(make: object) -> None:
    body = make(END)  # type: ignore[operator]
    post = parse_post(body, FORM if make is form else "text/xml")
    assert post.phase is Phase.END
    assert post.notes == NOTES
    assert post.work_seconds == 720
    assert post.length_seconds == 720


@pytest.mark.parametrize(
    "change",
    [
        {"Notes": "x"},
        {"WorkTime": "1"},
        {"ClosingTime": "2026-12-01T15:16:05Z"},
        {"ClosingTime": "sometime on Tuesday"},  # a closing time that does not parse is still one
    ],
)
def test_any_one_sign_of_the_end_is_the_end(change: dict[str, str]) -> None:
    assert parse_post(form({**START, **change}), FORM).phase is Phase.END


@pytest.mark.parametrize(
    "change",
    [
        {"ClosingTime": "0"},
        {"ClosingTime": "1/1/0001 12:00:00 AM"},  # .NET's empty date
        {"WorkTime": ""},
        {"WorkTime": "0.0"},
        {"Notes": "   "},
        {"ClosingTime": "", "WorkTime": "", "Notes": ""},
    ],
)
def test_what_the_start_sends_as_not_yet(change: dict[str, str]) -> None:
    assert parse_post(form({**START, **change}), FORM).phase is Phase.START


def test_length_from_pickup_to_closing_without_a_work_time() -> None:
    post = parse_post(form({**END, "WorkTime": ""}), FORM)
    assert post.length_seconds == 720


def test_times_that_do_not_parse_are_kept_as_sent() -> None:
    post = parse_post(form({**START, "PickupTime": "tea time", "WaitingTime": "a while"}), FORM)
    assert post.pickup_time is not None
    assert (post.pickup_time.raw, post.pickup_time.at) == ("tea time", None)
    assert (post.waiting_time, post.waiting_seconds) == ("a while", None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12/1/2026 3:04:05 PM", datetime(2026, 12, 1, 15, 4, 5, tzinfo=UTC)),
        ("12/01/2026 15:04:05", datetime(2026, 12, 1, 15, 4, 5, tzinfo=UTC)),
        ("2026-12-01 15:04:05", datetime(2026, 12, 1, 15, 4, 5, tzinfo=UTC)),
        ("2026-12-01T16:04:05+01:00", datetime(2026, 12, 1, 15, 4, 5, tzinfo=UTC)),
        ("0", None),
        ("", None),
        ("0001-01-01T00:00:00", None),
        ("soon", None),
    ],
)
def test_parse_time(text: str, expected: datetime | None) -> None:
    assert parse_time(text) == expected


def test_the_chat_transcript_is_dropped_unread() -> None:
    for body, kind in ((form(END), FORM), (xml(END), "text/xml")):
        post = parse_post(body, kind)
        assert CHAT not in repr(post)
        assert all(CHAT not in str(value) for value in vars(post).values())
        assert not hasattr(post, "chatlog") and not hasattr(post, "chat_log")


def test_customer_data_stays_out_of_the_repr() -> None:
    text = repr(parse_post(form(END), FORM))
    for secret in (NOTES, "Jane Doe", "TICKET-42", "Printer", "ada@example.com"):
        assert secret not in text
    assert "48151623" in text


def test_names_are_matched_case_insensitively_in_both_formats() -> None:
    mixed = {"sEsSiOnId": "7", "TRACKING0": "T-1", "cfield0": "Jane"}
    for body, kind in ((form(mixed), FORM), (xml(mixed, lower=False), "text/xml")):
        post = parse_post(body, kind)
        assert post.session_id == "7"
        assert post.field("tracking0") == "T-1" and post.field("cfield0") == "Jane"


def test_unknown_variables_are_ignored() -> None:
    post = parse_post(form({**START, "Something": "else", "authcode": "x"}), FORM)
    assert post.session_id == "48151623"


def test_a_namespaced_document_is_read_by_local_names() -> None:
    body = b'<s:post xmlns:s="urn:x"><s:SessionID>9</s:SessionID><s:Notes>n</s:Notes></s:post>'
    post = parse_post(body, "application/xml")
    assert (post.session_id, post.phase) == ("9", Phase.END)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"", FORM),
        (b"   ", FORM),
        (b"\xff\xfe\x00garbage", FORM),
        (b"TechName=Ada", FORM),  # no session id
        (b"SessionID=&TechName=Ada", FORM),
        (form({"SessionID": "1" * (MAX_SESSION_ID + 1)}), FORM),
        (b"SessionID=1&SessionID=2", FORM),  # which one?
        (b"just some text", FORM),
        (b"<session><sessionid>1</sessionid>", "text/xml"),  # not closed
        (b"<session>", "text/xml"),
        (b"not xml at all", "text/xml"),
        (b"<session><techname>Ada</techname></session>", "text/xml"),  # no session id
        (b'{"SessionID": "1"}', "application/json"),
        (b"SessionID=1", "multipart/form-data; boundary=x"),
    ],
)
def test_malformed(body: bytes, content_type: str) -> None:
    with pytest.raises(Malformed):
        parse_post(body, content_type)


def test_the_same_value_twice_is_no_ambiguity() -> None:
    assert parse_post(b"SessionID=1&SessionID=1", FORM).session_id == "1"


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<session><sessionid>1</sessionid><notes>&lol9;</notes></session>"""


class _Counting(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802
        _Counting.hits.append(self.path)
        body = b'<!ENTITY leak "from the network">'
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture
def listener() -> Iterator[str]:
    """A local web server that counts what an XML parser might fetch from it."""
    _Counting.hits = []
    server = http.server.HTTPServer(("127.0.0.1", 0), _Counting)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def hostile(url: str, secret_file: str) -> list[bytes]:
    return [
        BILLION_LAUGHS,
        # An external entity reading a file from disk.
        f"""<?xml version="1.0"?><!DOCTYPE s [<!ENTITY xxe SYSTEM "file://{secret_file}">]>
        <s><sessionid>1</sessionid><notes>&xxe;</notes></s>""".encode(),
        # An external entity from the network.
        f"""<?xml version="1.0"?><!DOCTYPE s [<!ENTITY xxe SYSTEM "{url}/entity">]>
        <s><sessionid>1</sessionid><notes>&xxe;</notes></s>""".encode(),
        # An external DTD, and a parameter entity that pulls one in.
        f"""<?xml version="1.0"?><!DOCTYPE s SYSTEM "{url}/dtd">
        <s><sessionid>1</sessionid></s>""".encode(),
        f"""<?xml version="1.0"?><!DOCTYPE s [<!ENTITY % p SYSTEM "{url}/param"> %p;]>
        <s><sessionid>1</sessionid></s>""".encode(),
        # A DTD with nothing in it: Rescue sends none, so none is accepted.
        b"""<?xml version="1.0"?><!DOCTYPE s><s><sessionid>1</sessionid></s>""",
        # An internal entity, harmless in size but a declaration all the same.
        b"""<!DOCTYPE s [<!ENTITY e "x">]><s><sessionid>1</sessionid><notes>&e;</notes></s>""",
    ]


def test_hostile_xml_is_refused_and_nothing_is_fetched(listener: str, tmp_path: object) -> None:
    secret = tmp_path / "secret.txt"  # type: ignore[operator]
    secret.write_text("TOP SECRET FROM DISK")
    for body in hostile(listener, str(secret)):
        for content_type in ("text/xml", "application/xml", FORM, None):
            with pytest.raises(Refused):
                parse_post(body, content_type)
    assert _Counting.hits == []


def test_a_billion_laughs_is_refused_quickly() -> None:
    import time

    started = time.perf_counter()
    with pytest.raises(Refused):
        parse_post(BILLION_LAUGHS, "text/xml")
    assert time.perf_counter() - started < 5


def test_content_kind() -> None:
    assert content_kind("text/xml", b"SessionID=1") == "xml"
    assert content_kind("TEXT/XML; charset=utf-8", b"") == "xml"
    assert content_kind(FORM, b"SessionID=1") == "form"
    assert content_kind(None, b"  <s/>") == "xml"
    with pytest.raises(Malformed):
        content_kind("application/json", b"{}")


def test_references_are_unguessable_and_fit_every_field() -> None:
    seen = {new_reference() for _ in range(2000)}
    assert len(seen) == 2000
    for reference in seen:
        assert len(reference) <= 64  # the smallest field a reference may live in
        assert is_reference(reference)
        hex_part = reference.removeprefix("slack-")
        assert len(hex_part) * 4 >= 96  # bits
    assert not is_reference("slack-1234")
    assert not is_reference("")
    assert not is_reference(None)


@settings(max_examples=300, deadline=None)
@given(
    body=st.one_of(
        st.binary(max_size=2000),
        st.text(max_size=500).map(str.encode),
        st.dictionaries(st.sampled_from(list(START)), st.text(max_size=50)).map(form),
        st.dictionaries(st.sampled_from(list(START)), st.text(max_size=50)).map(
            lambda values: xml(values)
        ),
    ),
    content_type=st.sampled_from([FORM, "text/xml", "application/xml", None, "text/plain"]),
)
def test_any_body_is_read_or_refused_and_nothing_else(
    body: bytes, content_type: str | None
) -> None:
    try:
        post = parse_post(body, content_type)
    except PostError:
        return
    assert post.session_id and post.phase in (Phase.START, Phase.END)
    assert "chat" not in repr(post).lower()
