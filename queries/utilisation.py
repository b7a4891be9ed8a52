"""Utilisation SQL (SPEC section 6): how long each camera state lasted, worked out in the database
with window functions, never by pulling raw events into pandas.

Each state event (working, idle, absent) lasts until the same worker's next state event of the
same production day and shift (LEAD over the worker's events in ts order), capped at
EVENT_MAX_GAP_MIN and at the end of its shift; the worker's last state event of a shift lasts up
to the cap too. Time beyond the cap is "no data". Events below EVENT_MIN_CONFIDENCE are left out
before the window, as if they were never seen. Arrival order does not matter: only ts does.

Durations are worked out in seconds since the epoch of the naive plant-local timestamps:
`epoch_s` compiles to julianday arithmetic on SQLite and EXTRACT(EPOCH ...) on PostgreSQL, the
only two dialect-specific bits; the rest is portable SQL (SQLite >= 3.25 has window functions).
"""
from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import Float, and_, case, func, literal, not_, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from data import schema
from metrics.calendar import hhmm_to_minutes, shift_length_minutes
from queries.common import frame, where_scope
from core.filters import Filters

E = schema.events
STATES = ("working", "idle", "absent")


def _portable(name: str, doc: str, sqlite: str, postgresql: str) -> type:
    """A SQL function of its own (a FunctionElement) written out per dialect from a template
    whose {0}, {1}, ... are its compiled arguments."""
    cls = type(name, (FunctionElement,), {"type": Float(), "inherit_cache": True, "__doc__": doc})
    for dialect, template in (("sqlite", sqlite), ("postgresql", postgresql)):
        def render(element, compiler, _template=template, **kw):
            return _template.format(*[compiler.process(arg, **kw)
                                      for arg in element.clauses.clauses])
        compiles(cls, dialect)(render)
    return cls


epoch_s = _portable(
    "epoch_s", "Seconds since 1970-01-01 of a naive timestamp or a date (as if it were UTC).",
    sqlite="((julianday({0}) - 2440587.5) * 86400.0)",
    postgresql="CAST(EXTRACT(EPOCH FROM CAST({0} AS TIMESTAMP)) AS DOUBLE PRECISION)")
least2 = _portable("least2", "The smaller of two numbers.", sqlite="min({0}, {1})",
                   postgresql="LEAST({0}, {1})")


def _shift_end_offsets(shifts: pd.DataFrame) -> dict[str, int]:
    """shift_code -> seconds from the production day's midnight to the shift end."""
    out = {}
    for row in shifts.itertuples(index=False):
        out[row.shift_code] = (hhmm_to_minutes(row.start)
                               + shift_length_minutes(row.start, row.end)) * 60
    return out


def confident(min_confidence: float):
    if not min_confidence:
        return literal(True)
    return or_(E.c.confidence.is_(None), E.c.confidence >= min_confidence)


def spans(filters: Filters, shifts: pd.DataFrame, max_gap_min: float, min_confidence: float,
          scope=None):
    """A subquery of state spans: emp_code, station_code, line_code, date, shift_code,
    event_type, t (start, epoch seconds) and dur (seconds the state lasted)."""
    t = epoch_s(E.c.ts)
    offsets = _shift_end_offsets(shifts)
    shift_end = (epoch_s(E.c.date) + case(offsets, value=E.c.shift_code, else_=None)
                 if offsets else literal(None, Float))
    inner = select(
        E.c.emp_code, E.c.station_code, E.c.line_code, E.c.date, E.c.shift_code,
        E.c.event_type, t.label("t"),
        func.lead(t).over(partition_by=[E.c.date, E.c.shift_code, E.c.emp_code],
                          order_by=[E.c.ts, E.c.event_id]).label("next_t"),
        shift_end.label("end_t"),
    ).where(E.c.date.between(filters.start, filters.end), E.c.event_type.in_(STATES),
            E.c.emp_code.is_not(None), confident(min_confidence))
    if filters.shifts:
        inner = inner.where(E.c.shift_code.in_(filters.shifts))
    w = inner.subquery("w")
    cap = float(max_gap_min) * 60.0
    capped = least2(func.coalesce(w.c.next_t - w.c.t, cap), cap)
    # an event before its shift end stops there; one after it (overtime) only at the cap
    dur = case((and_(w.c.end_t.is_not(None), w.c.t < w.c.end_t), least2(capped, w.c.end_t - w.c.t)),
               else_=capped)
    out = select(w.c.emp_code, w.c.station_code, w.c.line_code, w.c.date, w.c.shift_code,
                 w.c.event_type, w.c.t, dur.label("dur"))
    # lines are chosen after the window: a worker's next event counts wherever it was seen
    return where_scope(out, w, filters, scope, use_shift=False, use_style=False).subquery("s")


def state_sum(s, state: str):
    return func.sum(case((s.c.event_type == state, s.c.dur), else_=0.0)) / 60.0


def state_minutes(conn, filters: Filters, keys: list[str], shifts: pd.DataFrame,
                  max_gap_min: float, min_confidence: float, scope=None) -> pd.DataFrame:
    """working_min, idle_min, absent_min grouped by keys (emp_code, station_code, line_code,
    date, shift_code)."""
    s = spans(filters, shifts, max_gap_min, min_confidence, scope)
    cols = [s.c[k] for k in keys]
    stmt = select(*cols, state_sum(s, "working").label("working_min"),
                  state_sum(s, "idle").label("idle_min"),
                  state_sum(s, "absent").label("absent_min"))
    if cols:
        stmt = stmt.group_by(*cols)
    return frame(conn, stmt, keys + ["working_min", "idle_min", "absent_min"])


def units(conn, filters: Filters, keys: list[str], min_confidence: float, scope=None
          ) -> pd.DataFrame:
    """Σ count of product_count events grouped by keys."""
    cols = [E.c[k] for k in keys]
    stmt = (select(*cols, func.sum(E.c.count).label("units"))
            .where(E.c.date.between(filters.start, filters.end),
                   E.c.event_type == "product_count", confident(min_confidence)))
    stmt = where_scope(stmt, E, filters, scope, use_style=False)
    if cols:
        stmt = stmt.group_by(*cols)
    return frame(conn, stmt, keys + ["units"])


# --- the daily rollup (schema.util_daily, written by ingest/rollups.py) ------------------------------

U = schema.util_daily
ROLLUP_KEYS = ["date", "shift_code", "line_code", "station_code", "emp_code"]
MEASURES = ["working_min", "idle_min", "absent_min", "units"]


def rolled_up(conn, filters: Filters, keys: list[str], scope=None, skip_days=()) -> pd.DataFrame:
    """working_min, idle_min, absent_min and units from util_daily grouped by keys, for the
    window's days except skip_days (days the rollup does not hold yet)."""
    cols = [U.c[k] for k in keys]
    stmt = select(*cols, *[func.sum(U.c[m]).label(m) for m in MEASURES]).where(
        U.c.date.between(filters.start, filters.end))
    if skip_days:
        stmt = stmt.where(not_(U.c.date.in_(list(skip_days))))
    stmt = where_scope(stmt, U, filters, scope, use_style=False)
    if cols:
        stmt = stmt.group_by(*cols)
    return frame(conn, stmt, keys + MEASURES)


def timeline(conn, day: date, filters: Filters, shifts: pd.DataFrame, max_gap_min: float,
             min_confidence: float, scope=None, emp_codes: tuple[str, ...] = ()
             ) -> pd.DataFrame:
    """One day's state spans per worker with consecutive spans of one state merged (gaps and
    islands, in SQL): emp_code, shift_code, event_type, start_t, end_t (epoch seconds)."""
    one_day = Filters(start=day, end=day, lines=filters.lines, shifts=filters.shifts)
    s = spans(one_day, shifts, max_gap_min, min_confidence, scope)
    order = [s.c.t, s.c.event_type]
    part = [s.c.emp_code, s.c.shift_code]
    end = s.c.t + s.c.dur
    prev_state = func.lag(s.c.event_type).over(partition_by=part, order_by=order)
    prev_end = func.lag(end).over(partition_by=part, order_by=order)
    # a new island starts when the state changes or the previous span stopped short (no data)
    starts = case((and_(prev_state == s.c.event_type, prev_end >= s.c.t - 0.5), 0), else_=1)
    flagged = select(s.c.emp_code, s.c.shift_code, s.c.event_type, s.c.t, end.label("end_t"),
                     starts.label("new"))
    if emp_codes:
        flagged = flagged.where(s.c.emp_code.in_(emp_codes))
    flagged = flagged.subquery("f")
    island = func.sum(flagged.c.new).over(
        partition_by=[flagged.c.emp_code, flagged.c.shift_code],
        order_by=[flagged.c.t, flagged.c.event_type], rows=(None, 0))
    numbered = select(flagged.c.emp_code, flagged.c.shift_code, flagged.c.event_type,
                      flagged.c.t, flagged.c.end_t, island.label("island")).subquery("n")
    n = numbered.c
    stmt = (select(n.emp_code, n.shift_code, n.event_type, func.min(n.t).label("start_t"),
                   func.max(n.end_t).label("end_t"))
            .group_by(n.emp_code, n.shift_code, n.island, n.event_type)
            .order_by(n.emp_code, func.min(n.t)))
    return frame(conn, stmt, ["emp_code", "shift_code", "event_type", "start_t", "end_t"])


def workers(conn, emp_codes) -> pd.DataFrame:
    """Name and home line of the given employees (small)."""
    emp = schema.employees
    stmt = select(emp.c.emp_code, emp.c.name, emp.c.line_code.label("home_line")).where(
        emp.c.emp_code.in_(list(emp_codes)))
    return frame(conn, stmt, ["emp_code", "name", "home_line"])


def stations(conn) -> pd.DataFrame:
    st = schema.stations
    return frame(conn, select(st.c.station_code, st.c.name, st.c.type), ["station_code",
                                                                          "station_name", "type"])


def camera_lines(conn) -> list[str]:
    """The lines with at least one camera station, in code order."""
    st = schema.stations
    stmt = select(st.c.line_code).where(st.c.line_code.is_not(None)).distinct()
    return sorted(conn.execute(stmt).scalars())
