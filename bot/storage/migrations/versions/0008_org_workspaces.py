"""Which organisation each Grid workspace belongs to, kept in the database: an organisation's
uninstall deletes what its workspaces kept under their own keys, on any process, after any
restart (before, only the workspaces a process had seen since it started).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "org_workspaces",
        sa.Column("team_id", sa.String(32), primary_key=True),
        sa.Column("enterprise_id", sa.String(32), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_org_workspaces_enterprise_id", "org_workspaces", ["enterprise_id"])


def downgrade() -> None:
    op.drop_index("ix_org_workspaces_enterprise_id", table_name="org_workspaces")
    op.drop_table("org_workspaces")
