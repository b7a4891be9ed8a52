"""Downtime and maintenance SQL: breakdowns that overlap a time window, plan time, machines."""
from __future__ import annotations

from datetime import datetime
from typing import Sequence

import pandas as pd
from sqlalchemy import func, or_, select

from data import schema
from queries.common import frame, where_filters, where_scope
from core.filters import Filters

B = schema.breakdowns
LP = schema.line_plans
M = schema.machines

BREAKDOWN_COLUMNS = ["breakdown_id", "line_code", "machine_code", "category", "reason",
                     "start_ts", "end_ts", "date", "shift_code"]


def breakdowns_overlapping(conn, window_start: datetime, window_end: datetime,
                           filters: Filters | None, scope=None,
                           columns: Sequence[str] = BREAKDOWN_COLUMNS) -> pd.DataFrame:
    """Breakdowns that were running at some time in [window_start, window_end): those that
    started before the window and ran into it count too (their minutes are clipped later).

    One row per breakdown (a window's worth is small); clipping needs each one's own times.
    `columns`: the ones to read (a year of a large plant is 30,000 rows: Trends reads three).
    """
    columns = list(columns)
    stmt = select(*[B.c[c] for c in columns]).where(
        B.c.start_ts < window_end, or_(B.c.end_ts.is_(None), B.c.end_ts > window_start))
    stmt = where_scope(stmt, B, filters, scope, use_style=False)
    return frame(conn, stmt.order_by(B.c.start_ts, B.c.breakdown_id), columns)


def open_breakdowns(conn, filters: Filters | None, scope=None) -> pd.DataFrame:
    """Breakdowns with no end yet, whatever the window: machines down right now."""
    stmt = select(*[B.c[c] for c in BREAKDOWN_COLUMNS]).where(B.c.end_ts.is_(None))
    stmt = where_scope(stmt, B, filters, scope, use_shift=False, use_style=False)
    return frame(conn, stmt.order_by(B.c.start_ts, B.c.breakdown_id), BREAKDOWN_COLUMNS)


def plan_time_by(conn, filters: Filters, keys: list[str], scope=None) -> pd.DataFrame:
    """Σ working_minutes (available time) and Σ (operators + helpers) × working_minutes
    (manpower minutes) of the plan rows, grouped by keys."""
    cols = [LP.c[k] for k in keys]
    stmt = select(*cols, func.sum(LP.c.working_minutes).label("available_min"),
                  func.sum((LP.c.operators + func.coalesce(LP.c.helpers, 0))
                           * LP.c.working_minutes).label("manpower_min"))
    stmt = where_filters(stmt, LP, filters, scope).group_by(*cols)
    return frame(conn, stmt, list(keys) + ["available_min", "manpower_min"])


def machines(conn, filters: Filters | None, scope=None) -> pd.DataFrame:
    """The machines of the selected lines (a master list: small)."""
    stmt = select(M.c.machine_code, M.c.line_code, M.c.type, M.c.make, M.c.model,
                  M.c.last_pm_date, M.c.pm_interval_days)
    stmt = where_scope(stmt, M, filters, scope, use_shift=False, use_style=False)
    return frame(conn, stmt.order_by(M.c.line_code, M.c.machine_code))
