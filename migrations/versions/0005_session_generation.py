"""Users' session generation: bumped on sign-out and password change, so every session cookie
signed before is refused (a cookie copied before /logout dies with it).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    have = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("users")}
    if "session_gen" not in have:  # idempotent, as 0003
        with op.batch_alter_table("users") as batch:
            batch.add_column(sa.Column("session_gen", sa.Integer(), server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("session_gen")
