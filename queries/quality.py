"""Quality SQL: end-of-line checks and individual defects, aggregated in the database."""
from __future__ import annotations

import pandas as pd
from sqlalchemy import case, func, select, union_all

from data import schema
from metrics.quality import NOT_GIVEN
from queries import line_day, months
from queries.common import frame, where_filters, where_scope
from core.filters import Filters

QC = schema.qc_checks
DF = schema.defects
LD = schema.line_day
DM = schema.defect_month

# keys the end-of-line checks carry; defects also carry reason and operation
QC_KEYS = ("line_code", "date", "shift_code", "style_code")
# keys of the monthly rollup of defects (schema.defect_month)
MONTH_KEYS = ("line_code", "shift_code", "style_code", "reason", "operation")


def checks_by(conn, filters: Filters, keys: list[str], scope=None) -> pd.DataFrame:
    """Σ checked_qty and Σ defective_qty of the QC checks, grouped by keys (of QC_KEYS)."""
    if line_day.usable(keys):
        src, checked, defective = LD, LD.c.checked, LD.c.defective
        only = [LD.c.checked.is_not(None)]
    else:
        src, checked, defective, only = QC, QC.c.checked_qty, QC.c.defective_qty, []
    cols = [src.c[k] for k in keys]
    stmt = select(*cols, func.sum(checked).label("checked"),
                  func.sum(defective).label("defective")).where(*only)
    stmt = where_filters(stmt, src, filters, scope).group_by(*cols)
    return frame(conn, stmt, list(keys) + ["checked", "defective"])


def defects_by(conn, filters: Filters, keys: list[str], scope=None) -> pd.DataFrame:
    """Σ qty of defects, of those repaired, and of those still open, grouped by keys.

    A defect belongs to the production day and shift of its ts (filled at ingest)."""
    whole, edges = months.split(filters.start, filters.end)
    if not line_day.usable(keys) and set(keys) <= set(MONTH_KEYS) and whole is not None:
        return _defects_by_month(conn, filters, keys, scope, whole, edges)
    if line_day.usable(keys):  # not by reason or operation: the daily rollup
        src, only = LD, [LD.c.defects.is_not(None)]
        defects, repaired = func.sum(LD.c.defects), func.sum(LD.c.repaired)
    else:
        src, only, defects = DF, [], func.sum(DF.c.qty)
        repaired = func.sum(_repaired())
    cols = [src.c[k] for k in keys]
    stmt = select(*cols, defects.label("defects"), repaired.label("repaired")).where(*only)
    stmt = where_filters(stmt, src, filters, scope).group_by(*cols)
    df = frame(conn, stmt, list(keys) + ["defects", "repaired"])
    df["open"] = df["defects"] - df["repaired"]
    return df


def defect_months(dialect: str):
    """defects summed per month and MONTH_KEYS: defect_month's rows (add a WHERE)."""
    month = months.month_of(dialect, DF.c.date).label("month")
    keys = [DF.c[k] for k in MONTH_KEYS]
    return select(month, *keys, func.sum(DF.c.qty).label("defects"),
                  func.sum(_repaired()).label("repaired")).group_by(month, *keys)


def _repaired():
    return case((DF.c.repaired_ts.is_not(None), DF.c.qty), else_=0)


def _defects_by_month(conn, filters: Filters, keys: list[str], scope, whole, edges
                      ) -> pd.DataFrame:
    """defects_by over the window's whole months from defect_month, its edges from defects."""
    rolled = select(*[DM.c[k] for k in keys], DM.c.defects, DM.c.repaired)
    rolled = where_filters(rolled, DM, months.whole_months(filters, whole), scope,
                           date_col="month")
    if edges:
        facts = select(*[DF.c[k] for k in keys], DF.c.qty.label("defects"),
                       _repaired().label("repaired"))
        facts = where_scope(facts.where(months.in_ranges(DF.c.date, edges)), DF, filters, scope)
        rolled = union_all(rolled, facts)
    rows = rolled.subquery("m")
    cols = [rows.c[k] for k in keys]
    stmt = select(*cols, func.sum(rows.c.defects).label("defects"),
                  func.sum(rows.c.repaired).label("repaired")).group_by(*cols)
    df = frame(conn, stmt, list(keys) + ["defects", "repaired"])
    df["open"] = df["defects"] - df["repaired"]
    return df


def defect_rows(conn, filters: Filters, scope=None, *, reason: str | None = None,
                operation: str | None = None, open_only: bool = False,
                limit: int | None = None) -> pd.DataFrame:
    """The individual defects behind a selection, newest first (every one, or the newest
    `limit`)."""
    stmt = select(DF.c.defect_id, DF.c.ts, DF.c.date, DF.c.shift_code, DF.c.line_code,
                  DF.c.style_code, DF.c.emp_code, DF.c.operation, DF.c.reason, DF.c.qty,
                  DF.c.repaired_ts)
    stmt = where_filters(stmt, DF, filters, scope)
    for column, value in ((DF.c.reason, reason), (DF.c.operation, operation)):
        if value == NOT_GIVEN:
            stmt = stmt.where(column.is_(None))
        elif value is not None:
            stmt = stmt.where(column == value)
    if open_only:
        stmt = stmt.where(DF.c.repaired_ts.is_(None))
    stmt = stmt.order_by(DF.c.ts.desc(), DF.c.defect_id)
    if limit is not None:
        stmt = stmt.limit(limit)
    return frame(conn, stmt)
