"""The follow-through's rows on SQLite and PostgreSQL: state moves, response_url uses, the
notes' short life, retention, and key rotation."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select, update

from bot.config import Settings
from bot.crypto import Cipher
from bot.sessions.post import new_reference
from bot.sessions.rows import NOTES_TTL, RESPONSE_URL_USES, Facts
from bot.storage.database import now
from bot.storage.schema import sessions
from bot.store import Store

NOTES = "Notes kept sealed until the summary is posted."
URL = "https://hooks.slack.test/response/T1/abc"


def driver_url(url: str) -> str:
    return Settings(_env_file=None, database_url=url).sqlalchemy_url  # type: ignore[call-arg]


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[Store]:
    store = await Store.open(driver_url(database_url), Cipher([Fernet.generate_key().decode()]))
    yield store
    await store.close()


def facts(**values: object) -> Facts:
    base: dict[str, object] = {
        "session_id": "1001",
        "technician": "Ada",
        "customer": "Jane",
        "ticket": "T-1",
        "waiting_seconds": 30,
        "waiting_raw": "30",
    }
    return Facts(**{**base, **values})  # type: ignore[arg-type]


async def raw(store: Store, reference: str) -> object:
    db = store._db  # noqa: SLF001 - the test reads what is stored
    return await db.read(
        lambda c: c.execute(select(sessions).where(sessions.c.reference == reference)).first()
    )


async def opened(store: Store, audit_id: int = 7) -> tuple[str, int]:
    reference = new_reference()
    row = await store.sessions.open(reference, "T1", "U1", "rescue", "C1", URL)
    await store.sessions.settle(row, "123456", audit_id)
    return reference, row


async def test_start_end_and_their_duplicates(store: Store) -> None:
    reference, _ = await opened(store)
    assert (await store.sessions.start("slack-" + "f" * 32, facts())).result == "unknown"
    first = await store.sessions.start(reference, facts())
    assert first.result == "matched" and first.row is not None and first.row.state == "in_session"
    assert (await store.sessions.start(reference, facts())).result == "duplicate"
    end = await store.sessions.end(reference, facts(length_seconds=600, notes=NOTES))
    assert end.result == "matched" and end.row is not None and end.row.notes == NOTES
    assert (await store.sessions.end(reference, facts(notes=NOTES))).result == "duplicate"
    assert (await store.sessions.start(reference, facts())).result == "duplicate"
    stored = await raw(store, reference)
    assert NOTES not in repr(stored) and URL not in repr(stored)  # sealed at rest


async def test_a_failed_pin_request_leaves_no_row(store: Store) -> None:
    reference = new_reference()
    row = await store.sessions.open(reference, "T1", "U1", "rescue", "C1", None)
    await store.sessions.settle(row, None, 3)
    assert await raw(store, reference) is None


async def test_a_response_url_is_spent_at_most_five_times_then_never_after_30_minutes(
    store: Store,
) -> None:
    _, row = await opened(store)
    taken = [await store.sessions.take_pin_url(row) for _ in range(RESPONSE_URL_USES)]
    assert taken == [URL] * (RESPONSE_URL_USES - 1) + [None]  # the PIN's delivery was the first
    reference, row = await opened(store)
    db = store._db  # noqa: SLF001
    await db.write(
        lambda tx: tx.execute(
            update(sessions)
            .where(sessions.c.id == row)
            .values(pin_url_at=now() - timedelta(minutes=30))
        )
    )
    assert await store.sessions.take_pin_url(row) is None


async def test_notes_go_after_posting_or_after_their_time(store: Store) -> None:
    reference, row = await opened(store)
    await store.sessions.end(reference, facts(notes=NOTES))
    assert await store.sessions.claim_summary_post(row) is True
    assert await store.sessions.claim_summary_post(row) is False  # one click posts
    await store.sessions.summary_posted(row, posted=True)
    got = await store.sessions.row(row, with_notes=True)
    assert got is not None and got.notes is None

    reference, row = await opened(store)
    await store.sessions.end(reference, facts(notes=NOTES))
    db = store._db  # noqa: SLF001
    await db.write(
        lambda tx: tx.execute(
            update(sessions)
            .where(sessions.c.id == row)
            .values(ended_at=now() - NOTES_TTL - timedelta(minutes=1))
        )
    )
    await store.purge_audit(timedelta(days=90))
    got = await store.sessions.row(row, with_notes=True)
    assert got is not None and got.notes is None and got.state == "ended"


async def test_retention_and_abandoned_requests(store: Store) -> None:
    old, _ = await opened(store)
    abandoned = new_reference()
    await store.sessions.open(abandoned, "T1", "U1", "rescue", "C1", URL)
    db = store._db  # noqa: SLF001
    await db.write(
        lambda tx: tx.execute(update(sessions).values(created_at=now() - timedelta(days=2)))
    )
    fresh, _ = await opened(store)
    await store.purge_audit(timedelta(days=1))
    assert await raw(store, old) is None and await raw(store, abandoned) is None
    assert await raw(store, fresh) is not None


async def test_rotate_key_reseals_urls_and_notes(database_url: str) -> None:
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    store = await Store.open(driver_url(database_url), Cipher([old_key]))
    try:
        reference, row = await opened(store)
        await store.sessions.end(reference, facts(notes=NOTES))
    finally:
        await store.close()
    store = await Store.open(driver_url(database_url), Cipher([new_key, old_key]))
    try:
        await store.rotate_key()
    finally:
        await store.close()
    store = await Store.open(driver_url(database_url), Cipher([new_key]))
    try:
        got = await store.sessions.row(row, with_notes=True)
        assert got is not None and got.notes == NOTES
        assert await store.sessions.take_pin_url(row) == URL
    finally:
        await store.close()
