"""Traffic-light thresholds (plant and per line) and each user's saved views (issue 19).

Revision ID: 0010
Revises: 0011
Create Date: 2026-12-05
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    if not inspector.has_table("thresholds"):  # stamped back over it: nothing to do
        op.create_table(
            "thresholds",
            sa.Column("measure", sa.String(30), primary_key=True),
            sa.Column("line_code", sa.String(64), primary_key=True),
            sa.Column("green_at", sa.Float(), nullable=False),
            sa.Column("amber_at", sa.Float(), nullable=False),
            sa.Column("updated_at", sa.DateTime()),
            sa.Column("updated_by", sa.String(100)),
        )
    if not inspector.has_table("saved_views"):
        op.create_table(
            "saved_views",
            sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
            sa.Column("user_id", sa.Integer(), nullable=False),
            sa.Column("name", sa.String(100), nullable=False),
            sa.Column("path", sa.String(300), nullable=False),
            sa.Column("query", sa.Text(), nullable=False),
            sa.Column("created_at", sa.DateTime()),
            sa.UniqueConstraint("user_id", "name", name="uq_saved_views_user_name"),
        )


def downgrade() -> None:
    op.drop_table("saved_views")
    op.drop_table("thresholds")
