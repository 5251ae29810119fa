"""Each person's Slack locale, kept for the process's life: a PIN request after a person's
first one asks Slack nothing to know their language.

A bounded memory, not a database column: the locale is Slack's to know (the person may change
it any day), it costs one users.info to learn again, and App Home refreshes it. Past `size`
people the longest-known is forgotten (and asked for again). One lookup per person at a time:
the modal's update and a concurrent request share it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

Lookup = Callable[[], Awaitable[str | None]]


class Locales:
    def __init__(self, size: int = 10_000) -> None:
        self._size = size
        self._locales: dict[str, str] = {}
        self._asking: dict[str, asyncio.Future[str | None]] = {}

    def get(self, user_id: str) -> str | None:
        return self._locales.get(user_id)

    def remember(self, user_id: str, locale: str) -> None:
        self._locales.pop(user_id, None)
        self._locales[user_id] = locale
        while len(self._locales) > self._size:
            del self._locales[next(iter(self._locales))]

    async def learn(self, user_id: str, lookup: Lookup) -> str | None:
        """Ask (once, however many wait) and remember what Slack said; None if it did not."""
        asking = self._asking.get(user_id)
        if asking is None:
            asking = asyncio.ensure_future(lookup())
            self._asking[user_id] = asking
            asking.add_done_callback(lambda _: self._asking.pop(user_id, None))
        locale = await asyncio.shield(asking)
        if locale:
            self.remember(user_id, locale)
        return locale
