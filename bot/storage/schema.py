"""The tables, and the rows read from them. Alembic's migrations follow this file.

Every text column is Storable (bot/storage/storable.py): what comes from outside is made
storable there, the same on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    Table,
)

from bot.storage.storable import StorableString, StorableText

metadata = MetaData()

links = Table(
    "links",
    metadata,
    Column("team_id", StorableString(32), primary_key=True),
    Column("user_id", StorableString(32), primary_key=True),
    Column("authcode", StorableText, nullable=False),  # Fernet token, never the code itself
    Column("method", StorableString(16), nullable=False),
    Column("linked_at", DateTime(timezone=True), nullable=False),
    Column("linked_by", StorableString(32), nullable=True),
    Column("last_used_at", DateTime(timezone=True), nullable=True),
    Column("last_outcome", StorableString(32), nullable=True),
)

in_flight = Table(
    "in_flight",
    metadata,
    Column("team_id", StorableString(32), primary_key=True),
    Column("user_id", StorableString(32), primary_key=True),
    Column("started_at", DateTime(timezone=True), nullable=False),
)

audit = Table(
    "audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False, index=True),
    Column("team_id", StorableString(32), nullable=False),
    Column("user_id", StorableString(32), nullable=False),
    Column("action", StorableString(16), nullable=False),  # request | share | summary
    Column("kind", StorableString(16), nullable=False),
    Column("channel_id", StorableString(32), nullable=True),
    Column("cfield0", StorableString(64), nullable=True),
    Column("tracking0", StorableString(64), nullable=True),
    Column("no_tech_console", Boolean, nullable=False, default=False),
    Column("outcome", StorableString(32), nullable=False),
    Column("pin", StorableString(6), nullable=True),
    Column("delivered", Boolean, nullable=True),
    Column("ref_id", Integer, nullable=True),  # a share: the request row it shared
    Column("request_id", StorableString(32), nullable=True),  # the one its log lines carry
    # Session follow-through (a request's row): what Rescue's posts said about its session.
    Column("session_id", StorableString(64), nullable=True),
    Column("waiting_seconds", Integer, nullable=True),
    Column("length_seconds", Integer, nullable=True),
    Column("sms", StorableString(16), nullable=True),  # Lens by SMS: sent | not_sent | …; no number
    Index("ix_audit_team_user_at", "team_id", "user_id", "at"),
)

# The one share of a PIN, across processes: the row is taken before the post and given back
# if Slack would not take it, so a second click (in any process) finds where it went.
shares = Table(
    "shares",
    metadata,
    Column("request_audit_id", Integer, primary_key=True),  # the request row whose PIN it is
    Column("team_id", StorableString(32), nullable=False),
    Column("user_id", StorableString(32), nullable=False),
    Column("channel_id", StorableString(32), nullable=True),
    Column("shared_at", DateTime(timezone=True), nullable=False, index=True),
)

# The fields of a request that may be retried without the console: kept here, encrypted,
# so nothing about the customer travels through Slack twice and long fields survive.
retries = Table(
    "retries",
    metadata,
    Column("token", StorableString(43), primary_key=True),
    Column("team_id", StorableString(32), nullable=False),
    Column("user_id", StorableString(32), nullable=False),
    Column("kind", StorableString(16), nullable=False),
    Column("channel_id", StorableString(32), nullable=True),
    Column("fields", StorableText, nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False, index=True),
)


# One row per run of the Workflow Builder step (its function_execution_id): the run spends at
# most one PIN, whichever process takes a click and however often Slack delivers the event.
# state: waiting -> requesting -> completed (the PIN kept, to report it again) | back to
# waiting; waiting -> declined; waiting -> failed (the agent's message never got through).
step_runs = Table(
    "step_runs",
    metadata,
    Column("id", StorableString(64), primary_key=True),  # Slack's function_execution_id
    Column("owner", StorableString(32), nullable=False),  # the installation's key, as links have
    Column("agent", StorableString(32), nullable=False),
    Column("state", StorableString(16), nullable=False),
    Column("pin", StorableString(6), nullable=True),  # once completed: as the audit row keeps it
    Column("updated_at", DateTime(timezone=True), nullable=False, index=True),
)


# Session follow-through: one row per PIN request made with a reference (bot/sessions/store.py
# says what each column is for). Response URLs and notes are Fernet tokens.
sessions = Table(
    "rescue_sessions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("reference", StorableString(64), nullable=False, unique=True),
    Column("team_id", StorableString(32), nullable=False),
    Column("user_id", StorableString(32), nullable=False),
    Column("channel_id", StorableString(32), nullable=True),
    Column("kind", StorableString(16), nullable=False),
    Column("state", StorableString(16), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("audit_id", Integer, nullable=True),
    Column("pin", StorableString(6), nullable=True),
    # The command's response_url, which delivered the PIN: Fernet token.
    Column("pin_url", StorableText, nullable=True),
    Column("pin_url_at", DateTime(timezone=True), nullable=True),
    Column("pin_url_uses", Integer, nullable=False, default=0),
    # Where the PIN was shared: the app's own copy (channel, ts), else the share's response_url.
    Column("share_channel", StorableString(32), nullable=True),
    Column("share_ts", StorableString(32), nullable=True),
    Column("share_url", StorableText, nullable=True),
    Column("share_url_at", DateTime(timezone=True), nullable=True),
    Column("share_url_uses", Integer, nullable=False, default=0),
    # What Rescue's posts said.
    Column("session_id", StorableString(64), nullable=True),
    Column("technician", StorableString(128), nullable=True),
    Column("customer", StorableString(64), nullable=True),
    Column("ticket", StorableString(64), nullable=True),
    Column("waiting_seconds", Integer, nullable=True),
    Column("waiting_raw", StorableString(64), nullable=True),
    Column("started_at", DateTime(timezone=True), nullable=True),
    Column("ended_at", DateTime(timezone=True), nullable=True),
    Column("length_seconds", Integer, nullable=True),
    Column("length_raw", StorableString(64), nullable=True),
    # Fernet token; gone once posted or after NOTES_TTL.
    Column("notes", StorableText, nullable=True),
    Column("summary_posted_at", DateTime(timezone=True), nullable=True),
    Index("ix_rescue_sessions_audit_id", "audit_id"),
    Index("ix_rescue_sessions_team_user", "team_id", "user_id"),
)

# OAuth installations (bot/installs/store.py): one row per workspace, or per organisation for
# an Enterprise Grid org-wide install; tokens are Fernet tokens like authcodes.
installations = Table(
    "installations",
    metadata,
    # The enterprise ID for an org-wide install, else the workspace's team ID.
    Column("owner", StorableString(32), primary_key=True),
    Column("enterprise_id", StorableString(32), nullable=True),
    Column("team_id", StorableString(32), nullable=True),
    Column("is_enterprise_install", Boolean, nullable=False, default=False),
    Column("app_id", StorableString(32), nullable=True),
    Column("enterprise_name", StorableString(200), nullable=True),
    Column("enterprise_url", StorableString(200), nullable=True),
    Column("team_name", StorableString(200), nullable=True),
    Column("bot_id", StorableString(32), nullable=True),
    Column("bot_user_id", StorableString(32), nullable=True),
    Column("bot_scopes", StorableString(1000), nullable=True),
    # Fernet tokens, never the Slack tokens themselves.
    Column("bot_token", StorableText, nullable=True),
    Column("bot_refresh_token", StorableText, nullable=True),
    Column("bot_token_expires_at", BigInteger, nullable=True),  # Unix seconds
    Column("user_id", StorableString(32), nullable=True),  # the installer
    Column("user_token", StorableText, nullable=True),
    Column("user_refresh_token", StorableText, nullable=True),
    Column("user_token_expires_at", BigInteger, nullable=True),
    Column("user_scopes", StorableString(1000), nullable=True),
    Column("token_type", StorableString(32), nullable=True),
    Column("installed_at", DateTime(timezone=True), nullable=False),
)

# Only a hash of each state: the browser's cookie holds the state itself.
oauth_states = Table(
    "oauth_states",
    metadata,
    Column("digest", StorableString(64), primary_key=True),
    Column("expires_at", DateTime(timezone=True), nullable=False, index=True),
)


# Which organisation each Enterprise Grid workspace belongs to, as Slack said it (auth.teams.list,
# a request's payload, an installation): an organisation's uninstall also deletes what its
# workspaces kept under their own keys, in whichever process hears it, after any restart.
org_workspaces = Table(
    "org_workspaces",
    metadata,
    Column("team_id", StorableString(32), primary_key=True),
    Column("enterprise_id", StorableString(32), nullable=False, index=True),
    Column("seen_at", DateTime(timezone=True), nullable=False),
)


class Method:
    CLI = "cli"
    SELF = "self-service"
    SIGNIN = "sign-in"
    SSO = "sso"
    ADMIN = "admin"  # linked from Slack by a team lead, for someone else


@dataclass(frozen=True)
class LinkInfo:
    team_id: str
    user_id: str
    method: str
    linked_at: datetime
    last_used_at: datetime | None
    last_outcome: str | None


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    team_id: str
    user_id: str
    action: str
    kind: str
    channel_id: str | None
    cfield0: str | None
    tracking0: str | None
    no_tech_console: bool
    outcome: str
    pin: str | None
    delivered: bool | None
    ref_id: int | None
    request_id: str | None = None
    session_id: str | None = None
    waiting_seconds: int | None = None
    length_seconds: int | None = None
    sms: str | None = None


@dataclass(frozen=True)
class Share:
    channel_id: str | None
    shared_at: datetime
    user_id: str


@dataclass(frozen=True)
class StepRun:
    state: str
    agent: str
    pin: str | None


@dataclass(frozen=True)
class Retry:
    kind: str
    channel_id: str | None
    fields: dict[str, str]
