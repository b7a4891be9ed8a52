"""Daily line report SQL: manpower-weighted productivity sums, pushed down to the database."""
from __future__ import annotations

import pandas as pd
from sqlalchemy import func, select

from data import schema
from queries.common import frame, where_filters
from core.filters import Filters

LD = schema.line_daily


def productivity_by(conn, filters: Filters, keys: list[str], scope=None) -> pd.DataFrame:
    """Σ actual_productivity × operators, Σ target_productivity × operators, Σ operators and the
    number of days, grouped by keys (line_code, date). A row with no operators weighs nothing."""
    cols = [LD.c[k] for k in keys]
    weight = func.coalesce(LD.c.operators, 0)
    stmt = select(
        *cols,
        func.sum(LD.c.actual_productivity * weight).label("actual_weighted"),
        func.sum(LD.c.target_productivity * weight).label("target_weighted"),
        func.sum(weight).label("operators"),
        func.count(func.distinct(LD.c.date)).label("days"),
    )
    stmt = where_filters(stmt, LD, filters, scope).group_by(*cols)
    return frame(conn, stmt, list(keys) + ["actual_weighted", "target_weighted", "operators",
                                           "days"])
