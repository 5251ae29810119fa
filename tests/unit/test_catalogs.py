"""The translations: complete, faithful to the code's placeholders and Slack's markup, within
Block Kit's limits in every language, and never stale against the code.

Red until every catalog is translated: that is the point (a sentence added to the code without
its translations fails here)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

from bot.home.view import HomeRow, home_view
from bot.language import LANGUAGES, SOURCE_LANGUAGE, speaking
from bot.language.catalogs import LOCALE_DIR, catalog_path
from bot.linking.modal import link_modal
from bot.pins import messages, modals
from bot.pins import texts as pin_texts
from bot.pins.messages import PinDetails
from bot.pins.modals import ModalState
from bot.rescue import texts as rescue_texts
from bot.rescue.client import FIELD_LIMITS, TEXT_FIELDS, Kind
from bot.sessions.messages import (
    SessionView,
    connected_message,
    posted_summary,
    shared_used_followup,
    shared_used_message,
    summary_message,
)
from bot.workflow.step import StepInputs, step_closed_message, step_message
from tests.support.blockkit import message_problems, view_problems

ROOT = Path(__file__).resolve().parents[2]
TRANSLATED = [name for name in LANGUAGES if name != SOURCE_LANGUAGE]

PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
SLACK_BRACE = re.compile(r"\{\w+\}")  # Slack's date tokens: {time}, {date_short_pretty}
MENTION = re.compile(r"<[@#][^>]*>")  # <@%(user)s>, <#C…>
DATE_HEAD = re.compile(r"<!date\^%\(epoch\)s\^")
LINK = re.compile(r"<https?://[^>]*>")
CODE = re.compile(r"`[^`]+`")  # commands: `/rescue-pin link`
EMOJI = re.compile(r"(?<![\w:]):[a-z0-9_+-]+:(?![\w:])")
ITALIC = re.compile(r"(?<![\w])_[^_\s][^_]*_(?![\w])")


@cache
def catalog(language: str) -> Catalog:
    with catalog_path(language).open("rb") as po:
        return read_po(po, locale=language)


@cache
def template() -> Catalog:
    with (LOCALE_DIR / "messages.pot").open("rb") as pot:
        return read_po(pot)


def entries(found: Catalog) -> list[Message]:
    return [message for message in found if message.id]


def forms(message: Message) -> list[tuple[str, str]]:
    """(source, translation) pairs: each plural form against the msgid it stands for."""
    if isinstance(message.id, tuple):
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        singular, plural = message.id
        return [
            (singular if i == 0 and len(strings) > 1 else plural, s) for i, s in enumerate(strings)
        ]
    return [(message.id, message.string if isinstance(message.string, str) else "")]


def label(message: Message) -> str:
    return (message.id[0] if isinstance(message.id, tuple) else message.id)[:70]


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_is_translated_and_none_is_fuzzy(language: str) -> None:
    missing = [
        label(message)
        for message in entries(catalog(language))
        if message.fuzzy or not all(string for _, string in forms(message))
    ]
    assert missing == [], f"{language}: {len(missing)} untranslated or fuzzy"


@pytest.mark.parametrize("language", TRANSLATED)
def test_each_catalog_has_exactly_the_templates_messages(language: str) -> None:
    ids = {message.id for message in entries(catalog(language))}
    assert ids == {message.id for message in entries(template())}, "run `make i18n`"


@pytest.mark.parametrize("language", TRANSLATED)
def test_each_catalog_has_babels_plural_forms(language: str) -> None:
    found = catalog(language)
    assert found.plural_forms == Catalog(locale=language).plural_forms
    for message in entries(found):
        if isinstance(message.id, tuple) and isinstance(message.string, tuple):
            assert len(message.string) == found.num_plurals, label(message)


@pytest.mark.parametrize("language", TRANSLATED)
def test_babels_checkers_find_nothing(language: str) -> None:
    # python-format: the same %(name)s placeholders, of the same types
    problems = [
        f"{label(message)}: {'; '.join(str(error) for error in errors)}"
        for message, errors in catalog(language).check()
    ]
    assert problems == []


def _tokens(text: str) -> dict[str, list[str]]:
    bare = text
    for pattern in (PLACEHOLDER, SLACK_BRACE, MENTION, LINK, CODE):
        bare = pattern.sub(" ", bare)
    bare = re.sub(r"<!date[^>]*>", " ", bare)
    bare = re.sub(r"\b[A-Z0-9]+(?:_[A-Z0-9]+)+\b", " ", bare)  # RESCUE_SSO_COMPANY_ID
    return {
        "placeholders": sorted(PLACEHOLDER.findall(text)),
        "slack date tokens": sorted(SLACK_BRACE.findall(text)),
        "mentions": sorted(MENTION.findall(text)),
        "date heads": DATE_HEAD.findall(text),
        "links": sorted(LINK.findall(text)),
        "code": sorted(CODE.findall(text)),
        "emoji": sorted(EMOJI.findall(text)),
        "bold markers": ["*"] * bare.count("*"),
        "italics": ["_"] * len(ITALIC.findall(bare)),
        "strike markers": ["~"] * bare.count("~"),
        "lines": ["\n"] * text.count("\n"),
        "bullets": ["•"] * text.count("•"),
    }


def markup_problems(source: str, translation: str, singular: bool = False) -> list[str]:
    want, got = _tokens(source), _tokens(translation)
    if singular:  # a singular form may say "one" instead of the number
        for tokens in (want, got):
            tokens["placeholders"] = [p for p in tokens["placeholders"] if p != "%(num)d"]
    return [f"{kind} {want[kind]} became {got[kind]}" for kind in want if got[kind] != want[kind]]


@pytest.mark.parametrize("language", TRANSLATED)
def test_placeholders_and_slack_markup_are_kept(language: str) -> None:
    problems = [
        f"{label(message)}: {problem}"
        for message in entries(catalog(language))
        for source, translation in forms(message)
        if translation  # the completeness test names the empty ones
        for problem in markup_problems(
            source, translation, isinstance(message.id, tuple) and source == message.id[0]
        )
    ]
    assert problems == []


@pytest.mark.parametrize(
    ("source", "translation"),
    [
        ("Shared by <@%(user)s> for a %(kind)s session.", "Geteilt von %(user)s für %(kind)s."),
        ("Type `/rescue-pin link` now.", "Tippe `/rescue-pin verknüpfen` jetzt."),
        ("*Read this to the customer:*", "Lies dies dem Kunden vor:"),
        (":warning: It did *not* go out.", "Es ging *nicht* raus."),
        (
            "At <!date^%(epoch)s^{time}|%(time)s UTC> (your time).",
            "Um <!date^%(epoch)s^{zeit}|%(time)s UTC> (deine Zeit).",
        ),
        ("PIN %(pin)s is used now.", "PIN %(pn)s ist jetzt benutzt."),
        ("a _quiet_ word", "ein leises Wort"),
    ],
)
def test_a_lost_token_or_marker_is_found(source: str, translation: str) -> None:
    assert markup_problems(source, translation) != []
    assert markup_problems(source, source) == []


def test_the_template_is_not_stale_against_the_code() -> None:
    extracted = {
        message if isinstance(message, str) else tuple(message)
        for _, _, message, _, _ in extract_from_dir(
            str(ROOT),
            method_map=[("bot/**.py", "python")],
            keywords=DEFAULT_KEYWORDS,
            comment_tags=("Translators:",),
        )
    }
    in_template = {message.id for message in entries(template())}
    assert extracted - in_template == set(), "sentences not in messages.pot: run `make i18n`"
    assert in_template - extracted == set(), "messages.pot has sentences the code lost"


# --- Block Kit's limits in every language: the real builders, with every sentence ---

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def every_view() -> list[dict[str, Any]]:
    def label(name: str) -> str:
        return name

    notes = {
        "cfield0": pin_texts.too_long_notice(FIELD_LIMITS["cfield0"]),
        "cfield1": pin_texts.SHORTCUT_CUT % {"limit": 1024},
    }
    views = [
        modals.pin_modal(
            ModalState(kind, "https://hooks.slack.com/x", "C1"),
            TEXT_FIELDS,
            label,
            {"cfield0": "Jane"},
            notes,
            sms_region=region,
        )
        for kind in Kind
        for region in (None, "DE")
    ]
    views += [
        link_modal(ModalState(Kind.RESCUE, None, None, other), offer_signin=signin)
        for other in (None, "U0TARGET")
        for signin in (True, False)
    ]
    rows = [
        HomeRow(NOW, "U1", kind, outcome, "012345", "Jane", "T-1", NOW, session)
        for kind in Kind
        for outcome in ("OK", "OUTOFPINCODES")
        for session in (None, "In session")
    ]
    views += [
        home_view(linked, rows, rows if lead else None, NOW)
        for linked in (True, False)
        for lead in (True, False)
    ]
    return views


def every_message() -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for kind in Kind:
        for expires in (None, NOW):
            for texted, sent in ((None, False), ("+49 ••• 89", True), ("+49 ••• 89", False)):
                details = PinDetails(
                    kind,
                    "012345",
                    {"cfield0": "Jane", "tracking0": "T-1"},
                    "https://x/R?i=2&Code=012345",
                    no_tech_console=True,
                    expires_at=expires,
                    texted_to=texted,
                    text_sent=sent,
                )
                found.append(messages.pin_message(details, lambda n: n, share_id=1))
                found.append(messages.pin_message(details, lambda n: n, shared=True))
                found.append(messages.shared_message(details, "U1"))
        for outcome in rescue_texts.FAILURES:
            found.append(messages.failure_message(kind, outcome, "503", "token", NOW))
        step = StepInputs("U1", kind, {"cfield0": "Jane"})
        found += [step_message(step, lambda n: n), step_closed_message(step, lambda n: n, "done")]
        found += [shared_used_message(kind, "012345", "U1"), shared_used_followup(kind, "012345")]
    view = SessionView(
        kind=Kind.RESCUE,
        session_id="1",
        pin="012345",
        customer="Jane",
        ticket="T-1",
        technician="Ada",
        waited_seconds=75,
        lasted_seconds=3725,
        notes="Fixed.",
    )
    found += [
        connected_message(view),
        summary_message(view, "1"),
        summary_message(view, None, posted=True),
        posted_summary(view, "U1"),
        messages.help_message(),
        messages.not_linked_message("U1"),
    ]
    return found


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_view_and_message_fits_slack_in_every_language(language: str) -> None:
    with speaking(language):
        problems = [p for view in every_view() for p in view_problems(view)]
        problems += [p for message in every_message() for p in message_problems(message)]
    assert problems == []
