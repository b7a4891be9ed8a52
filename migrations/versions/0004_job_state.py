"""The schedule's job state: one row a job, its lease and its last run (ingest/schedule.py).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if sa.inspect(op.get_bind()).has_table("job_state"):  # stamped back over it: nothing to do
        return
    op.create_table(
        "job_state",
        sa.Column("name", sa.String(50), primary_key=True),
        sa.Column("running_by", sa.String(100)),
        sa.Column("lease_until", sa.DateTime()),
        sa.Column("last_started", sa.DateTime()),
        sa.Column("last_finished", sa.DateTime()),
        sa.Column("last_seconds", sa.Float()),
        sa.Column("last_outcome", sa.String(10)),
        sa.Column("last_message", sa.Text()),
        sa.Column("next_run", sa.DateTime()),
        sa.Column("runs", sa.Integer()),
        sa.Column("failures", sa.Integer()),
    )


def downgrade() -> None:
    op.drop_table("job_state")
