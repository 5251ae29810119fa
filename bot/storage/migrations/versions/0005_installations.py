"""OAuth installations (tokens encrypted) and OAuth state, for distribution and Grid org-wide
installs. Links keep their key: a workspace's links move to its organisation when the app
first serves that workspace through an org-wide install.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "installations",
        sa.Column("owner", sa.String(32), primary_key=True),
        sa.Column("enterprise_id", sa.String(32), nullable=True),
        sa.Column("team_id", sa.String(32), nullable=True),
        sa.Column("is_enterprise_install", sa.Boolean, nullable=False),
        sa.Column("app_id", sa.String(32), nullable=True),
        sa.Column("enterprise_name", sa.String(200), nullable=True),
        sa.Column("enterprise_url", sa.String(200), nullable=True),
        sa.Column("team_name", sa.String(200), nullable=True),
        sa.Column("bot_id", sa.String(32), nullable=True),
        sa.Column("bot_user_id", sa.String(32), nullable=True),
        sa.Column("bot_scopes", sa.String(1000), nullable=True),
        sa.Column("bot_token", sa.Text, nullable=True),
        sa.Column("bot_refresh_token", sa.Text, nullable=True),
        sa.Column("bot_token_expires_at", sa.BigInteger, nullable=True),
        sa.Column("user_id", sa.String(32), nullable=True),
        sa.Column("user_token", sa.Text, nullable=True),
        sa.Column("user_refresh_token", sa.Text, nullable=True),
        sa.Column("user_token_expires_at", sa.BigInteger, nullable=True),
        sa.Column("user_scopes", sa.String(1000), nullable=True),
        sa.Column("token_type", sa.String(32), nullable=True),
        sa.Column("installed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "oauth_states",
        sa.Column("digest", sa.String(64), primary_key=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_oauth_states_expires_at", "oauth_states", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_oauth_states_expires_at", table_name="oauth_states")
    op.drop_table("oauth_states")
    op.drop_table("installations")
