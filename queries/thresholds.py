"""Traffic-light thresholds as stored (the write side is ingest/thresholds.py)."""
from __future__ import annotations

from sqlalchemy import select

from data import schema
from metrics.thresholds import Rule, Thresholds

TH = schema.thresholds


def thresholds(conn) -> Thresholds:
    """Every stored rule; a measure with no row uses metrics/thresholds.py DEFAULTS."""
    rows = conn.execute(select(TH.c.measure, TH.c.line_code, TH.c.green_at, TH.c.amber_at)).all()
    return Thresholds({(r.measure, r.line_code or ""): Rule(r.measure, r.green_at, r.amber_at)
                       for r in rows})


def threshold_rows(conn):
    """The stored rows for the Admin page, plant first."""
    stmt = select(TH).order_by(TH.c.line_code, TH.c.measure)
    return [dict(r._mapping) for r in conn.execute(stmt)]
