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


NEW_COLUMNS = {
    "work_orders": [sa.Column("held_at", sa.DateTime()), sa.Column("cancelled_at", sa.DateTime())],
    "audit_log": [sa.Column("wo_number", sa.String(64)), sa.Column("status_before", sa.String(16)),
                  sa.Column("status_after", sa.String(16))],
}


def upgrade() -> None:
    # idempotent: a database stamped back to an earlier revision may hold some of these already
    inspector = sa.inspect(op.get_bind())
    for table, columns in NEW_COLUMNS.items():
        have = {c["name"] for c in inspector.get_columns(table)}
        missing = [c for c in columns if c.name not in have]
        if missing:
            with op.batch_alter_table(table) as batch:
                for column in missing:
                    batch.add_column(column)
    if "ix_audit_log_wo_number" not in {i["name"] for i in inspector.get_indexes("audit_log")}:
        op.create_index("ix_audit_log_wo_number", "audit_log", ["wo_number"])


def downgrade() -> None:
    op.drop_index("ix_audit_log_wo_number", table_name="audit_log")
    with op.batch_alter_table("audit_log") as batch:
        for name in ("status_after", "status_before", "wo_number"):
            batch.drop_column(name)
    with op.batch_alter_table("work_orders") as batch:
        batch.drop_column("cancelled_at")
        batch.drop_column("held_at")
