"""Each person's Slack locale, kept for the process's life: a PIN request after a person's
first one asks Slack nothing to know their language.

A bounded memory, not a database column: the locale is Slack's to know (the person may change
it any day), it costs one users.info to learn again, and App Home refreshes it. Past `size`
people the longest-known is forgotten (and asked for again). One lookup per person at a time:
the modal's update and a concurrent request share it. A lookup Slack answered with nothing
(a failure, a hang) is not repeated for `retry_after` seconds: meanwhile DEFAULT_LANGUAGE.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

Lookup = Callable[[], Awaitable[str | None]]


class Locales:
    def __init__(self, size: int = 10_000, retry_after: float = 900.0) -> None:
        self._size = size
        self._retry_after = retry_after
        # user -> their locale, or the monotonic time Slack last said nothing
        self._known: dict[str, str | float] = {}
        self._asking: dict[str, asyncio.Future[str | None]] = {}

    def get(self, user_id: str) -> str | None:
        found = self._known.get(user_id)
        return found if isinstance(found, str) else None

    def needs_asking(self, user_id: str) -> bool:
        found = self._known.get(user_id)
        if isinstance(found, str):
            return False
        return found is None or time.monotonic() - found >= self._retry_after

    def remember(self, user_id: str, locale: str) -> None:
        self._keep(user_id, locale)

    def _keep(self, user_id: str, value: str | float) -> None:
        self._known.pop(user_id, None)
        self._known[user_id] = value
        while len(self._known) > self._size:
            del self._known[next(iter(self._known))]

    async def learn(self, user_id: str, lookup: Lookup) -> str | None:
        """Ask (once, however many wait) and remember what Slack said; None if it did not."""
        asking = self._asking.get(user_id)
        if asking is None:
            asking = asyncio.ensure_future(lookup())
            self._asking[user_id] = asking
            asking.add_done_callback(lambda _: self._asking.pop(user_id, None))
        locale = await asyncio.shield(asking)
        if locale:
            self._keep(user_id, locale)
        elif self.get(user_id) is None:
            self._keep(user_id, time.monotonic())
        return locale
