"""Session follow-through: one row per PIN request with a reference; audit rows gain the
session id, the waiting time and the length.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rescue_sessions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("reference", sa.String(64), nullable=False, unique=True),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("channel_id", sa.String(32), nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("audit_id", sa.Integer, nullable=True),
        sa.Column("pin", sa.String(6), nullable=True),
        sa.Column("pin_url", sa.Text, nullable=True),
        sa.Column("pin_url_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("pin_url_uses", sa.Integer, nullable=False),
        sa.Column("share_channel", sa.String(32), nullable=True),
        sa.Column("share_ts", sa.String(32), nullable=True),
        sa.Column("share_url", sa.Text, nullable=True),
        sa.Column("share_url_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("share_url_uses", sa.Integer, nullable=False),
        sa.Column("session_id", sa.String(64), nullable=True),
        sa.Column("technician", sa.String(128), nullable=True),
        sa.Column("customer", sa.String(64), nullable=True),
        sa.Column("ticket", sa.String(64), nullable=True),
        sa.Column("waiting_seconds", sa.Integer, nullable=True),
        sa.Column("waiting_raw", sa.String(64), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("length_seconds", sa.Integer, nullable=True),
        sa.Column("length_raw", sa.String(64), nullable=True),
        sa.Column("notes", sa.Text, nullable=True),
        sa.Column("summary_posted_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_rescue_sessions_audit_id", "rescue_sessions", ["audit_id"])
    op.create_index("ix_rescue_sessions_team_user", "rescue_sessions", ["team_id", "user_id"])
    with op.batch_alter_table("audit") as batch:
        batch.add_column(sa.Column("session_id", sa.String(64), nullable=True))
        batch.add_column(sa.Column("waiting_seconds", sa.Integer, nullable=True))
        batch.add_column(sa.Column("length_seconds", sa.Integer, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("audit") as batch:
        batch.drop_column("length_seconds")
        batch.drop_column("waiting_seconds")
        batch.drop_column("session_id")
    op.drop_index("ix_rescue_sessions_team_user", "rescue_sessions")
    op.drop_index("ix_rescue_sessions_audit_id", "rescue_sessions")
    op.drop_table("rescue_sessions")
