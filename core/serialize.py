"""JSON-ready values: numbers unrounded, NaN -> null, dates YYYY-MM-DD, timestamps ISO 8601."""
from __future__ import annotations

import math
from datetime import date, datetime

import numpy as np
import pandas as pd


def value(v):
    if v is None or v is pd.NaT or v is pd.NA:
        return None
    if isinstance(v, (pd.Timestamp, datetime)):
        return v.isoformat()
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating, float)):
        return None if math.isnan(v) else float(v)
    if isinstance(v, np.bool_):
        return bool(v)
    return v


def records(df: pd.DataFrame, columns: list[str] | None = None) -> list[dict]:
    if df is None or df.empty:
        return []
    cols = columns or list(df.columns)
    return [{c: value(v) for c, v in zip(cols, row)} for row in df[cols].itertuples(index=False)]


def mapping(d: dict) -> dict:
    return {k: value(v) for k, v in d.items()}
