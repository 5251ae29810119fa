"""bot/language: whose language, resolved how, remembered how long; pure, no mocks."""

from __future__ import annotations

import asyncio

import pytest

from bot.language import Locales, current, duration, ngettext, speaking, supported
from bot.language.current import language, set_default


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("de-DE", "de"),
        ("pt-BR", "pt_BR"),
        ("pt-PT", "pt_BR"),  # the one Portuguese, by language
        ("es-LA", "es"),  # Slack's Latin American Spanish is no CLDR locale
        ("es-ES", "es"),
        ("ja-JP", "ja"),
        ("en-GB", "en"),
        ("fr-CA", "fr"),
        ("zh-CN", None),
        ("ko-KR", None),
        ("", None),
        (None, None),
        ("not a locale", None),
    ],
)
def test_a_slack_locale_is_spoken_exactly_then_by_language(
    locale: str | None, expected: str | None
) -> None:
    assert supported(locale) == expected


def test_an_unsupported_locale_reads_the_default_language() -> None:
    set_default("de")
    try:
        language(supported("zh-CN"))
        assert current() == "de"
        language(supported("ja-JP"))
        assert current() == "ja"
    finally:
        set_default("en")
        language(None)


def test_speaking_holds_only_inside_the_block() -> None:
    language("de")
    try:
        with speaking("ja"):
            assert current() == "ja"
        with speaking(None):  # nobody in particular: the reader's own
            assert current() == "de"
        assert current() == "de"
    finally:
        language(None)


def test_durations_read_naturally_in_each_language() -> None:
    expected = {
        "en": "1 min, 15 sec",
        "de": "1 Min., 15 Sek.",
        "ja": "1 分 15 秒",
        "es": "1 min, 15 s",
    }
    for name, words in expected.items():
        with speaking(name):
            assert duration(75) == words


def test_plural_forms_pick_by_number() -> None:
    one = ngettext("%(num)d character", "%(num)d characters", 1)
    many = ngettext("%(num)d character", "%(num)d characters", 5)
    assert (one, many) == ("1 character", "5 characters")


def test_locales_are_bounded_and_the_newest_stay() -> None:
    memory = Locales(size=2)
    memory.remember("U1", "de-DE")
    memory.remember("U2", "ja-JP")
    memory.remember("U1", "de-DE")  # known again: now the newest
    memory.remember("U3", "es-LA")
    assert [memory.get(u) for u in ("U1", "U2", "U3")] == ["de-DE", None, "es-LA"]


async def test_one_lookup_per_person_however_many_wait() -> None:
    memory = Locales()
    asked: list[str] = []
    answer: asyncio.Future[str | None] = asyncio.get_running_loop().create_future()

    async def lookup() -> str | None:
        asked.append("U1")
        return await answer

    waiting = [asyncio.ensure_future(memory.learn("U1", lookup)) for _ in range(3)]
    await asyncio.sleep(0)
    answer.set_result("fr-FR")
    assert await asyncio.gather(*waiting) == ["fr-FR"] * 3
    assert asked == ["U1"] and memory.get("U1") == "fr-FR"


async def test_a_lookup_that_says_nothing_is_not_remembered() -> None:
    memory = Locales()

    async def lookup() -> str | None:
        return None

    assert await memory.learn("U1", lookup) is None and memory.get("U1") is None


async def test_a_person_slack_said_nothing_about_is_not_asked_again_at_once() -> None:
    memory = Locales(retry_after=3600)
    assert memory.needs_asking("U1")

    async def nothing() -> str | None:
        return None

    await memory.learn("U1", nothing)
    assert not memory.needs_asking("U1") and memory.get("U1") is None
    memory.remember("U1", "de-DE")  # a payload said it after all
    assert memory.get("U1") == "de-DE" and not memory.needs_asking("U1")
    assert Locales(retry_after=0).needs_asking("U2")
