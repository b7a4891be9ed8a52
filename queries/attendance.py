"""Attendance SQL: the engine's inputs, the daily records, and aggregates for the Workforce page."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Sequence

import pandas as pd
from sqlalchemy import and_, case, func, or_, select, union_all

from data import db, schema
from queries import months
from queries.common import frame, where_filters, where_scope
from core.filters import Filters

P = schema.punches
AD = schema.attendance_daily
AD_DAY = schema.attendance_day
AM = schema.attendance_month
E = schema.employees
H = schema.holidays

EMPLOYEE_COLUMNS = ["emp_code", "name", "department", "line_code", "shift_code", "date_joined",
                    "date_left", "is_placeholder"]


# --- engine inputs -------------------------------------------------------------------------------

def employees(conn, emp_codes=None) -> pd.DataFrame:
    stmt = select(*[E.c[c] for c in EMPLOYEE_COLUMNS]).order_by(E.c.emp_code)
    if emp_codes is not None:
        stmt = stmt.where(E.c.emp_code.in_(list(emp_codes)))
    df = frame(conn, stmt, EMPLOYEE_COLUMNS)
    for col in ("date_joined", "date_left"):
        df[col] = pd.to_datetime(df[col])
    return df


def holidays(conn, start: date, end: date) -> list[date]:
    rows = conn.execute(select(H.c.date).where(H.c.date.between(start, end))).scalars()
    return [pd.Timestamp(d).date() for d in rows]


MANUAL_COLUMNS = ["manual", "manual_reason", "entered_by"]


def punches_between(conn, start: datetime, end: datetime, emp_codes=None, *,
                    manual: bool = False) -> pd.DataFrame:
    """Raw punches with start <= ts < end (plain rows: the engine sorts and groups them); with
    `manual`, also whether each was entered by hand, why and by whom."""
    names = ["emp_code", "ts", "direction", "device_id"] + (MANUAL_COLUMNS if manual else [])
    stmt = select(*[P.c[n] for n in names]).where(P.c.ts >= start, P.c.ts < end)
    if emp_codes is not None:
        stmt = stmt.where(P.c.emp_code.in_(list(emp_codes)))
    df = frame(conn, stmt, names)
    df["ts"] = pd.to_datetime(df["ts"])
    return df


def unprocessed_days(conn, within: tuple[datetime, datetime]) -> list[date]:
    """Calendar days holding punches that process-attendance has not seen yet (of punches whose
    ts is `within` (first, last): the plant-plausible window)."""
    day = func.date(P.c.ts) if conn.dialect.name == "sqlite" else func.cast(P.c.ts, schema.Date)
    rows = conn.execute(select(day).where(or_(P.c.processed.is_(None), P.c.processed.is_(False)),
                                          P.c.ts.between(*within)).distinct()).scalars()
    return sorted({pd.Timestamp(d).date() for d in rows})


def first_punch_day(conn, within: tuple[datetime, datetime]) -> date | None:
    first = conn.execute(select(func.min(P.c.ts)).where(P.c.ts.between(*within))).scalar()
    return pd.Timestamp(first).date() if first is not None else None


def punches_outside(conn, within: tuple[datetime, datetime], examples: int = 5
                    ) -> tuple[int, list[tuple[str, datetime]]]:
    """Punches stored with a ts outside `within`: (how many, the first few (emp_code, ts))."""
    outside = or_(P.c.ts < within[0], P.c.ts > within[1])
    count = conn.execute(select(func.count()).select_from(P).where(outside)).scalar()
    rows = conn.execute(select(P.c.emp_code, P.c.ts).where(outside).order_by(P.c.ts)
                        .limit(examples)).all() if count else []
    return count, [tuple(r) for r in rows]


def records_between(conn, start: date, end: date) -> pd.DataFrame:
    return frame(conn, select(AD).where(AD.c.date.between(start, end)))


# --- the page and the API ------------------------------------------------------------------------

def _scoped(stmt, filters: Filters, scope, emps=(), departments=(), table=AD,
            date_col="date"):
    stmt = where_filters(stmt, table, filters, scope, date_col=date_col, use_style=False)
    return _people(stmt, table, emps, departments)


def _people(stmt, table, emps=(), departments=()):
    if emps:
        stmt = stmt.where(table.c.emp_code.in_(list(emps)))
    if departments:
        stmt = stmt.where(table.c.department.in_(list(departments)))
    return stmt


def daily(conn, filters: Filters, scope=None, emps=(), departments=(), limit=None
          ) -> pd.DataFrame:
    """The daily records themselves, with the employee's name."""
    stmt = (select(AD, E.c.name).select_from(AD.join(E, E.c.emp_code == AD.c.emp_code,
                                                     isouter=True))
            .order_by(AD.c.date, AD.c.emp_code))
    stmt = _scoped(stmt, filters, scope, emps, departments)
    if limit is not None:
        stmt = stmt.limit(limit)
    return frame(conn, stmt)


def count_daily(conn, filters: Filters, scope=None, emps=(), departments=()) -> int:
    stmt = _scoped(select(func.count()).select_from(AD), filters, scope, emps, departments)
    return int(conn.execute(stmt).scalar() or 0)


def _status_sum(status: str):
    return func.sum(case((AD.c.status == status, 1), else_=0))


def _scheduled(status: str | None = None):
    """Counts over scheduled (working) days only: a worked WO/PH day is P but not scheduled."""
    working = or_(AD.c.day_type == "W", AD.c.day_type.is_(None))
    cond = working if status is None else and_(working, AD.c.status == status)
    return func.sum(case((cond, 1), else_=0))


MEASURES = ["P", "A", "HD", "WO", "PH", "scheduled_days", "no_punch_days", "late_count",
            "late_minutes", "early_exit_count", "early_exit_minutes", "overtime_minutes",
            "missing_out", "work_minutes", "records"]


# keys of the daily rollup (schema.attendance_day); a grouping by these alone reads it
DAY_KEYS = ("date", "line_code", "department", "shift_code")
# keys of the monthly rollup per employee (schema.attendance_month)
MONTH_KEYS = ("emp_code", "line_code", "department", "shift_code")
ROLLUP_KEY = "attendance_day_built"


def measures():
    """Status counts and exception sums of attendance_daily rows, labelled as MEASURES."""
    return [
        _scheduled("P").label("P"), _scheduled("A").label("A"), _scheduled("HD").label("HD"),
        _status_sum("WO").label("WO"), _status_sum("PH").label("PH"),
        _scheduled().label("scheduled_days"),
        func.sum(case((and_(AD.c.status == "A", AD.c.in_time.is_(None)), 1), else_=0))
        .label("no_punch_days"),
        func.sum(case((AD.c.late_minutes > 0, 1), else_=0)).label("late_count"),
        func.sum(AD.c.late_minutes).label("late_minutes"),
        func.sum(case((AD.c.early_exit_minutes > 0, 1), else_=0)).label("early_exit_count"),
        func.sum(AD.c.early_exit_minutes).label("early_exit_minutes"),
        func.sum(AD.c.overtime_minutes).label("overtime_minutes"),
        func.sum(case((AD.c.missing_out.is_(True), 1), else_=0)).label("missing_out"),
        func.sum(AD.c.work_minutes).label("work_minutes"),
        func.count().label("records"),
    ]


def month_rows(dialect: str):
    """attendance_daily summed per month and MONTH_KEYS: attendance_month's rows (add a
    WHERE)."""
    month = months.month_of(dialect, AD.c.date).label("month")
    keys = [AD.c[k] for k in MONTH_KEYS]
    return select(month, *keys, *measures()).group_by(month, *keys)


def day_rollup_kept(conn) -> bool:
    return db.get_meta(conn, ROLLUP_KEY) is not None


def summary_by(conn, filters: Filters, keys: list[str], scope=None, emps=(), departments=(),
               sums: Sequence[str] = MEASURES) -> pd.DataFrame:
    """Status counts and exception sums grouped by keys (date, line_code, department,
    shift_code, emp_code). P, HD and A count scheduled days only; WO and PH are off days.
    Groupings of DAY_KEYS read the daily rollup when process-attendance keeps it; groupings of
    MONTH_KEYS read the monthly rollup for the window's months (months.cover), the days of
    its edge months the facts: added, or taken away when fewer. `sums`: the MEASURES to read
    (all by default; Trends reads three of the fifteen)."""
    sums = [m for m in MEASURES if m in sums]
    rolled_months, add, sub = months.cover(filters.start, filters.end)
    if not emps and set(keys) <= set(DAY_KEYS) and day_rollup_kept(conn):
        cols = [AD_DAY.c[k] for k in keys]
        stmt = select(*cols, *[func.sum(AD_DAY.c[m]).label(m) for m in sums])
        stmt = where_filters(stmt, AD_DAY, filters, scope, use_style=False)
        if departments:
            stmt = stmt.where(AD_DAY.c.department.in_(list(departments)))
    elif set(keys) <= set(MONTH_KEYS) and rolled_months is not None:
        netted = sums if "records" in sums else [*sums, "records"]  # for the HAVING below
        parts = [_scoped(select(*[AM.c[k] for k in keys], *[AM.c[m] for m in netted]),
                         months.whole_months(filters, rolled_months), scope, emps, departments,
                         table=AM, date_col="month")]
        for ranges, sign in ((add, 1), (sub, -1)):
            if ranges:
                facts = select(*[AD.c[k] for k in keys],
                               *[m if sign > 0 else (-1 * m.element).label(m.name)
                                 for m in measures() if m.name in netted])
                facts = facts.where(months.in_ranges(AD.c.date, ranges))
                facts = _people(where_scope(facts, AD, filters, scope, use_style=False), AD,
                                emps, departments)
                parts.append(facts.group_by(*[AD.c[k] for k in keys]))
        rows = (union_all(*parts) if len(parts) > 1 else parts[0]).subquery("m")
        cols = [rows.c[k] for k in keys]
        stmt = select(*cols, *[func.sum(rows.c[m]).label(m) for m in sums])
        if keys and sub:  # a group seen only on the days taken away nets to no records
            stmt = stmt.having(func.sum(rows.c.records) > 0)
    else:
        cols = [AD.c[k] for k in keys]
        stmt = _scoped(select(*cols, *[m for m in measures() if m.name in sums]), filters, scope,
                       emps, departments)
    if keys:
        stmt = stmt.group_by(*cols).order_by(*cols)
    df = frame(conn, stmt, keys + sums)
    for col in sums:
        df[col] = pd.to_numeric(df[col], errors="coerce").fillna(0)
    return df


def heat_cells(conn, filters: Filters, emp_codes: list[str], scope=None) -> pd.DataFrame:
    """(emp_code, date, status) of the given employees: the heat map's cells."""
    if not emp_codes:
        return pd.DataFrame(columns=["emp_code", "date", "status"])
    stmt = select(AD.c.emp_code, AD.c.date, AD.c.status, AD.c.in_time, AD.c.work_minutes)
    return frame(conn, _scoped(stmt, filters, scope, emps=emp_codes))


def employee_names(conn, emp_codes) -> pd.DataFrame:
    stmt = select(E.c.emp_code, E.c.name, E.c.line_code, E.c.department, E.c.shift_code,
                  E.c.is_placeholder).where(E.c.emp_code.in_(list(emp_codes)))
    return frame(conn, stmt)


def unmatched_punches(conn, filters: Filters, scope=None) -> pd.DataFrame:
    """Punches that fell in no shift window, with their employee's line (reported, not lost)."""
    stmt = (select(P.c.emp_code, E.c.name, E.c.line_code, P.c.ts, P.c.direction, P.c.device_id)
            .select_from(P.join(E, E.c.emp_code == P.c.emp_code, isouter=True))
            .where(P.c.unmatched.is_(True),
                   P.c.ts >= datetime.combine(filters.start, datetime.min.time()),
                   P.c.ts < datetime.combine(filters.end + timedelta(days=1), datetime.min.time()))
            .order_by(P.c.ts))
    lines = filters.lines
    if scope is not None or lines:
        from core.filters import scoped_lines
        allowed = scoped_lines(lines, scope)
        stmt = stmt.where(E.c.line_code.in_(list(allowed or ())))
    return frame(conn, stmt)
