"""Reading the line_day rollup (schema.line_day, written by ingest/rollups.py): production stages,
end-of-line checks and defects per day, line, shift and style. Reads by any of those keys use it
once it is kept (`kept`); groupings by hour, reason or operation read the facts.
"""
from __future__ import annotations

from datetime import date

from data import db, schema

LD = schema.line_day
KEYS = ("date", "line_code", "shift_code", "style_code")
KEPT_KEY = "line_day_built"
P, QC, DF = schema.production, schema.qc_checks, schema.defects


def kept(conn) -> bool:
    """True once line_day has been built; a database without it reads the facts."""
    return db.get_meta(conn, KEPT_KEY) is not None


def usable(conn, keys) -> bool:
    """Whether a grouping by `keys` can read line_day."""
    return set(keys) <= set(KEYS) and kept(conn)
