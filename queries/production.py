"""Production SQL: output, plan, WIP and operator aggregates, pushed down to the database."""
from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import Integer, case, cast, func, select

from data import schema
from queries import line_day
from queries.common import frame, where_filters, where_scope
from core.filters import Filters

P = schema.production
LP = schema.line_plans
S = schema.styles
OO = schema.operator_output
E = schema.employees
LD = schema.line_day
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


def operators(conn, filters: Filters, scope=None) -> pd.DataFrame:
    """Operator performance per employee and line (SPEC: Σ qty × smv / Σ minutes_worked),
    with the number of operations they sewed and the one they sewed most."""
    keys = [OO.c.emp_code, E.c.name, OO.c.line_code]
    stmt = (
        select(*keys, func.sum(OO.c.qty).label("qty"),
               func.sum(OO.c.qty * OO.c.smv).label("earned_minutes"),
               func.sum(OO.c.minutes_worked).label("minutes_worked"),
               func.count(func.distinct(OO.c.date)).label("days"),
               func.count(func.distinct(OO.c.operation)).label("operations"))
        .select_from(OO.join(E, E.c.emp_code == OO.c.emp_code, isouter=True))
    )
    per_emp = frame(conn, where_filters(stmt, OO, filters, scope).group_by(*keys))
    main = select(OO.c.emp_code, OO.c.operation, func.sum(OO.c.minutes_worked).label("m"))
    main = frame(conn, where_filters(main, OO, filters, scope)
                 .group_by(OO.c.emp_code, OO.c.operation))
    if not main.empty:
        main = (main.sort_values(["emp_code", "m", "operation"], ascending=[True, False, True])
                .drop_duplicates("emp_code")[["emp_code", "operation"]]
                .rename(columns={"operation": "main_operation"}))
        per_emp = per_emp.merge(main, on="emp_code", how="left")
    return per_emp
