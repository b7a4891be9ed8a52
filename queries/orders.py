"""Order SQL: work orders, the recent daily output that sets their pace, their materials.

Work orders and material rows are few (one per order, a handful per order); output is summed per
line, style and day in SQL over a few weeks only.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pandas as pd
from sqlalchemy import false, func, select

from data import schema
from queries.common import frame
from core.filters import scoped_lines

WO = schema.work_orders
MI = schema.material_issues
LD = schema.line_day

ORDER_COLUMNS = [c.name for c in WO.columns]


def _where_orders(stmt, *, statuses=(), lines=(), styles=(), due_from: date | None = None,
                  due_to: date | None = None, scope=None):
    allowed = scoped_lines(tuple(lines), scope)
    if allowed is not None:
        stmt = stmt.where(WO.c.line_code.in_(allowed)) if allowed else stmt.where(false())
    if statuses:
        stmt = stmt.where(WO.c.status.in_(statuses))
    if styles:
        stmt = stmt.where(WO.c.style_code.in_(styles))
    if due_from is not None:
        stmt = stmt.where(WO.c.due_date >= due_from)
    if due_to is not None:
        stmt = stmt.where(WO.c.due_date <= due_to)
    return stmt


def work_orders(conn, *, completed_from: date | None = None, completed_to: date | None = None,
                **where) -> pd.DataFrame:
    """Work orders matching the filters (see _where_orders); completed_from/to keep only orders
    completed in those days (plant-local)."""
    stmt = _where_orders(select(WO), **where)
    if completed_from is not None:
        stmt = stmt.where(WO.c.completed_at >= datetime.combine(completed_from, time()))
    if completed_to is not None:
        stmt = stmt.where(WO.c.completed_at < datetime.combine(completed_to + timedelta(days=1),
                                                               time()))
    return frame(conn, stmt.order_by(WO.c.wo_number), ORDER_COLUMNS)


def daily_output(conn, lines: list[str], start: date, end: date) -> pd.DataFrame:
    """Σ output per line, style and day from start to end (inclusive) on the given lines, from the
    line_day rollup (kept by every write of production; NULL output: no output row that day)."""
    cols = [LD.c.line_code, LD.c.style_code, LD.c.date]
    if not lines:
        return pd.DataFrame(columns=["line_code", "style_code", "date", "output"])
    stmt = (select(*cols, func.sum(LD.c.output).label("output"))
            .where(LD.c.output.is_not(None), LD.c.date.between(start, end),
                   LD.c.line_code.in_(sorted(set(lines))))
            .group_by(*cols))
    return frame(conn, stmt, ["line_code", "style_code", "date", "output"])


def materials(conn, **where) -> pd.DataFrame:
    """Material rows of the orders matching the filters, with the order's line, style, status
    and due date."""
    stmt = (select(MI.c.wo_number, MI.c.material_code, MI.c.required_qty, MI.c.issued_qty,
                   MI.c.unit, WO.c.line_code, WO.c.style_code, WO.c.status, WO.c.due_date)
            .select_from(MI.join(WO, WO.c.wo_number == MI.c.wo_number)))
    stmt = _where_orders(stmt, **where).order_by(MI.c.wo_number, MI.c.material_code)
    return frame(conn, stmt, ["wo_number", "material_code", "required_qty", "issued_qty", "unit",
                              "line_code", "style_code", "status", "due_date"])
