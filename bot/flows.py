"""Counting the PIN requests under way, so a shutdown can wait for them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.metrics import IN_FLIGHT


class Flows:
    def __init__(self) -> None:
        self.count = 0
        self._idle = asyncio.Event()
        self._idle.set()

    @asynccontextmanager
    async def track(self) -> AsyncIterator[None]:
        self.count += 1
        self._idle.clear()
        IN_FLIGHT.inc()
        try:
            yield
        finally:
            self.count -= 1
            IN_FLIGHT.dec()
            if self.count == 0:
                self._idle.set()

    async def drain(self, within: float) -> bool:
        """True when every flow finished within `within` seconds."""
        try:
            await asyncio.wait_for(self._idle.wait(), within)
        except TimeoutError:
            return False
        return True
