"""The import history's details: a database sync run records its ETL log numbers (rows read,
accepted, duplicates, rejected, watermark before and after, seconds, error) as JSON.

Revision ID: 0009
Revises: 0006
Create Date: 2026-12-05
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    have = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("imports")}
    if "details" not in have:  # idempotent, as 0003
        with op.batch_alter_table("imports") as batch:
            batch.add_column(sa.Column("details", sa.Text()))


def downgrade() -> None:
    with op.batch_alter_table("imports") as batch:
        batch.drop_column("details")
