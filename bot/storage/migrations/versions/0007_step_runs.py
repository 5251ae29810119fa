"""Workflow step runs: one PIN at most per run of the step, across processes and retries.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "step_runs",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("owner", sa.String(32), nullable=False),
        sa.Column("agent", sa.String(32), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("pin", sa.String(6), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_step_runs_updated_at", "step_runs", ["updated_at"])


def downgrade() -> None:
    op.drop_index("ix_step_runs_updated_at", table_name="step_runs")
    op.drop_table("step_runs")
