"""Manual punches (SPEC section 10: who entered a punch by hand and why) and the import history's
whole error count (the stored list keeps the first 1,000; issue 21 item 9).

Revision ID: 0008
Revises: 0009
Create Date: 2026-12-05
"""
from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0009"
branch_labels = None
depends_on = None

MAX_ERRORS = 1000  # ingest.history.MAX_ERRORS (a migration keeps its own copy of what it needs)
PUNCH_COLUMNS = (("manual", sa.Boolean()), ("manual_reason", sa.Text()),
                 ("entered_by", sa.String(100)))


def _missing(table: str, columns) -> list:
    have = {c["name"] for c in sa.inspect(op.get_bind()).get_columns(table)}
    return [(name, kind) for name, kind in columns if name not in have]  # idempotent, as 0003


def upgrade() -> None:
    for table, columns in (("punches", PUNCH_COLUMNS),
                           ("imports", (("error_count", sa.Integer()),))):
        missing = _missing(table, columns)
        if missing:
            with op.batch_alter_table(table) as batch:
                for name, kind in missing:
                    batch.add_column(sa.Column(name, kind))
    _count_and_cap_errors()


def _count_and_cap_errors() -> None:
    """Imports recorded before: count their errors and keep the first MAX_ERRORS (a failed
    import of a million bad rows had stored a 62 MB list)."""
    conn = op.get_bind()
    imports = sa.table("imports", sa.column("id", sa.Integer), sa.column("errors", sa.Text),
                       sa.column("error_count", sa.Integer))
    ids = conn.execute(sa.select(imports.c.id).where(imports.c.error_count.is_(None))).scalars()
    for import_id in list(ids):
        text = conn.execute(sa.select(imports.c.errors).where(imports.c.id == import_id)
                            ).scalar()
        try:
            errors = json.loads(text) if text else []
        except ValueError:
            errors = [text]
        errors = errors if isinstance(errors, list) else [str(errors)]
        conn.execute(imports.update().where(imports.c.id == import_id).values(
            error_count=len(errors), errors=json.dumps(errors[:MAX_ERRORS])))


def downgrade() -> None:
    with op.batch_alter_table("imports") as batch:
        batch.drop_column("error_count")
    with op.batch_alter_table("punches") as batch:
        for name, _kind in PUNCH_COLUMNS:
            batch.drop_column(name)
