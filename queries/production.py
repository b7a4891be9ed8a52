"""Production SQL: output, plan, WIP and operator aggregates, pushed down to the database."""
from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import BigInteger, Float, Integer, case, cast, func, select, union_all

from data import schema
from queries import line_day, months
from queries.common import frame, where_filters, where_scope
from core.filters import Filters

P = schema.production
LP = schema.line_plans
S = schema.styles
OO = schema.operator_output
E = schema.employees
LD = schema.line_day
OM = schema.operator_month
STAGES = ("loading", "output", "packing")


def output_by(conn, filters: Filters, keys: list[str], scope=None) -> pd.DataFrame:
    """Σ output qty and Σ qty × smv (earned minutes) of stage `output`, grouped by keys."""
    if line_day.usable(keys):  # by day at most: the daily rollup
        src, qty, only = LD, LD.c.output, LD.c.output.is_not(None)
    else:
        src, qty, only = P, P.c.qty, P.c.stage == "output"
    cols = [src.c[k] for k in keys]
    stmt = (
        select(*cols, func.sum(qty).label("output"), func.sum(qty * S.c.smv).label("earned_minutes"))
        .select_from(src.join(S, S.c.style_code == src.c.style_code, isouter=True))
        .where(only)
    )
    stmt = where_filters(stmt, src, filters, scope).group_by(*cols)
    return frame(conn, stmt, keys + ["output", "earned_minutes"])


def first_day(conn, filters: Filters, scope=None) -> date | None:
    """The first day with production on the filter's lines (whatever its dates): before it
    the plant had no data, which is not the same as a day without output."""
    stmt = where_scope(select(func.min(LD.c.date)), LD, filters, scope, use_shift=False,
                       use_style=False)
    day = conn.execute(stmt).scalar()
    return date.fromisoformat(day) if isinstance(day, str) else day


def plan_earned_by(conn, filters: Filters, keys: list[str], scope=None) -> pd.DataFrame:
    """Σ target_qty × the planned style's SMV (the minutes the plan means to earn), by keys."""
    cols = [LP.c[k] for k in keys]
    stmt = (select(*cols, func.sum(LP.c.target_qty * S.c.smv).label("target_minutes"))
            .select_from(LP.join(S, S.c.style_code == LP.c.style_code, isouter=True)))
    stmt = where_filters(stmt, LP, filters, scope).group_by(*cols)
    return frame(conn, stmt, keys + ["target_minutes"])


def plan_by(conn, filters: Filters, keys: list[str], scope=None) -> pd.DataFrame:
    """Σ target and Σ (operators + helpers) × working_minutes of the plan rows, grouped by keys."""
    keys = [k for k in keys if k != "hour"]
    cols = [LP.c[k] for k in keys]
    stmt = select(
        *cols, func.sum(LP.c.target_qty).label("target"),
        func.sum((LP.c.operators + func.coalesce(LP.c.helpers, 0)) * LP.c.working_minutes)
        .label("available_minutes"),
    )
    stmt = where_filters(stmt, LP, filters, scope).group_by(*cols)
    return frame(conn, stmt, keys + ["target", "available_minutes"])


def plan_rows(conn, filters: Filters, scope=None) -> pd.DataFrame:
    """The plan rows themselves (one per line-shift-day: small) for hourly spreading."""
    stmt = select(LP.c.date, LP.c.shift_code, LP.c.line_code, LP.c.style_code, LP.c.target_qty,
                  LP.c.operators, LP.c.helpers, LP.c.working_minutes)
    return frame(conn, where_filters(stmt, LP, filters, scope))


def stages_by_hour(conn, filters: Filters, scope=None, *, use_shift=True, use_style=True,
                   hourly=True) -> pd.DataFrame:
    """loading / output / packing per line, date, shift and hour in the window (per line, date
    and shift when not `hourly`)."""
    names = ["line_code", "date", "shift_code"] + (["hour"] if hourly else [])
    if line_day.usable(names):
        src = LD
        sums = [func.coalesce(func.sum(LD.c[s]), 0).label(s) for s in STAGES]
        stmt = select(*[LD.c[k] for k in names], *sums).where(LD.c.prod_rows.is_not(None))
    else:
        src = P
        sums = [func.sum(case((P.c.stage == s, P.c.qty), else_=0)).label(s) for s in STAGES]
        stmt = select(*[P.c[k] for k in names], *sums)
    keys = [src.c[k] for k in names]
    stmt = where_filters(stmt, src, filters, scope, use_shift=use_shift, use_style=use_style)
    stmt = stmt.group_by(*keys)
    return frame(conn, stmt, names + ["loading", "output", "packing"])


def wip_before(conn, before: date, filters: Filters | None, scope=None) -> pd.DataFrame:
    """Σ loading − Σ output of each line over all days before `before` (WIP carried in)."""
    if line_day.usable(["line_code", "date"]):  # a year: ~15,000 rows there, ~400,000 here
        src = LD
        loaded = func.coalesce(func.sum(LD.c.loading), 0)
        out = func.coalesce(func.sum(LD.c.output), 0)
        stmt = select(LD.c.line_code, cast(loaded - out, Integer).label("wip")).where(
            LD.c.date < before, LD.c.prod_rows.is_not(None))
    else:
        src = P
        loaded = func.sum(case((P.c.stage == "loading", P.c.qty), else_=0))
        out = func.sum(case((P.c.stage == "output", P.c.qty), else_=0))
        stmt = select(P.c.line_code, cast(loaded - out, Integer).label("wip")).where(
            P.c.date < before)
    stmt = where_scope(stmt, src, filters, scope, use_shift=False, use_style=False)
    return frame(conn, stmt.group_by(src.c.line_code), ["line_code", "wip"])


STYLE_COLUMNS = ["line_code", "style_code", "description", "smv", "days", "first_day",
                 "last_day", "output"]


def styles_run(conn, filters: Filters, scope=None) -> pd.DataFrame:
    """Per line and style: days run, first and last day, output and earned minutes."""
    if line_day.usable(["line_code", "style_code", "date"]):
        src, qty, only = LD, LD.c.output, LD.c.output.is_not(None)
    else:
        src, qty, only = P, P.c.qty, P.c.stage == "output"
    stmt = (
        select(src.c.line_code, src.c.style_code, S.c.description, S.c.smv,
               func.count(func.distinct(src.c.date)).label("days"),
               func.min(src.c.date).label("first_day"), func.max(src.c.date).label("last_day"),
               func.sum(qty).label("output"))
        .select_from(src.join(S, S.c.style_code == src.c.style_code, isouter=True))
        .where(only)
    )
    stmt = where_filters(stmt, src, filters, scope).group_by(
        src.c.line_code, src.c.style_code, S.c.description, S.c.smv)
    return frame(conn, stmt, STYLE_COLUMNS)


# keys and sums of the monthly rollup of operator_output (schema.operator_month)
OPERATOR_KEYS = ("emp_code", "line_code", "shift_code", "style_code", "operation")
OPERATOR_MEASURES = ("qty", "earned_minutes", "minutes_worked", "day_bits")


def operator_months(dialect: str):
    """operator_output summed per month and OPERATOR_KEYS: operator_month's rows (add a WHERE)."""
    month = months.month_of(dialect, OO.c.date).label("month")
    keys = [OO.c[k] for k in OPERATOR_KEYS]
    return select(month, *keys, func.sum(OO.c.qty).label("qty"),
                  func.sum(OO.c.qty * OO.c.smv).label("earned_minutes"),
                  func.sum(OO.c.minutes_worked).label("minutes_worked"),
                  func.sum(months.day_bit(OO.c.date)).label("day_bits")).group_by(month, *keys)


def operators(conn, filters: Filters, scope=None) -> pd.DataFrame:
    """Operator performance per employee and line (SPEC: Σ qty × smv / Σ minutes_worked),
    with the days they worked, the number of operations they sewed and the one they sewed most
    (by minutes). A window holding whole months reads them from operator_month."""
    whole, edges = months.split(filters.start, filters.end)
    if whole is not None:
        return _operators_by_month(conn, filters, scope, whole, edges)
    keys = [OO.c.emp_code, E.c.name, OO.c.line_code]
    stmt = (
        select(*keys, func.sum(OO.c.qty).label("qty"),
               func.sum(OO.c.qty * OO.c.smv).label("earned_minutes"),
               func.sum(OO.c.minutes_worked).label("minutes_worked"),
               func.count(func.distinct(OO.c.date)).label("days"),
               func.count(func.distinct(OO.c.operation)).label("operations"))
        .select_from(OO.join(E, E.c.emp_code == OO.c.emp_code, isouter=True))
    )
    per_emp = frame(conn, where_filters(stmt, OO, filters, scope).group_by(*keys)
                    .order_by(OO.c.emp_code, OO.c.line_code))
    main = select(OO.c.emp_code, OO.c.operation, func.sum(OO.c.minutes_worked).label("m"))
    main = frame(conn, where_filters(main, OO, filters, scope)
                 .group_by(OO.c.emp_code, OO.c.operation))
    return _with_main_operation(per_emp, main)


def _with_main_operation(per_emp: pd.DataFrame, main: pd.DataFrame) -> pd.DataFrame:
    """per_emp with each operator's main operation (most minutes; ties by name) from `main`
    (emp_code, operation, m: minutes)."""
    if not main.empty:
        main = (main.sort_values(["emp_code", "m", "operation"], ascending=[True, False, True])
                .drop_duplicates("emp_code")[["emp_code", "operation"]]
                .rename(columns={"operation": "main_operation"}))
        per_emp = per_emp.merge(main, on="emp_code", how="left")
    return per_emp


def _operators_by_month(conn, filters: Filters, scope, whole, edges) -> pd.DataFrame:
    """operators() from operator_month's whole months and operator_output's edge days, summed in
    the database: a day counts once per operator and line (the rows' day bits OR-ed per month,
    bit by bit: max of each bit, portable to SQLite), operations and the main one from the sums
    per operator, line and operation."""
    rolled = select(OM.c.month, *[OM.c[k] for k in OPERATOR_KEYS],
                    *[OM.c[m] for m in OPERATOR_MEASURES])
    rolled = where_filters(rolled, OM, months.whole_months(filters, whole), scope,
                           date_col="month")
    if edges:
        facts = operator_months(conn.dialect.name).where(months.in_ranges(OO.c.date, edges))
        rolled = union_all(rolled, where_scope(facts, OO, filters, scope))
    u = rolled.subquery("m")
    bits = u.c.day_bits
    days = sum(func.max(bits.op(">>")(b).op("&")(1)) for b in range(31))
    per_month = (select(u.c.emp_code, u.c.line_code, func.sum(u.c.qty).label("qty"),
                        func.sum(u.c.earned_minutes).label("earned_minutes"),
                        func.sum(u.c.minutes_worked).label("minutes_worked"),
                        days.label("days"))
                 .group_by(u.c.emp_code, u.c.line_code, u.c.month).subquery("pm"))
    pm = per_month.c
    per_emp = frame(conn, select(
        # sums of sums: PostgreSQL answers numeric (Decimal) unless told the type
        pm.emp_code, E.c.name, pm.line_code, cast(func.sum(pm.qty), BigInteger).label("qty"),
        cast(func.sum(pm.earned_minutes), Float).label("earned_minutes"),
        cast(func.sum(pm.minutes_worked), Float).label("minutes_worked"),
        cast(func.sum(pm.days), Integer).label("days"))
        .select_from(per_month.join(E, E.c.emp_code == pm.emp_code, isouter=True))
        .group_by(pm.emp_code, E.c.name, pm.line_code).order_by(pm.emp_code, pm.line_code))
    ops = frame(conn, select(u.c.emp_code, u.c.line_code, u.c.operation,
                             cast(func.sum(u.c.minutes_worked), Float).label("m"))
                .group_by(u.c.emp_code, u.c.line_code, u.c.operation),
                ["emp_code", "line_code", "operation", "m"])
    if per_emp.empty:
        return per_emp.assign(operations=pd.Series(dtype="int64"))
    count = ops.groupby(["emp_code", "line_code"], dropna=False).size().rename("operations")
    per_emp = per_emp.join(count, on=["emp_code", "line_code"])
    main = ops.groupby(["emp_code", "operation"], as_index=False)["m"].sum(min_count=1)
    return _with_main_operation(per_emp, main)
