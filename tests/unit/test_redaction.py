"""Redaction step by step: what qualifies to be found in free text, the bounded set of
confirmed values, shapes, and the processor that leaves every line one JSON object."""

from __future__ import annotations

import io
import json
import logging

import pytest

from bot import logs
from bot.logs import redaction
from bot.logs.redaction import REDACTED, ConfirmedSecrets, qualifies, redact, scrub

# What a Slack workspace puts in every line, and what a person might type to hide it.
TEAM_ID, USER_ID = "T0001ABCD", "U0123ABCDE"


@pytest.mark.parametrize(
    "value",
    [
        TEAM_ID,
        USER_ID,
        "E0123456789",  # an organisation
        '","user":',  # JSON punctuation
        "pin_requested_and_delivered",  # an event name: no digit
        "1234567890123456789",  # a number: no letter
        "aaaa1111aaaa1111aaaa",  # too few distinct characters
        "correct horse 42 battery",  # words
        "short-1",
    ],
)
def test_ids_words_and_punctuation_never_qualify(value: str) -> None:
    assert not qualifies(value)
    scrubber = ConfirmedSecrets()
    scrubber.add([value])
    assert len(scrubber) == 0
    assert scrubber.scrub(f"team {value} did it") == f"team {value} did it"


@pytest.mark.parametrize(
    "value",
    [
        "xoxb-1111111111-2222222222-AbCdEf012345",
        "0f9e8d7c6b5a49382716aabbccddeeff",  # a signing secret's shape
        "Kq3vN8sLx2Rw7TzP1mYc",  # an authcode's
    ],
)
def test_random_tokens_qualify(value: str) -> None:
    assert qualifies(value)


def test_a_confirmed_value_is_found_at_any_offset_and_length() -> None:
    # A text is looked up every few characters, not at each one: every offset and every
    # length must still be found.
    scrubber = ConfirmedSecrets()
    values = [
        f"k{n:02d}-" + "abcdefghijklmnopqrstuvwxyz"[: length - 4]
        for n, length in enumerate(range(redaction.MIN_LENGTH, 31))
    ]
    scrubber.add(values)
    assert len(scrubber) == len(values)
    for value in values:
        for offset in range(20):
            text = "a" * offset + value + " tail"
            assert scrubber.scrub(text) == "a" * offset + REDACTED + " tail", (value, offset)


def test_overlapping_and_repeated_values_are_all_scrubbed() -> None:
    scrubber = ConfirmedSecrets()
    scrubber.add(["abcdefghijklmnop-secret-1", "ghijklmnop-secret-1-longer"])
    scrubbed = scrubber.scrub("x abcdefghijklmnop-secret-1 y ghijklmnop-secret-1-longer z")
    assert scrubbed == f"x {REDACTED} y {REDACTED} z"


def test_the_set_is_bounded_and_forgets_the_least_recently_confirmed() -> None:
    scrubber = ConfirmedSecrets(capacity=3)
    first, second, third, fourth = (f"confirmed-authcode-{n}-xyz" for n in range(4))
    scrubber.add([first, second, third])
    scrubber.add([first])  # confirmed again: now the most recent
    scrubber.add([fourth])
    assert len(scrubber) == 3
    assert scrubber.scrub(second) == second  # forgotten
    for value in (first, third, fourth):
        assert scrubber.scrub(value) == REDACTED


def test_the_apps_own_secrets_are_never_forgotten() -> None:
    scrubber = ConfirmedSecrets(capacity=2)
    held = "0f9e8d7c6b5a49382716aabbccddeeff"
    scrubber.add([held], held=True)
    scrubber.add(f"confirmed-authcode-{n}-xyz" for n in range(10))
    assert len(scrubber) == 3 and scrubber.scrub(f"sig={held}") == f"sig={REDACTED}"


def test_a_forgotten_value_leaves_one_that_shares_a_form() -> None:
    # repr() of the first is the second as written: one form, two values.
    scrubber = ConfirmedSecrets(capacity=1)
    scrubber.add(["quote'd-authcode-0123"])
    scrubber.add(["quote\\'d-authcode-0123"])
    assert scrubber.scrub("quote\\'d-authcode-0123") == REDACTED


def test_a_value_that_cannot_be_written_as_json_still_registers() -> None:
    scrubber = ConfirmedSecrets()
    scrubber.add(["lone-\ud800-surrogate-value-1"])
    assert scrubber.scrub("x lone-\ud800-surrogate-value-1 y") == f"x {REDACTED} y"


def test_shapes_are_scrubbed_wherever_they_are() -> None:
    key = "Kq3vN8sLx2Rw7TzP1mYcKq3vN8sLx2Rw7TzP1mYcAbC="
    text = (
        f"xoxb-123-456-abcdef and xapp-1-A1-xyz authcode=s3cr3t&cfield0=x pwd=hunter2 "
        f"keys {key},{key} token=xwfp-1-abc to +4915123456789 with code: one-time-code"
    )
    scrubbed = scrub(text)
    for secret in ("xoxb-123", "xapp-1", "s3cr3t", "hunter2", key, "xwfp-1", "4915123", "one-time"):
        assert secret not in scrubbed
    assert scrubbed.startswith(f"{REDACTED} and {REDACTED} authcode={REDACTED}&cfield0=x")


def test_a_number_after_an_escaped_newline_is_scrubbed() -> None:
    # In a repr (an exception's message, a %r argument), a newline before a number is `\n+1…`.
    scrubbed = scrub(repr("Call me:\n+14155550123\tor\t+4915123456789"))
    assert "4155550123" not in scrubbed and "15123456789" not in scrubbed


def test_what_no_secret_is_stays_as_it_is() -> None:
    text = "at 2026-12-01T19:56:41+0000, PIN 012345, team T0001 user U0002, a=b"
    assert scrub(text) == text


def test_the_processor_works_on_values_and_keeps_the_structure() -> None:
    secret = 'odd"authcode\\with-escapes-0123'
    redaction.confirmed.add([secret])
    line = {
        "event": f"said {secret}",
        "team": TEAM_ID,
        "nested": {"inner": [secret, 7, None], "authcode": "anything", "PWD": "x"},
        "pair": ("a", secret),
        "error": KeyError(secret),
    }
    assert redact(None, "info", line) == {
        "event": f"said {REDACTED}",
        "team": TEAM_ID,
        "nested": {"inner": [REDACTED, 7, None], "authcode": REDACTED, "PWD": REDACTED},
        "pair": ["a", REDACTED],
        "error": f"KeyError('{REDACTED}')",
    }


def test_a_frames_look_alike_is_walked_like_any_value() -> None:
    line = {"event": "e", "where": {"frames": [{"name": "x", "text": "typed"}]}}
    assert redact(None, "info", line)["where"]["frames"] == [{"name": "x", "text": REDACTED}]


def test_every_line_stays_one_json_object_whatever_a_value_holds(
    log_stream: io.StringIO,
) -> None:
    # Values a person might type: none of them is ever registered, and a confirmed secret
    # full of JSON punctuation is replaced inside its string, not in the rendered line.
    punctuation = '","user":"U9","x":"\\'
    logs.register_secrets(['"}{,"user":"Kq3vN8sLx2Rw7TzP1m'])
    log = logs.get_logger("t")
    log.info("pin_requested", team=TEAM_ID, user=USER_ID, note=punctuation)
    log.info("typed", note='"}{,"user":"Kq3vN8sLx2Rw7TzP1m')
    logging.getLogger("someone.else").warning("got %r", punctuation)
    first, second, third = (json.loads(line) for line in log_stream.getvalue().splitlines())
    assert (first["event"], first["team"], first["user"]) == ("pin_requested", TEAM_ID, USER_ID)
    assert first["note"] == punctuation
    assert second["note"] == REDACTED
    assert third["event"] == f"got {punctuation!r}"
