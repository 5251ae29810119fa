"""Each request in its person's language: what sets it (in Bolt's middleware), and learning a
person's Slack locale without holding anything up (bot/language keeps it)."""

from __future__ import annotations

from typing import Any

from slack_bolt.request.async_request import AsyncBoltRequest

from bot.language import language, supported
from bot.linking import link as linking
from bot.runtime import Runtime

# A locale lookup no request waits for longer than this (users.info answers in tens of ms).
LOOKUP_SECONDS = 2.0


def payload_locale(body: dict[str, Any]) -> str | None:
    """The user's locale, where a payload carries one (`locale`, or `user.locale`)."""
    user = body.get("user")
    found = body.get("locale") or (user.get("locale") if isinstance(user, dict) else None)
    return found if isinstance(found, str) and found else None


def speak_for(runtime: Runtime, req: AsyncBoltRequest) -> None:
    """Sets the language of everything this request builds: the person's Slack locale as the
    app last learnt it (or as the payload carries it), else DEFAULT_LANGUAGE. Never asks
    Slack: a request that needs to learn it does so after its modal opened. Run by the
    middleware that provides the runtime (handlers.listening.ProvideRuntime): one layer of
    Bolt middleware fewer on every request."""
    user_id = req.context.user_id
    locale = payload_locale(req.body) if isinstance(req.body, dict) else None
    if user_id and locale:
        runtime.locales.remember(user_id, locale)
    known = runtime.locales.get(user_id) if user_id else None
    language(supported(known))  # None: DEFAULT_LANGUAGE


async def learn_locale(runtime: Runtime, user_id: str) -> str | None:
    """users.info with include_locale (one at a time per person), remembered; None when Slack
    did not say in time. The rest of this request then speaks what it said."""
    locale = await runtime.locales.learn(
        user_id, lambda: linking.user_locale(runtime, user_id, budget=LOOKUP_SECONDS)
    )
    if locale is not None:
        language(supported(locale))
    return locale
