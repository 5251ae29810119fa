"""Group commit's parts: a write waiting for its turn, trying a batch as one transaction,
and telling each caller what became of its write (bot/storage/database.py runs them)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Connection

from bot.storage.failures import database_failed

# A write waiting for its turn, and what became of it.
Write = tuple[Callable[[Connection], Any], asyncio.Future[Any]]
Settled = tuple[asyncio.Future[Any], Any, BaseException | None]


def attempt(run: Callable[[Any], Any], work: Any) -> tuple[Any, Exception | None]:
    try:
        return run(work), None
    except Exception as error:
        return None, error


async def attempt_async(running: Awaitable[Any]) -> tuple[Any, Exception | None]:
    try:
        return await running, None
    except Exception as error:
        return None, error


def as_one(batch: list[Write], together: tuple[Any, Exception | None]) -> list[Settled] | None:
    """A batch committed as one transaction: each write's result; or, when the database
    failed, that failure for each; or None when one write's data failed it: each write is then
    tried alone, so that one bad write fails alone."""
    results, error = together
    if error is None:
        return [(done, result, None) for (_, done), result in zip(batch, results, strict=True)]
    if database_failed(error):
        return [(done, None, error) for _, done in batch]
    return None


def settle(settled: list[Settled]) -> None:
    for done, result, error in settled:
        if done.done():  # its caller was cancelled; the work was done all the same
            continue
        if error is None:
            done.set_result(result)
        else:
            done.set_exception(error)


@dataclass
class Lanes:
    """Writes waiting for their turn, in two lanes (issue 22, decisions 1 and 2). The durable
    lane's commits are on disk before their callers hear of them. The light lane's are not
    flushed on their own (PostgreSQL: `synchronous_commit = off` for that transaction alone;
    SQLite: a connection at `synchronous=NORMAL` under WAL): a crash can lose its last
    commits, and what it holds means nothing after one: the PIN guard (its request died with
    the process) and a PIN's `delivered` (unknown then, and shown so). The next durable
    commit flushes them with it. One taker takes both, the light lane first: a PIN request
    waits on its guard before it calls Rescue."""

    durable: list[Write] = field(default_factory=list)
    light: list[Write] = field(default_factory=list)
    taking: bool = False  # a taker is committing them, batch after batch

    def add(self, write: Write, durable: bool) -> bool:
        """True when no taker runs: the caller starts one."""
        (self.durable if durable else self.light).append(write)
        start, self.taking = not self.taking, True
        return start

    def take(self) -> tuple[list[Write], list[Write]]:
        """(light, durable): what waits now; when nothing does, the taker stops."""
        light, durable, self.light, self.durable = self.light, self.durable, [], []
        if not (light or durable):
            self.taking = False
        return light, durable

    def drop(self) -> list[Write]:
        """Everything waiting, taken by nobody: the taker failed (shutdown)."""
        self.taking = False
        left, self.light, self.durable = self.light + self.durable, [], []
        return left
