"""A session's follow-through, as rows and facts: its states, how long Slack's response_urls
and the technician's notes live, the row (`SessionRow`), what one of Rescue's posts says
(`Facts`) and what it changed (`Change`). Plain data; the transactions are in
bot/sessions/store.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

REQUESTED, PENDING, IN_SESSION, ENDED = "requested", "pending", "in_session", "ended"
BEFORE_START = (REQUESTED, PENDING)
# Slack: a response_url works 30 minutes, 5 times.
RESPONSE_URL_LIFE = timedelta(minutes=30)
RESPONSE_URL_USES = 5
# A little short of Slack's 30 minutes: a message sent at 29:59 may arrive at 30:01.
RESPONSE_URL_SAFE = RESPONSE_URL_LIFE - timedelta(minutes=1)
# How long an ended session's notes wait for the agent's click.
NOTES_TTL = timedelta(hours=24)
# A row whose PIN request never finished (the process died while Rescue was asked).
ABANDONED_AFTER = timedelta(hours=1)


@dataclass(frozen=True)
class SessionRow:
    id: int
    reference: str
    team_id: str
    user_id: str
    channel_id: str | None
    kind: str
    state: str
    created_at: datetime
    audit_id: int | None
    pin: str | None
    session_id: str | None
    technician: str | None
    customer: str | None
    ticket: str | None
    waiting_seconds: int | None
    waiting_raw: str | None
    started_at: datetime | None
    ended_at: datetime | None
    length_seconds: int | None
    length_raw: str | None
    summary_posted_at: datetime | None
    share_channel: str | None
    share_ts: str | None
    notes: str | None = None  # decrypted, for the summary; None when gone


@dataclass(frozen=True)
class Facts:
    """What one post says, already reduced to what is kept (never the chat)."""

    session_id: str
    technician: str | None
    customer: str | None
    ticket: str | None
    waiting_seconds: int | None
    waiting_raw: str | None
    length_seconds: int | None = None
    length_raw: str | None = None
    notes: str = ""


@dataclass(frozen=True)
class Change:
    """The outcome of a post: `matched` rows changed here, so this caller tells Slack."""

    result: str  # matched | duplicate | unknown
    row: SessionRow | None = None
