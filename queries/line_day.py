"""Reading the line_day rollup (schema.line_day, written by ingest/rollups.py): production stages,
end-of-line checks and defects per day, line, shift and style. Every write of those facts keeps it
(migration 0002 built it for databases that had none), so reads by any of its keys use it without
asking; groupings by hour, reason or operation read the facts.
"""
from __future__ import annotations

from data import schema

LD = schema.line_day
KEYS = ("date", "line_code", "shift_code", "style_code")
P, QC, DF = schema.production, schema.qc_checks, schema.defects


def usable(keys) -> bool:
    """Whether a grouping by `keys` can read line_day."""
    return set(keys) <= set(KEYS)
