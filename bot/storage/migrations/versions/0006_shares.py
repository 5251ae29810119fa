"""Shares: a PIN is shared once, whichever process takes the click.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "shares",
        sa.Column("request_audit_id", sa.Integer, primary_key=True),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("channel_id", sa.String(32), nullable=True),
        sa.Column("shared_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_shares_shared_at", "shares", ["shared_at"])


def downgrade() -> None:
    op.drop_index("ix_shares_shared_at", table_name="shares")
    op.drop_table("shares")
