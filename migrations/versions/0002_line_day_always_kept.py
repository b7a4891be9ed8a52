"""line_day is always kept: build it where the last release had not, and drop its flag.

Release 1 read the facts until the first load or import built line_day (meta line_day_built),
and every production query looked the flag up. From here on every write path keeps line_day, so
a database without the flag gets it built now from production, qc_checks and defects (the same
sums data/rollups.py writes), and queries read it without asking.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

FLAG = "line_day_built"
KEYS = ("date", "line_code", "shift_code", "style_code")
MEASURES = ("prod_rows", "loading", "output", "packing", "checked", "defective", "defects",
            "repaired")


def _table(name, *columns):
    return sa.table(name, *[sa.column(c) for c in columns])


meta = _table("meta", "key", "value")
line_day = _table("line_day", *KEYS, *MEASURES)
production = _table("production", *KEYS, "stage", "qty")
qc_checks = _table("qc_checks", *KEYS, "checked_qty", "defective_qty")
defects = _table("defects", *KEYS, "qty", "repaired_ts")


def _build_line_day(conn) -> None:
    none = sa.cast(sa.null(), sa.Integer)  # typed: PostgreSQL reads a bare NULL in a UNION as text

    def part(t, **values):
        return sa.select(*[t.c[k].label(k) for k in KEYS],
                         *[sa.cast(values[m], sa.Integer).label(m) if m in values
                           else none.label(m) for m in MEASURES])

    def stage(name):
        return sa.case((production.c.stage == name, production.c.qty))

    rows = sa.union_all(
        part(production, prod_rows=sa.literal(1), loading=stage("loading"),
             output=stage("output"), packing=stage("packing")),
        part(qc_checks, checked=qc_checks.c.checked_qty, defective=qc_checks.c.defective_qty),
        part(defects, defects=defects.c.qty,
             repaired=sa.case((defects.c.repaired_ts.is_not(None), defects.c.qty), else_=0)),
    ).subquery("f")
    keys = [rows.c[k] for k in KEYS]
    conn.execute(sa.delete(line_day))
    conn.execute(sa.insert(line_day).from_select(
        list(KEYS) + list(MEASURES),
        sa.select(*keys, *[sa.func.sum(rows.c[m]) for m in MEASURES]).group_by(*keys)))


def upgrade() -> None:
    conn = op.get_bind()
    if conn.execute(sa.select(meta.c.key).where(meta.c.key == FLAG)).first() is None:
        _build_line_day(conn)
    conn.execute(sa.delete(meta).where(meta.c.key == FLAG))


def downgrade() -> None:
    conn = op.get_bind()
    conn.execute(sa.insert(meta).values(key=FLAG, value="1"))
