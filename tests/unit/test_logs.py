"""The redaction processor: secrets and customer fields never reach a rendered line."""

from __future__ import annotations

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
