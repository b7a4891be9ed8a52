"""Pre-aggregated daily tables: built from the facts on load and import, marked stale by
ingestion, and read by the reports only where they are known to be right.

`util_daily` holds utilisation's state minutes and units per production day, shift, line,
station and worker: the LEAD pass over the camera events, done once per day instead of on every
uncached read (a 30-day window of the large plant is ~800,000 events).

How it stays right:
- `rebuild` computes days from the events with the same SQL every raw read uses
  (queries/utilisation.py's spans) and records the rules it used (EVENT_MAX_GAP_MIN,
  EVENT_MIN_CONFIDENCE). A reader with other rules does not use the rollup at all.
- Ingestion (`mark_stale`, in the same transaction as the events) marks the days it touched; a
  reader takes those days from the events and the rest from the rollup, so a stale day is never
  served from the rollup. `refresh` (the CSV import, `flask refresh-rollups`) builds the stale
  days again and clears their marks.
"""
from __future__ import annotations

import json
import logging
import time
from datetime import date, datetime, timedelta
from typing import Iterable
from zoneinfo import ZoneInfo

import pandas as pd

from sqlalchemy import (Integer, case, cast, delete, func, insert, literal, null, or_, select,
                        union_all)

from core.filters import Filters
from data import db, schema
from ingest.csv_rules import plausible_days, window_text
from metrics.calendar import date_runs
from queries import (attendance as qa, line_day, months, production as qp, quality as qq,
                     utilisation as qu)
from queries.common import shifts as shifts_table

log = logging.getLogger(__name__)

UTIL = "util_daily"
RULES_KEY = "util_daily_rules"
CHUNK_DAYS = 31  # one INSERT ... SELECT per month: bounded memory for the window sort

S = schema.rollup_stale
U = schema.util_daily


def rules_of(settings) -> tuple[float, float]:
    """(EVENT_MAX_GAP_MIN, EVENT_MIN_CONFIDENCE): the rules utilisation numbers depend on."""
    return float(settings.event_max_gap_min), float(settings.event_min_confidence)


def _rules_text(rules: tuple[float, float]) -> str:
    return json.dumps([float(rules[0]), float(rules[1])])


def built_rules(conn) -> tuple[float, float] | None:
    """The rules util_daily was built with, or None if it never was."""
    value = db.get_meta(conn, RULES_KEY)
    return tuple(json.loads(value)) if value else None


def _built_with(conn, rules) -> bool:
    built = built_rules(conn)
    return built is not None and tuple(map(float, built)) == tuple(map(float, rules))


def rebuild(conn, rules: tuple[float, float], days: Iterable[date] | None = None,
            now: datetime | None = None) -> int:
    """Compute util_daily again for `days` (every day with events when None) with `rules`, in the
    caller's transaction; clear those days' stale marks. Returns the rows written.

    Only days of the plant-plausible window count (`csv_rules.plausible_days`): an event stored
    outside it (before the window was checked at ingest, or by hand) is left out, its stale mark
    dropped, and `outside_events` reports it; the other days are built as usual."""
    t0 = time.perf_counter()
    events = schema.events
    lo, hi = plausible_days(now or plant_now())
    conn.execute(delete(S).where(S.c.rollup == UTIL, or_(S.c.date < lo, S.c.date > hi)))
    if days is None:
        first, last = conn.execute(select(func.min(events.c.date), func.max(events.c.date))
                                   .where(events.c.date.between(lo, hi))).one()
        conn.execute(delete(U))
        conn.execute(delete(S).where(S.c.rollup == UTIL))
        runs = [(first, last)] if first is not None else []
    else:
        days = sorted(d for d in map(_as_date, set(days)) if lo <= d <= hi)
        runs = date_runs(days)
        for a, b in runs:
            conn.execute(delete(U).where(U.c.date.between(a, b)))
            conn.execute(delete(S).where(S.c.rollup == UTIL, S.c.date.between(a, b)))
    shifts = shifts_table(conn)
    written = 0
    for a, b in runs:
        a, b = _as_date(a), _as_date(b)
        while a <= b:
            z = min(b, a + timedelta(days=CHUNK_DAYS - 1))
            for stmt in _util_inserts(a, z, shifts, *rules):
                written += max(conn.execute(stmt).rowcount, 0)
            a = z + timedelta(days=1)
    _set_rules(conn, rules)
    log.info("util_daily: %d rows for %s in %.1f s", written,
             "all days" if days is None else f"{len(days)} days", time.perf_counter() - t0)
    return written


def outside_events(conn, now: datetime | None = None, examples: int = 5
                   ) -> tuple[int, list[str]]:
    """Stored events outside the plant-plausible window, which no rollup uses: (how many, the
    first few as "event_id at ts"), logged as a warning when there are any."""
    E = schema.events
    lo, hi = plausible_days(now or plant_now())
    outside = or_(E.c.date < lo, E.c.date > hi)
    count = conn.execute(select(func.count()).select_from(E).where(outside)).scalar()
    if not count:
        return 0, []
    rows = conn.execute(select(E.c.event_id, E.c.ts).where(outside).order_by(E.c.date)
                        .limit(examples)).all()
    shown = [f"{event_id} at {pd.Timestamp(ts).isoformat() if _in_pandas(ts) else ts}"
             for event_id, ts in rows]
    log.warning("%d stored event(s) outside the plausible window (%s) are left out of the "
                "rollups: %s", count, window_text(now or plant_now()), ", ".join(shown))
    return count, shown


def _in_pandas(ts) -> bool:
    return ts is not None and 1678 <= ts.year <= 2261


def plant_now() -> datetime:
    """The plant's local time now (for callers without settings at hand)."""
    return datetime.now(ZoneInfo(default_settings().plant_tz)).replace(tzinfo=None)


def rebuild_attendance(conn) -> None:
    """attendance_day again from every attendance record (process-attendance keeps it after)."""
    first, last = conn.execute(select(func.min(schema.attendance_daily.c.date),
                                      func.max(schema.attendance_daily.c.date))).one()
    conn.execute(delete(schema.attendance_day))
    conn.execute(delete(schema.attendance_month))
    if first is not None:
        rebuild_attendance_days(conn, _as_date(first), _as_date(last))


LINE_DAY_FACTS = ("production", "qc_checks", "defects")
# moved by every write of line_day, so by every write of its facts (which rebuild their days):
# unlike the data version, camera events and punches leave it alone
LINE_DAY_VERSION_KEY = "line_day_version"


def line_day_version(conn) -> int:
    return int(db.get_meta(conn, LINE_DAY_VERSION_KEY) or 0)


def rebuild_line_day(conn, days: Iterable | None = None, *, tables: Iterable[str] | None = None,
                     facts: dict | None = None, target=None) -> None:
    """line_day again for `days` (every day when None), in the caller's transaction: call it
    wherever production, checks or defects are written (reads trust line_day without asking).
    defect_month is built again for the months of `days` too, unless `tables` (the fact tables
    written) leaves out defects: a month of defects is the larger part of the work.

    `facts` {name: selectable} stands in for fact tables and `target` for line_day: an import
    on SQLite computes its days ahead from its staged rows into a table of its own
    (ingest/staging.py) and only copies them inside its transaction (then it rebuilds
    defect_month itself). Writing line_day itself moves LINE_DAY_VERSION, which tells that
    import whether its days are still right."""
    if target is None:
        db.bump_counter(conn, LINE_DAY_VERSION_KEY)
    with_defects = target is None and (tables is None or "defects" in set(tables))
    if days is None:
        _write_line_day(conn, facts=facts, target=target)
        if with_defects:
            rebuild_months(conn, schema.defect_month)
        return
    days = {_as_date(d) for d in days}
    for a, b in date_runs(days):
        _write_line_day(conn, a, b, facts=facts, target=target)
    if with_defects:
        rebuild_months(conn, schema.defect_month, days)


# each month rollup: the facts' date column and the grouped SELECT of its rows, per dialect
MONTH_ROLLUPS = {
    "attendance_month": (schema.attendance_daily.c.date, qa.month_rows),
    "defect_month": (schema.defects.c.date, qq.defect_months),
    "operator_month": (schema.operator_output.c.date, qp.operator_months),
}


def rebuild_months(conn, rollup, days: Iterable | None = None) -> None:
    """A month rollup (schema.attendance_month, defect_month or operator_month) again for the
    months holding `days` (every month when None), from its facts, in the caller's transaction:
    call it wherever those facts are written (reads trust the month rollups without asking)."""
    fact_date, rows_of = MONTH_ROLLUPS[rollup.name]
    rows = rows_of(conn.dialect.name)
    columns = [c.name for c in rows.selected_columns]
    if days is None:
        conn.execute(delete(rollup))
        conn.execute(insert(rollup).from_select(columns, rows))
        return
    starts = sorted({months.month_start(_as_date(d)) for d in days})
    runs: list[list[date]] = []
    for m in starts:
        if runs and months.month_end(runs[-1][1]) + timedelta(days=1) == m:
            runs[-1][1] = m
        else:
            runs.append([m, m])
    for first, last in runs:
        conn.execute(delete(rollup).where(rollup.c.month.between(first, last)))
        conn.execute(insert(rollup).from_select(
            columns, rows.where(fact_date.between(first, months.month_end(last)))))


def rebuild_operator_month(conn, days: Iterable | None = None) -> None:
    """operator_month again for the months of `days` (every month when None): call it wherever
    operator_output is written."""
    rebuild_months(conn, schema.operator_month, days)


def day_runs(days: Iterable) -> list[tuple[date, date]]:
    """Runs of consecutive days of `days` (dates, timestamps or ISO strings)."""
    return date_runs({_as_date(d) for d in days})


def _write_line_day(conn, first: date | None = None, last: date | None = None, *,
                    facts: dict | None = None, target=None) -> None:
    """Write line_day for first..last (every day when not given) from the fact tables in one
    INSERT ... SELECT."""
    facts = facts or {}
    LD = target if target is not None else schema.line_day
    P, QC, DF = (facts.get(name, getattr(schema, name)) for name in LINE_DAY_FACTS)
    keys_ = line_day.KEYS

    def window(table):
        return [table.c.date.between(first, last)] if first is not None else []

    def stage(name):
        return case((P.c.stage == name, P.c.qty))

    none = cast(null(), Integer)  # typed: PostgreSQL reads a bare NULL in a UNION as text
    measures = [c for c in schema.line_day.columns.keys() if c not in keys_]

    def part(table, where, **values):
        """One fact table's rows as (keys, every measure), NULL for the measures it lacks;
        every column labelled, so the union's columns line up by name and position."""
        cols = [table.c[k].label(k) for k in keys_]
        cols += [values.get(m, none).label(m) for m in measures]
        return select(*cols).where(*where)

    rows = union_all(
        part(P, window(P), prod_rows=literal(1), loading=stage("loading"),
             output=stage("output"), packing=stage("packing")),
        part(QC, window(QC), checked=QC.c.checked_qty, defective=QC.c.defective_qty),
        part(DF, window(DF), defects=DF.c.qty,
             repaired=case((DF.c.repaired_ts.is_not(None), DF.c.qty), else_=0)),
    ).subquery("f")
    keys = [rows.c[k] for k in keys_]
    grouped = select(*keys, *[func.sum(rows.c[m]) for m in measures]).group_by(*keys)
    conn.execute(delete(LD).where(*window(LD)))
    conn.execute(insert(LD).from_select(list(keys_) + measures, grouped))


def _util_inserts(start: date, end: date, shifts, max_gap_min: float,
                  min_confidence: float) -> list:
    """INSERT ... SELECT statements that write util_daily for days start..end from the events:
    state minutes (the same spans as every raw read, queries/utilisation.py) and units, one row
    per key and kind."""
    E = schema.events
    s = qu.spans(Filters(start=start, end=end), shifts, max_gap_min, min_confidence)
    keys = [s.c[k] for k in qu.ROLLUP_KEYS]
    states = select(*keys, qu.state_sum(s, "working"), qu.state_sum(s, "idle"),
                    qu.state_sum(s, "absent"), literal(0)).group_by(*keys)
    ekeys = [E.c[k] for k in qu.ROLLUP_KEYS]
    made = (select(*ekeys, literal(0.0), literal(0.0), literal(0.0), func.sum(E.c.count))
            .where(E.c.date.between(start, end), E.c.event_type == "product_count",
                   qu.confident(min_confidence))
            .group_by(*ekeys))
    columns = qu.ROLLUP_KEYS + qu.MEASURES
    return [insert(U).from_select(columns, states), insert(U).from_select(columns, made)]


def rebuild_attendance_days(conn, first: date, last: date) -> None:
    """Write attendance_day for first..last from attendance_daily (in the caller's transaction,
    right after the records changed) and mark the rollup as kept."""
    AD, AD_DAY = schema.attendance_daily, schema.attendance_day
    conn.execute(delete(AD_DAY).where(AD_DAY.c.date.between(first, last)))
    keys = [AD.c[k] for k in qa.DAY_KEYS]
    rows = (select(*keys, *qa.measures()).where(AD.c.date.between(first, last))
            .group_by(*keys))
    conn.execute(insert(AD_DAY).from_select(list(qa.DAY_KEYS) + qa.MEASURES, rows))
    db.set_meta(conn, qa.ROLLUP_KEY, "1")
    rebuild_months(conn, schema.attendance_month, months.starts(first, last))


def mark_stale(conn, days: Iterable) -> None:
    """Mark days whose events changed (call in the transaction that changed them)."""
    rows = [{"rollup": UTIL, "date": _as_date(d)} for d in sorted(set(days))]
    if rows:
        db.insert_ignore(conn, S, rows)


def mark_all_stale(conn) -> None:
    """Forget the rollup: the next refresh builds every day again and reads use the facts."""
    db.delete_meta(conn, RULES_KEY)


def stale_days(conn, rules: tuple[float, float], start: date, end: date) -> list[date] | None:
    """The days of start..end the rollup does not hold right, or None when it cannot be used at
    all (never built, or built with other rules)."""
    if not _built_with(conn, rules):
        return None
    rows = conn.execute(select(S.c.date).where(S.c.rollup == UTIL, S.c.date.between(start, end)))
    return sorted(_as_date(r[0]) for r in rows)


def refresh(conn, rules: tuple[float, float] | None = None, now: datetime | None = None) -> int:
    """Build the stale days again (all days when the rollup was built with other rules or never;
    `rules` None: keep the rules it was built with, else the defaults). Returns rows written."""
    if rules is None:
        rules = built_rules(conn) or rules_of(default_settings())
    if not _built_with(conn, rules):
        return rebuild(conn, rules, now=now)
    days = [_as_date(r[0]) for r in conn.execute(select(S.c.date).where(S.c.rollup == UTIL))]
    return rebuild(conn, rules, days, now=now) if days else 0


def _set_rules(conn, rules) -> None:
    db.set_meta(conn, RULES_KEY, _rules_text(rules))


def _as_date(value) -> date:
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    return value.date() if isinstance(value, datetime) else value


def default_settings():
    """The settings the environment gives (for callers without an app context)."""
    from settings import Settings
    return Settings.from_env()
