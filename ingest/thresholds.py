"""Writes of the traffic-light thresholds (read by queries/thresholds.py).

A change re-colours cached reports, so it bumps the data version in the same transaction.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from data import schema
from data.db import bump_data_version, upsert
from metrics.thresholds import PLANT, Rule, ThresholdError, validate

TH = schema.thresholds


def set_threshold(conn, measure: str, green_at, amber_at, line_code: str | None = None,
                  username: str | None = None) -> Rule:
    """Validate and store one rule (the plant's, or a line's override); ThresholdError with a
    message for the user when a value is bad, and then nothing is written."""
    rule = validate(measure, green_at, amber_at)
    line = (line_code or "").strip()
    if line and conn.execute(select(schema.lines.c.line_code).where(
            schema.lines.c.line_code == line)).first() is None:
        raise ThresholdError(f"Unknown line '{line}'.")
    upsert(conn, TH, [{"measure": rule.measure, "line_code": line or PLANT,
                       "green_at": rule.green_at, "amber_at": rule.amber_at,
                       "updated_at": datetime.now().replace(microsecond=0),
                       "updated_by": username}])
    bump_data_version(conn)
    return rule


def clear_threshold(conn, measure: str, line_code: str | None = None) -> bool:
    """Remove a stored rule: a line's falls back to the plant's, the plant's to the default."""
    result = conn.execute(TH.delete().where(TH.c.measure == measure,
                                            TH.c.line_code == (line_code or PLANT)))
    if result.rowcount:
        bump_data_version(conn)
    return bool(result.rowcount)
