"""The logging pipeline: secrets and customer fields never reach a rendered line, in either
format (what each redaction step does on its own: test_redaction.py)."""

from __future__ import annotations

import dataclasses
import io
import json
import logging

from bot import logs


def lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_secret_keys_are_blanked(log_stream: io.StringIO) -> None:
    logs.get_logger("t").info(
        "e", authcode="abc", pwd="pw", cfield0="Jane", tracking0="T1", outcome="OK"
    )
    [line] = lines(log_stream)
    assert line["authcode"] == line["pwd"] == line["cfield0"] == line["tracking0"] == logs.REDACTED
    assert line["outcome"] == "OK"


def test_registered_values_are_scrubbed_everywhere(log_stream: io.StringIO) -> None:
    logs.register_secrets(["registered-authcode-123"])
    logging.getLogger("someone.else").warning("posting authcode registered-authcode-123 now")
    logs.get_logger("t").info("x registered-authcode-123", note=["registered-authcode-123"])
    assert "registered-authcode-123" not in log_stream.getvalue()


def test_token_shapes_and_form_bodies_are_scrubbed(log_stream: io.StringIO) -> None:
    logging.getLogger("slack").warning(
        "xoxb-123-456-abcdef and xapp-1-A1-xyz authcode=s3cr3t&cfield0=x pwd=hunter2"
    )
    text = log_stream.getvalue()
    for secret in ("xoxb-123-456-abcdef", "xapp-1-A1-xyz", "s3cr3t", "hunter2"):
        assert secret not in text


def test_tracebacks_carry_no_locals(log_stream: io.StringIO) -> None:
    def fails(authcode: str) -> None:
        raise RuntimeError("boom")

    try:
        fails("local-authcode-value")
    except RuntimeError:
        logs.get_logger("t").exception("failed")
    text = log_stream.getvalue()
    assert "boom" in text and "local-authcode-value" not in text


def test_console_format_is_scrubbed_too() -> None:
    stream = io.StringIO()
    logs.setup("INFO", "console", stream)
    try:
        logs.register_secrets(["console-secret-42"])
        logs.get_logger("t").info("said console-secret-42", pwd="x")
        assert "console-secret-42" not in stream.getvalue() and "[redacted]" in stream.getvalue()
    finally:
        logs.setup("INFO", "json")


def test_values_are_scrubbed_as_the_renderers_escape_them(log_stream: io.StringIO) -> None:
    # Values are scrubbed once, in the rendered line: JSON writes a quote or a backslash
    # escaped, so the escaped form must be known too.
    awkward = 'odd"authcode\\with-escapes-0123'
    logs.register_secrets([awkward])
    logs.get_logger("t").info("said", note=awkward, nested={"inner": [awkward]})
    logging.getLogger("someone.else").warning("raw %s", awkward)
    decoded = [text for line in lines(log_stream) for text in strings(line)]
    assert len(decoded) > 3 and not any(awkward in text for text in decoded)


def strings(value: object) -> list[str]:
    """Every string in a parsed line, as it reads once decoded."""
    if isinstance(value, dict):
        return [*value.keys(), *(s for v in value.values() for s in strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return [value] if isinstance(value, str) else []


def test_secret_keys_are_blanked_at_any_depth(log_stream: io.StringIO) -> None:
    logs.get_logger("t").info("e", where={"inner": {"authcode": "deep-value"}}, items=[1, 2])
    [line] = lines(log_stream)
    assert line["where"] == {"inner": {"authcode": logs.REDACTED}}
    assert line["items"] == [1, 2]


def test_a_secret_escaped_twice_is_scrubbed_too(log_stream: io.StringIO) -> None:
    # An exception's repr or a %r argument inside a JSON line escapes a value twice; repr()
    # escapes a quote one way or the other depending on the string around it.
    awkward = "pw\"with'both\\quotes-0123"
    logs.register_secrets([awkward])
    try:
        raise KeyError(awkward)
    except KeyError:
        logs.get_logger("t").exception("failed")
    logging.getLogger("someone.else").warning("got %r in %r", awkward, [awkward, "x'y"])
    logs.get_logger("t").info("said", error=repr(KeyError(awkward)))
    shapes = {awkward, repr(awkward)[1:-1], repr(awkward + '"')[1:-2]}
    decoded = [text for line in lines(log_stream) for text in strings(line)]
    assert len(decoded) > 5
    assert not [text for text in decoded for shape in shapes if shape in text]


def test_a_dataclass_is_logged_by_its_repr_not_its_fields(log_stream: io.StringIO) -> None:
    @dataclasses.dataclass
    class Answer:
        outcome: str
        authcode: str = dataclasses.field(repr=False)

    logs.get_logger("t").info("e", answer=Answer("OK", "hidden-by-repr-0042"))
    [line] = lines(log_stream)
    assert "hidden-by-repr-0042" not in log_stream.getvalue() and "OK" in line["answer"]
