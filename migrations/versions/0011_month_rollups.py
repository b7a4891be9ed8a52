"""Month rollups for the year views: attendance per employee and month, defects per month, line,
shift, style, reason and operation, operator output per month, operator, line, shift, style and
operation (data/schema.py; read by queries/months.py's callers, kept by ingest/rollups.py).

Also a partial index of the unmatched punches by time (the Workforce page lists a window's few
among a year's million).

Creates the three tables where they are missing and builds them from the facts (the same
SELECTs every write path uses, ingest/rollups.py MONTH_ROLLUPS), so reads trust them from here
on. Run again it builds them again: the same rows.

Revision ID: 0011
Revises: 0008
Create Date: 2026-12-05
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0008"
branch_labels = None
depends_on = None

CODE = 64
COUNTS = ("P", "A", "HD", "WO", "PH", "scheduled_days", "no_punch_days", "late_count",
          "early_exit_count", "missing_out", "records")
SUMS = ("late_minutes", "early_exit_minutes", "overtime_minutes", "work_minutes")


def _code(name: str, **kw) -> sa.Column:
    return sa.Column(name, sa.String(CODE), **kw)


TABLES = {
    "attendance_month": lambda: (
        sa.Column("month", sa.Date, nullable=False), _code("emp_code"), _code("line_code"),
        sa.Column("department", sa.String(100)), _code("shift_code"),
        *[sa.Column(n, sa.Integer, nullable=False) for n in COUNTS],
        *[sa.Column(n, sa.Float) for n in SUMS]),
    "defect_month": lambda: (
        sa.Column("month", sa.Date, nullable=False), _code("line_code"), _code("shift_code"),
        _code("style_code"), sa.Column("reason", sa.String(200)),
        sa.Column("operation", sa.String(100)), sa.Column("defects", sa.Integer),
        sa.Column("repaired", sa.Integer)),
    "operator_month": lambda: (
        sa.Column("month", sa.Date, nullable=False), _code("emp_code"), _code("line_code"),
        _code("shift_code"), _code("style_code"),
        sa.Column("operation", sa.String(100), nullable=False),
        sa.Column("qty", sa.Integer, nullable=False), sa.Column("earned_minutes", sa.Float),
        sa.Column("minutes_worked", sa.Float), sa.Column("day_bits", sa.BigInteger,
                                                         nullable=False)),
}


def upgrade() -> None:
    conn = op.get_bind()
    inspector = sa.inspect(conn)
    for name, columns in TABLES.items():
        if not inspector.has_table(name):
            op.create_table(name, *columns())
            op.create_index(f"ix_{name}_month", name, ["month", "line_code"])
    from data import schema
    from ingest import rollups
    punches = schema.punches
    if "ix_punches_unmatched" not in {i["name"] for i in inspector.get_indexes("punches")}:
        op.create_index("ix_punches_unmatched", "punches", ["ts"],
                        postgresql_where=punches.c.unmatched.is_(True),
                        sqlite_where=punches.c.unmatched.is_(True))
    for name in TABLES:
        rollups.rebuild_months(conn, schema.metadata.tables[name])


def downgrade() -> None:
    op.drop_index("ix_punches_unmatched", "punches")
    for name in TABLES:
        op.drop_table(name)
