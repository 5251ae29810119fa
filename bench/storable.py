"""What making text storable costs on the hot path (bot/storage/storable.py), per call:

    .venv/bin/python -m bench.storable
    .venv/bin/python -m bench.storable --store [DATABASE_URL]   # also a request's store work

- `storable()` alone, on a customer name without and with a NUL;
- the PIN request's audit insert, its parameters bound as `Prepared.execute` binds them
  (every bind processor of the compiled statement), with the Storable types and with the
  processors a plain `String`/`Text` has, on each dialect: the difference is the cost per row;
- with `--store`: the CPU of one PIN request's database work (claim, the audit row with the
  guard's release, delivered, an App Home read) through the real Store, on a fresh SQLite
  file or a migrated database; run it here and on a checkout without the change
  (`PYTHONPATH=that/checkout`) to compare.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
import timeit
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from cryptography.fernet import Fernet
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect

from bot.audit import INSERT_AUDIT, audit_values
from bot.crypto import Cipher
from bot.storage.storable import StorableString, StorableText, storable
from bot.store import Store
from tests.support.settings import driver_url

ROW = {
    "team_id": "T0001",
    "user_id": "U0123ABCD",
    "action": "request",
    "kind": "rescue",
    "channel_id": "C0123ABCD",
    "cfield0": "Jane Doe",
    "tracking0": "TCK-4711",
    "outcome": "OK",
    "pin": "123456",
}


def per_call_us(run: Callable[[], Any], number: int = 200_000) -> float:
    return min(timeit.repeat(run, number=number, repeat=5)) / number * 1e6


def binder(dialect: Dialect, plain: bool) -> Callable[[], tuple[Any, ...]]:
    """Prepared.execute's parameter loop for the audit insert; `plain`: a Storable bind's
    processor replaced by what its `impl` (String/Text) would have had."""
    compiled = INSERT_AUDIT.compile(dialect=dialect)
    names = tuple(compiled.positiontup or ())
    processors = []
    for name in names:
        kind = compiled.binds[name].type
        if plain and isinstance(kind, StorableString | StorableText):
            kind = kind.impl_instance
        processors.append(kind.dialect_impl(dialect).bind_processor(dialect))
    values = audit_values(ROW, "0123456789ab")
    pairs = tuple(zip(names, processors, strict=True))

    def bind() -> tuple[Any, ...]:
        return tuple(values[n] if p is None else p(values[n]) for n, p in pairs)

    return bind


async def store_work(url: str, n: int = 500) -> float:
    """µs of CPU per request's database work, the best of five runs of `n`."""
    store = await Store.open(driver_url(url), Cipher([Fernet.generate_key().decode()]))
    await store.link("T0001", "U0123ABCD", "bench-authcode", "cli")

    async def one() -> None:
        await store.claim("T0001", "U0123ABCD", timedelta(minutes=1))
        audit_id = await store.finish_request("T0001", "U0123ABCD", "OK", ROW)
        assert audit_id is not None
        await store.set_delivered(audit_id, True)
        await store.audit_rows(user_id="U0123ABCD", team_id="T0001", limit=5)

    try:
        for _ in range(100):
            await one()
        runs = []
        for _ in range(5):
            started = time.process_time()
            for _ in range(n):
                await one()
            runs.append((time.process_time() - started) / n * 1e6)
        return min(runs)
    finally:
        await store.close()


def main() -> None:
    for label, value in (("'Jane Doe'", "Jane Doe"), ("'Ann\\x00Nul'", "Ann\x00Nul")):
        print(f"storable({label:<13}) {per_call_us(lambda v=value: storable(v)):.3f} µs")
    for dialect in (sqlite.dialect(), postgresql.asyncpg.dialect()):  # type: ignore[attr-defined]
        plain = per_call_us(binder(dialect, plain=True), 100_000)
        kept = per_call_us(binder(dialect, plain=False), 100_000)
        print(
            f"audit insert binds, {dialect.name:<10} plain {plain:.2f} µs,"
            f" storable {kept:.2f} µs, +{kept - plain:.2f} µs a row"
        )
    if "--store" in sys.argv:
        given = sys.argv[sys.argv.index("--store") + 1 :]
        url = given[0] if given else f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
        cpu = asyncio.run(store_work(url))
        print(f"a request's store work, {url.partition(':')[0]}: {cpu:.0f} µs CPU")


if __name__ == "__main__":
    main()
