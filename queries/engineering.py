"""Garment engineering SQL (SPEC section 15): a line's operator output per operation and style,
its plan sums, and the production days (with their styles) that changeovers are read from.

Everything is summed in SQL: per operation and style for the balance (tens of rows), per line,
day and style for learning (one row a line-day); the line scope is applied here, as elsewhere.
"""
from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import case, func, select

from core.filters import Filters
from data import schema
from queries.common import frame, where_filters, where_scope

OO = schema.operator_output
LP = schema.line_plans
LD = schema.line_day

OPERATION_COLUMNS = ["operation", "style_code", "qty", "smv_pieces", "earned_minutes",
                     "operator_minutes"]


def operation_sums(conn, filters: Filters, scope=None) -> pd.DataFrame:
    """Σ qty, Σ qty of rows with an smv, Σ qty × smv and Σ minutes_worked per operation and
    style of the operator output in the selection."""
    keys = [OO.c.operation, OO.c.style_code]
    stmt = select(
        *keys, func.sum(OO.c.qty).label("qty"),
        func.sum(case((OO.c.smv.is_not(None), OO.c.qty))).label("smv_pieces"),
        func.sum(OO.c.qty * OO.c.smv).label("earned_minutes"),
        func.sum(OO.c.minutes_worked).label("operator_minutes"),
    )
    stmt = where_filters(stmt, OO, filters, scope).group_by(*keys)
    return frame(conn, stmt, OPERATION_COLUMNS)


def plan_sums(conn, filters: Filters, scope=None) -> dict:
    """Σ working_minutes and Σ target_qty of the plan rows in the selection (None when none)."""
    stmt = select(func.sum(LP.c.working_minutes), func.sum(LP.c.target_qty))
    working, target = conn.execute(where_filters(stmt, LP, filters, scope)).one()
    return {"working_minutes": working, "target": target}


def _output_source(conn):
    """(table, its output measure, the condition for an output row): the line_day rollup, kept
    by every write of production (its days, lines and styles are all these reads group by)."""
    return LD, LD.c.output, LD.c.output.is_not(None)


def styles_by_day(conn, filters: Filters, scope=None) -> pd.DataFrame:
    """Per line, day and style with output in the window: Σ output and Σ output × the style's
    smv (earned minutes). Shift and style filters do not apply: a changeover is the line's."""
    src, qty, only = _output_source(conn)
    S = schema.styles
    keys = [src.c.line_code, src.c.date, src.c.style_code]
    stmt = (select(*keys, func.sum(qty).label("output"),
                   func.sum(qty * S.c.smv).label("earned_minutes"))
            .select_from(src.join(S, S.c.style_code == src.c.style_code, isouter=True))
            .where(only))
    stmt = where_filters(stmt, src, filters, scope, use_shift=False, use_style=False)
    stmt = stmt.group_by(*keys).having(func.sum(qty) > 0)
    return frame(conn, stmt, ["line_code", "date", "style_code", "output", "earned_minutes"])


def available_by_day(conn, filters: Filters, scope=None) -> pd.DataFrame:
    """Σ (operators + helpers) × working_minutes per line, day and style of the plan rows."""
    keys = [LP.c.line_code, LP.c.date, LP.c.style_code]
    stmt = select(*keys, func.sum((LP.c.operators + func.coalesce(LP.c.helpers, 0))
                                  * LP.c.working_minutes).label("available_minutes"))
    stmt = where_filters(stmt, LP, filters, scope, use_shift=False, use_style=False)
    return frame(conn, stmt.group_by(*keys),
                 ["line_code", "date", "style_code", "available_minutes"])


def day_before(conn, before: date, filters: Filters, scope=None) -> pd.DataFrame:
    """Each line's last production day before `before` and the styles it ran that day: what a
    changeover on the window's first day changed over from."""
    src, qty, only = _output_source(conn)
    last = select(src.c.line_code, func.max(src.c.date).label("date")).where(
        only, src.c.date < before, qty > 0)
    last = where_scope(last, src, filters, scope, use_shift=False, use_style=False)
    last = last.group_by(src.c.line_code).subquery("last")
    keys = [src.c.line_code, src.c.date, src.c.style_code]
    stmt = (select(*keys).select_from(src.join(last, (last.c.line_code == src.c.line_code)
                                               & (last.c.date == src.c.date)))
            .where(only).group_by(*keys).having(func.sum(qty) > 0))
    return frame(conn, stmt, ["line_code", "date", "style_code"])
