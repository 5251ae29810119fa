"""The follow-through's rows: one per PIN request made with a reference, from before Rescue is
asked until the retention purge. Each method is one transaction.

Why the row is written before Rescue is called: a post can only name a reference that Rescue
has seen, and Rescue sees it only in the PIN request, so a post can never find its row missing,
whichever process it reaches. No post needs to be parked and matched later.

State changes are conditional UPDATEs: of two processes handling the same post (Rescue
retrying, or posting twice) exactly one sees a changed row and sends anything to Slack.

Kept encrypted with the authcodes' key: the response_urls (each lets anyone post into a
conversation for 30 minutes) and the technician's notes. Notes live only until the summary is
posted into the conversation, or NOTES_TTL after the end, whichever comes first.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, delete, insert, or_, select, update
from sqlalchemy.engine import Connection

from bot.sessions.rows import (
    BEFORE_START,
    ENDED,
    IN_SESSION,
    PENDING,
    REQUESTED,
    RESPONSE_URL_SAFE,
    RESPONSE_URL_USES,
    Change,
    Facts,
    SessionRow,
)
from bot.sessions.upkeep import SessionUpkeep
from bot.storage.database import now, utc
from bot.storage.schema import audit, sessions

_PLAIN = [c.name for c in SessionRow.__dataclass_fields__.values() if c.name != "notes"]
_TIMES = ("created_at", "started_at", "ended_at", "summary_posted_at")


def _named(facts: Facts) -> dict[str, Any]:
    """What a start and an end both say: the session, who took it, for whom, which ticket."""
    return {
        "session_id": facts.session_id,
        "technician": facts.technician,
        "customer": facts.customer,
        "ticket": facts.ticket,
    }


def _audit_session(tx: Connection, row: Any) -> None:
    """The request's audit row gains the session id, the waiting time and the length."""
    tx.execute(
        update(audit)
        .where(audit.c.id == row.audit_id)
        .values(
            session_id=row.session_id,
            waiting_seconds=row.waiting_seconds,
            length_seconds=row.length_seconds,
        )
    )


class SessionStore(SessionUpkeep):
    """The follow-through's transactions, from the PIN request to the summary's post."""

    def _row(self, raw: Any, with_notes: bool = False) -> SessionRow:
        data = {name: getattr(raw, name) for name in _PLAIN}
        for name in _TIMES:
            data[name] = utc(data[name])
        notes = None
        if with_notes and raw.notes is not None:
            notes = self._cipher.decrypt(raw.notes)
        return SessionRow(**data, notes=notes)

    def _seal(self, value: str | None) -> str | None:
        return None if value is None else self._cipher.encrypt(value)

    # The PIN request

    async def open(
        self,
        reference: str,
        team_id: str,
        user_id: str,
        kind: str,
        channel_id: str | None,
        response_url: str | None,
    ) -> int:
        """Written (and committed) before Rescue is asked for the PIN."""
        values = {
            "reference": reference,
            "team_id": team_id,
            "user_id": user_id,
            "kind": kind,
            "channel_id": channel_id,
            "state": REQUESTED,
            "created_at": now(),
            "pin_url": self._seal(response_url),
            "pin_url_at": now() if response_url else None,
            "pin_url_uses": 1 if response_url else 0,  # the PIN's own delivery is the first use
            "share_url_uses": 0,
        }

        def work(tx: Connection) -> int:
            key = tx.execute(insert(sessions).values(values)).inserted_primary_key
            return int(key[0]) if key else 0

        result: int = await self._db.write(work)
        return result

    async def settle(self, row_id: int, pin: str | None, audit_id: int | None) -> None:
        """Rescue answered: with a PIN the row waits for posts; without one it goes."""

        def work(tx: Connection) -> None:
            if pin is None:
                tx.execute(delete(sessions).where(sessions.c.id == row_id))
                return
            tx.execute(
                update(sessions).where(sessions.c.id == row_id).values(pin=pin, audit_id=audit_id)
            )
            # A post that came in while Rescue's answer was on its way already moved it on:
            # its audit row, written only now, gets what that post said.
            tx.execute(
                update(sessions)
                .where(sessions.c.id == row_id, sessions.c.state == REQUESTED)
                .values(state=PENDING)
            )
            row = tx.execute(select(sessions).where(sessions.c.id == row_id)).first()
            if audit_id is not None and row is not None and row.session_id is not None:
                _audit_session(tx, row)

        await self._db.write(work)

    async def shared(
        self,
        audit_id: int,
        response_url: str | None,
        uses: int,
        channel: str | None = None,
        ts: str | None = None,
    ) -> None:
        """Where the PIN was shared, so a start can mark that copy used."""
        values: dict[str, Any] = {"share_channel": channel, "share_ts": ts}
        if response_url:
            values.update(
                share_url=self._seal(response_url), share_url_at=now(), share_url_uses=uses
            )
        await self._db.write(
            lambda tx: tx.execute(
                update(sessions).where(sessions.c.audit_id == audit_id).values(values)
            )
        )

    # Rescue's posts

    async def start(self, reference: str, facts: Facts) -> Change:
        values = {
            "state": IN_SESSION,
            **_named(facts),
            "waiting_seconds": facts.waiting_seconds,
            "waiting_raw": facts.waiting_raw,
            "started_at": now(),
        }
        return await self._move(reference, BEFORE_START, values, facts)

    async def end(self, reference: str, facts: Facts) -> Change:
        values = {
            "state": ENDED,
            **_named(facts),
            "length_seconds": facts.length_seconds,
            "length_raw": facts.length_raw,
            "ended_at": now(),
            "notes": self._seal(facts.notes) if facts.notes else None,
        }
        return await self._move(reference, (*BEFORE_START, IN_SESSION), values, facts)

    async def _move(
        self, reference: str, from_states: Sequence[str], values: dict[str, Any], facts: Facts
    ) -> Change:
        key = sessions.c.reference == reference

        def work(tx: Connection) -> tuple[str, Any]:
            # A start may be missed; an end then brings the waiting time the start would have.
            if values["state"] == ENDED:
                tx.execute(
                    update(sessions)
                    .where(key, sessions.c.state.in_(BEFORE_START))
                    .values(waiting_seconds=facts.waiting_seconds, waiting_raw=facts.waiting_raw)
                )
            # The first session id wins: another session carrying the same reference changes
            # nothing (a reference belongs to one PIN, a PIN to one session).
            same_session = or_(
                sessions.c.session_id.is_(None), sessions.c.session_id == facts.session_id
            )
            changed = tx.execute(
                update(sessions)
                .where(key, sessions.c.state.in_(from_states), same_session)
                .values(values)
            ).rowcount
            row = tx.execute(select(sessions).where(key)).first()
            if row is None:
                return "unknown", None
            if not changed:
                return "duplicate", row
            if row.audit_id is not None:
                _audit_session(tx, row)
            return "matched", row

        result, raw = await self._db.write(work)
        return Change(result, None if raw is None else self._row(raw, with_notes=True))

    # Slack's response_urls, spent one use at a time across processes

    async def take_pin_url(self, row_id: int) -> str | None:
        return await self._take_url(row_id, "pin")

    async def take_share_url(self, row_id: int) -> str | None:
        return await self._take_url(row_id, "share")

    async def _take_url(self, row_id: int, which: str) -> str | None:
        url, at, uses = (sessions.c[f"{which}_{part}"] for part in ("url", "url_at", "url_uses"))
        fresh = and_(
            sessions.c.id == row_id,
            url.is_not(None),
            at > now() - RESPONSE_URL_SAFE,
            uses < RESPONSE_URL_USES,
        )

        def work(tx: Connection) -> str | None:
            if not tx.execute(update(sessions).where(fresh).values({uses: uses + 1})).rowcount:
                return None
            token: str | None = tx.scalar(select(url).where(sessions.c.id == row_id))
            return token

        token = await self._db.write(work)
        return None if token is None else self._cipher.decrypt(token)

    # The summary's button

    async def row(self, row_id: int, with_notes: bool = False) -> SessionRow | None:
        raw = await self._db.read(
            lambda c: c.execute(select(sessions).where(sessions.c.id == row_id)).first()
        )
        return None if raw is None else self._row(raw, with_notes)

    async def claim_summary_post(self, row_id: int) -> bool:
        """One click posts, even when two arrive at two processes."""
        changed = await self._db.write(
            lambda tx: (
                tx.execute(
                    update(sessions)
                    .where(sessions.c.id == row_id, sessions.c.summary_posted_at.is_(None))
                    .values(summary_posted_at=now())
                ).rowcount
            )
        )
        return bool(changed)

    async def summary_posted(self, row_id: int, posted: bool) -> None:
        """Posted: the notes have served and go. Not posted: the click may be tried again."""
        values: dict[str, Any] = {"notes": None} if posted else {"summary_posted_at": None}
        await self._db.write(
            lambda tx: tx.execute(update(sessions).where(sessions.c.id == row_id).values(values))
        )

    # App Home and retention

    async def states(self, audit_ids: Sequence[int]) -> dict[int, SessionRow]:
        if not audit_ids:
            return {}
        rows = await self._db.read(
            lambda c: c.execute(
                select(sessions).where(sessions.c.audit_id.in_(list(audit_ids)))
            ).all()
        )
        return {row.audit_id: self._row(row) for row in rows}
