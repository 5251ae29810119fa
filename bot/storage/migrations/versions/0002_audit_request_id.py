"""Audit rows carry the request id their log lines carry; App Home reads by team and agent.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("audit") as batch:
        batch.add_column(sa.Column("request_id", sa.String(32), nullable=True))
        batch.drop_index("ix_audit_user_id")
        batch.create_index("ix_audit_team_user_at", ["team_id", "user_id", "at"])


def downgrade() -> None:
    with op.batch_alter_table("audit") as batch:
        batch.drop_index("ix_audit_team_user_at")
        batch.create_index("ix_audit_user_id", ["user_id"])
        batch.drop_column("request_id")
