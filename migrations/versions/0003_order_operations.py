"""Orders as operations: the hold and cancel stamps, and the audit log's order columns.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("work_orders") as batch:
        batch.add_column(sa.Column("held_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("cancelled_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("wo_number", sa.String(64), nullable=True))
        batch.add_column(sa.Column("status_before", sa.String(16), nullable=True))
        batch.add_column(sa.Column("status_after", sa.String(16), nullable=True))
    op.create_index("ix_audit_log_wo_number", "audit_log", ["wo_number"])


def downgrade() -> None:
    op.drop_index("ix_audit_log_wo_number", table_name="audit_log")
    with op.batch_alter_table("audit_log") as batch:
        for name in ("status_after", "status_before", "wo_number"):
            batch.drop_column(name)
    with op.batch_alter_table("work_orders") as batch:
        batch.drop_column("cancelled_at")
        batch.drop_column("held_at")
