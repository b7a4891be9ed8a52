"""FloorPulse benchmark: every page's report against the bare SQL floor and the naive pandas way.

    python bench/run.py                                   # demo plant, temporary SQLite file
    python bench/run.py --database-url postgresql+psycopg2://postgres@127.0.0.1:5432/fp_bench
    python bench/run.py --database-url URL --reuse        # measure the plant already loaded
    python bench/run.py --quick                           # well under a minute: the CI smoke mode
    python bench/run.py --only utilisation,trends --windows 30 --no-extras

Seeds the pinned plant (`--scale`, end 2026-03-31 14:00, seed 42; the database's plant data is
replaced unless `--reuse`), then for each page's report function and each window (the days
ending 2026-03-31) measures:
- cold p50/p95: the report with the cache cleared before every run (`--runs`);
- warm p50/p95: the same report served from the cache;
- SQL p95 (the floor): ONE hand-written aggregate statement over the raw fact tables computing
  the page's headline numbers, through the raw DBAPI cursor with fetchall (see `FLOORS`);
- naive p95: the way a typical Dash app does it: pd.read_sql the window's fact rows and aggregate
  in pandas (see `NAIVE`); fewer runs for long windows (`--naive-runs`), none with `--no-naive`;
- payload KB: the JSON of what the page sends the browser (its build(...) component).
The report, the floor and the naive way must agree on the numbers (the report's totals and the
column sums); a disagreement is printed and fails the run (exit status 1). Then, unless
`--no-extras`, ingestion events per second and attendance processing (both in a scratch database
of the same backend: the plant is not touched) and, unless `--quick` or `--no-first-start`, the
first `python app.py` on an empty SQLite database until it answers.
"""
from __future__ import annotations

import argparse
import math
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from sqlalchemy import text  # noqa: E402

from harness import (END, ROOT, bench_app, cold_times, p50_p95, payload_bytes,  # noqa: E402
                     scratch_database, seed, table, timed, write_json)
from data import db  # noqa: E402
from metrics.calendar import hhmm_to_minutes, shift_length_minutes  # noqa: E402
from metrics.downtime import production_window  # noqa: E402
from queries.common import master_lists  # noqa: E402
from reports import downtime, production, quality, trends, utilisation, workforce  # noqa: E402
from core.filters import Filters
from reports.overview import extra_overview_kpis  # noqa: E402

STATES = ("working", "idle", "absent")
BUDGET_WINDOW = 30  # the cold/SQL and naive/cold budgets are for the 30-day filter
BUDGETS = {"cold_over_sql": 1.5, "naive_over_cold": 20.0, "warm_p95_ms": 20.0, "payload_kb": 300.0}


# --- the floor: one aggregate statement per page over the raw fact tables ---------------------------
#
# Plain SQL for both backends. The only dialect bits are written as macros, expanded by `render`:
# EPOCH(x) (seconds since 1970 of a naive timestamp or a date: julianday arithmetic on SQLite,
# EXTRACT(EPOCH ...) on PostgreSQL), LEAST/GREATEST (scalar min/max on SQLite), and {shift_end}
# (seconds from a production day's midnight to the end of each shift, from the shifts table).
# Bind parameters (:start, :end, ...) are those of `Window.params`.

def floor_overview() -> str:
    """Per line: output pieces and earned minutes (Σ qty × style SMV of stage `output`), target
    pieces and available minutes (Σ (operators + helpers) × working minutes of the plans)."""
    return """
select line_code, sum(output) as output, sum(earned) as earned_minutes,
       sum(target) as target, sum(available) as available_minutes
from (select p.line_code, p.qty as output, p.qty * s.smv as earned, 0 as target, 0 as available
      from production p left join styles s on s.style_code = p.style_code
      where p.stage = 'output' and p.date between :start and :end
      union all
      select line_code, 0, 0, target_qty, (operators + coalesce(helpers, 0)) * working_minutes
      from line_plans where date between :start and :end) f
group by line_code"""


def floor_lines() -> str:
    """The overview's numbers per line and production day (the Lines page's daily series)."""
    return """
select line_code, date, sum(output) as output, sum(earned) as earned_minutes,
       sum(target) as target, sum(available) as available_minutes
from (select p.line_code, p.date, p.qty as output, p.qty * s.smv as earned, 0 as target,
             0 as available
      from production p left join styles s on s.style_code = p.style_code
      where p.stage = 'output' and p.date between :start and :end
      union all
      select line_code, date, 0, 0, target_qty,
             (operators + coalesce(helpers, 0)) * working_minutes
      from line_plans where date between :start and :end) f
group by line_code, date"""


def floor_quality() -> str:
    """Per line and day: pieces checked and defective (end-of-line checks), defects and repaired
    defects (Σ qty of the individual defects)."""
    return """
select line_code, date, sum(checked) as checked, sum(defective) as defective,
       sum(defects) as defects, sum(repaired) as repaired
from (select line_code, date, checked_qty as checked, defective_qty as defective,
             0 as defects, 0 as repaired
      from qc_checks where date between :start and :end
      union all
      select line_code, date, 0, 0, qty, case when repaired_ts is not null then qty else 0 end
      from defects where date between :start and :end) f
group by line_code, date"""


def floor_downtime() -> str:
    """Per line and category: stops, open stops and downtime minutes of the breakdowns that
    overlap the window's clock time (earliest shift start of the first day to the same time after
    the last), clipped to it; an open one runs up to now."""
    return """
select line_code, category, count(*) as stops,
       sum(case when end_ts is null then 1 else 0 end) as open_stops,
       sum(GREATEST(0, LEAST(EPOCH(coalesce(end_ts, :now)), :w1)
                       - GREATEST(EPOCH(start_ts), :w0))) / 60.0 as minutes
from breakdowns
where start_ts < :w1_ts and coalesce(end_ts, :now) > :w0_ts
group by line_code, category"""


def floor_workforce() -> str:
    """Per line and day: present, absent and half days on scheduled (working) days, weekly offs,
    holidays, scheduled days, late arrivals, overtime minutes and records."""
    return """
select line_code, date,
       sum(case when status = 'P' and coalesce(day_type, 'W') = 'W' then 1 else 0 end) as present,
       sum(case when status = 'A' and coalesce(day_type, 'W') = 'W' then 1 else 0 end) as absent,
       sum(case when status = 'HD' and coalesce(day_type, 'W') = 'W' then 1 else 0 end)
           as half_day,
       sum(case when status = 'WO' then 1 else 0 end) as weekly_off,
       sum(case when status = 'PH' then 1 else 0 end) as holiday,
       sum(case when coalesce(day_type, 'W') = 'W' then 1 else 0 end) as scheduled,
       sum(case when late_minutes > 0 then 1 else 0 end) as late,
       sum(overtime_minutes) as overtime_minutes, count(*) as records
from attendance_daily where date between :start and :end
group by line_code, date"""


# Each state event lasts until the same worker's next state event of the same production day and
# shift (LEAD in ts order), capped at EVENT_MAX_GAP_MIN and at the end of its shift: the rule of
# queries/utilisation.py, written out by hand.
_SPANS = """
with w as (
  select e.date, e.emp_code, e.event_type, EPOCH(e.ts) as t,
         lead(EPOCH(e.ts)) over (partition by e.date, e.shift_code, e.emp_code
                                 order by e.ts, e.event_id) as next_t,
         EPOCH(e.date) + {shift_end} as end_t
  from events e
  where e.date between :{start} and :end and e.event_type in ('working', 'idle', 'absent')
    and e.emp_code is not null and (e.confidence is null or e.confidence >= :conf)
), s as (
  select date, emp_code, event_type,
         case when end_t is not null and t < end_t
              then LEAST(LEAST(coalesce(next_t - t, :cap), :cap), end_t - t)
              else LEAST(coalesce(next_t - t, :cap), :cap) end as dur
  from w
)"""


def floor_utilisation() -> str:
    """Per worker: working, idle and absent minutes over the window's camera events (LEAD over
    each worker's state events, capped at the gap limit and the shift end)."""
    return _SPANS.replace("{start}", "start") + """
select emp_code,
       sum(case when event_type = 'working' then dur else 0 end) / 60.0 as working_min,
       sum(case when event_type = 'idle' then dur else 0 end) / 60.0 as idle_min,
       sum(case when event_type = 'absent' then dur else 0 end) / 60.0 as absent_min
from s group by emp_code"""


def floor_trends() -> str:
    """Per day (the plant), the parts of every Trends series as (series, num, den): output;
    efficiency (earned / available minutes); DHU (defects / checked); downtime minutes (by the
    day a stop started, open ones up to now); attendance ((P + ½ HD) / scheduled days); reported
    productivity (Σ actual × operators / Σ operators); utilisation (working / working + idle).
    The window reaches back 14 days at least, as the report's last-week cards do."""
    return _SPANS.replace("{start}", "trend_start") + """
select date, series, sum(num) as num, sum(den) as den
from (select p.date, 'output' as series, p.qty as num, 0 as den from production p
      where p.stage = 'output' and p.date between :trend_start and :end
      union all
      select p.date, 'efficiency', p.qty * st.smv, 0
      from production p left join styles st on st.style_code = p.style_code
      where p.stage = 'output' and p.date between :trend_start and :end
      union all
      select date, 'efficiency', 0, (operators + coalesce(helpers, 0)) * working_minutes
      from line_plans where date between :trend_start and :end
      union all
      select date, 'dhu', 0, checked_qty from qc_checks where date between :trend_start and :end
      union all
      select date, 'dhu', qty, 0 from defects where date between :trend_start and :end
      union all
      select date, 'downtime', (EPOCH(coalesce(end_ts, :now)) - EPOCH(start_ts)) / 60.0, 0
      from breakdowns where date between :trend_start and :end
      union all
      select date, 'attendance',
             case when coalesce(day_type, 'W') <> 'W' then 0 when status = 'P' then 1.0
                  when status = 'HD' then 0.5 else 0 end,
             case when coalesce(day_type, 'W') = 'W' then 1 else 0 end
      from attendance_daily where date between :trend_start and :end
      union all
      select date, 'reported', actual_productivity * operators, operators
      from line_daily where date between :trend_start and :end
      union all
      select date, 'utilisation', case when event_type = 'working' then dur else 0 end / 60.0,
             case when event_type in ('working', 'idle') then dur else 0 end / 60.0
      from s) f
group by date, series"""


FLOORS = {"overview": floor_overview, "lines": floor_lines, "quality": floor_quality,
          "downtime": floor_downtime, "workforce": floor_workforce,
          "utilisation": floor_utilisation, "trends": floor_trends}

_DIALECT = {
    "sqlite": {"EPOCH": "((julianday({}) - 2440587.5) * 86400.0)", "LEAST": "min({})",
               "GREATEST": "max({})"},
    "postgresql": {"EPOCH": "CAST(EXTRACT(EPOCH FROM CAST({} AS TIMESTAMP)) AS DOUBLE PRECISION)",
                   "LEAST": "LEAST({})", "GREATEST": "GREATEST({})"},
}


def render(sql: str, dialect: str, shift_end: str) -> str:
    """Expand the macros for `dialect` and turn :name parameters into the driver's style."""
    sql = sql.replace("{shift_end}", shift_end)
    for macro, template in _DIALECT[dialect].items():
        sql = _expand(sql, macro, template)
    if dialect == "postgresql":
        sql = re.sub(r"(?<![:\w]):([A-Za-z_]\w*)", r"%(\1)s", sql)
    return sql


def _expand(sql: str, macro: str, template: str) -> str:
    """Replace every MACRO(args) (balanced parentheses) by template.format(args)."""
    out, pos = [], 0
    while (i := sql.find(macro + "(", pos)) >= 0:
        depth, j = 0, i + len(macro)
        while True:
            depth += {"(": 1, ")": -1}.get(sql[j], 0)
            if depth == 0:
                break
            j += 1
        out += [sql[pos:i], template.format(_expand(sql[i + len(macro) + 1:j], macro, template))]
        pos = j + 1
    return "".join(out) + sql[pos:]


def shift_end_sql(shifts: pd.DataFrame) -> str:
    """CASE shift_code → seconds from the production day's midnight to the shift's end."""
    if shifts.empty:
        return "NULL"
    whens = " ".join(
        f"when '{s.shift_code}' then "
        f"{(hhmm_to_minutes(s.start) + shift_length_minutes(s.start, s.end)) * 60}"
        for s in shifts.itertuples(index=False))
    return f"(case e.shift_code {whens} else null end)"


def _fetch(engine, sql: str, params: dict) -> tuple[list, list[str]]:
    """Execute on a pooled raw DBAPI connection, fetchall: the rows and the column names."""
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute(sql, params)
        rows = cur.fetchall()
        names = [d[0] for d in cur.description]
        cur.close()
        raw.rollback()
        return rows, names
    finally:
        raw.close()


# --- the naive Dash way: read the window's fact rows into pandas, aggregate there ----------------

def _read(conn, sql: str, w: "Window") -> pd.DataFrame:
    return pd.read_sql(text(sql), conn, params=w.params)


def _production(conn, w: "Window", start_key: str = "start") -> pd.DataFrame:
    prod = _read(conn, f"select * from production where date between :{start_key} and :end", w)
    styles = _read(conn, "select * from styles", w)
    out = prod[prod["stage"] == "output"].merge(styles, on="style_code", how="left")
    return out.assign(output=out["qty"], earned_minutes=out["qty"] * out["smv"])


def _plans(conn, w: "Window", start_key: str = "start") -> pd.DataFrame:
    plans = _read(conn, f"select * from line_plans where date between :{start_key} and :end", w)
    return plans.assign(target=plans["target_qty"], available_minutes=(
        plans["operators"] + plans["helpers"].fillna(0)) * plans["working_minutes"])


def _production_and_plans(conn, w: "Window", keys: list[str]) -> pd.DataFrame:
    out = _production(conn, w).groupby(keys)[["output", "earned_minutes"]].sum()
    plans = _plans(conn, w).groupby(keys)[["target", "available_minutes"]].sum()
    return out.join(plans, how="outer").reset_index()


def naive_overview(conn, w: "Window") -> pd.DataFrame:
    return _production_and_plans(conn, w, ["line_code"])


def naive_lines(conn, w: "Window") -> pd.DataFrame:
    return _production_and_plans(conn, w, ["line_code", "date"])


def naive_quality(conn, w: "Window") -> pd.DataFrame:
    checks = _read(conn, "select * from qc_checks where date between :start and :end", w)
    defects = _read(conn, "select * from defects where date between :start and :end", w)
    defects["repaired"] = defects["qty"].where(defects["repaired_ts"].notna(), 0)
    keys = ["line_code", "date"]
    c = checks.groupby(keys)[["checked_qty", "defective_qty"]].sum().rename(
        columns={"checked_qty": "checked", "defective_qty": "defective"})
    d = defects.groupby(keys)[["qty", "repaired"]].sum().rename(columns={"qty": "defects"})
    return c.join(d, how="outer").reset_index()


def _clipped_breakdowns(conn, w: "Window") -> pd.DataFrame:
    bd = _read(conn, "select * from breakdowns where start_ts < :w1_ts and "
                     "(end_ts is null or end_ts > :w0_ts)", w)
    start = pd.to_datetime(bd["start_ts"])
    stop = pd.to_datetime(bd["end_ts"]).fillna(pd.Timestamp(w.now))
    clip_start = start.clip(lower=w.window_start)
    clip_stop = stop.clip(upper=w.window_end)
    return bd.assign(open_stops=bd["end_ts"].isna().astype(int), stops=1, minutes=(
        (clip_stop - clip_start).dt.total_seconds() / 60.0).clip(lower=0))


def naive_downtime(conn, w: "Window") -> pd.DataFrame:
    bd = _clipped_breakdowns(conn, w)
    return bd.groupby(["line_code", "category"])[["stops", "open_stops", "minutes"]].sum() \
        .reset_index()


def _attendance(conn, w: "Window", start_key: str = "start") -> pd.DataFrame:
    ad = _read(conn, f"select * from attendance_daily where date between :{start_key} and :end",
               w)
    sched = ad["day_type"].fillna("W") == "W"
    return ad.assign(
        present=(sched & (ad["status"] == "P")).astype(int),
        absent=(sched & (ad["status"] == "A")).astype(int),
        half_day=(sched & (ad["status"] == "HD")).astype(int),
        weekly_off=(ad["status"] == "WO").astype(int), holiday=(ad["status"] == "PH").astype(int),
        scheduled=sched.astype(int), late=(ad["late_minutes"] > 0).astype(int), records=1)


def naive_workforce(conn, w: "Window") -> pd.DataFrame:
    ad = _attendance(conn, w)
    cols = ["present", "absent", "half_day", "weekly_off", "holiday", "scheduled", "late",
            "overtime_minutes", "records"]
    return ad.groupby(["line_code", "date"])[cols].sum().reset_index()


def _state_spans(conn, w: "Window", start_key: str = "start") -> pd.DataFrame:
    """The window's camera events with each state's duration (seconds), worked out in pandas.
    Only the columns the rule needs are read: a year of the large plant is 10 M rows."""
    ev = _read(conn, "select event_id, ts, emp_code, event_type, confidence, date, shift_code "
                     f"from events where date between :{start_key} and :end", w)
    keep = ev["event_type"].isin(STATES) & ev["emp_code"].notna()
    if w.params["conf"]:
        keep &= ev["confidence"].isna() | (ev["confidence"] >= w.params["conf"])
    ev = ev[keep].assign(ts=lambda f: pd.to_datetime(f["ts"]),
                         date=lambda f: pd.to_datetime(f["date"]))
    ev = ev.sort_values(["date", "shift_code", "emp_code", "ts", "event_id"])
    t = (ev["ts"] - pd.Timestamp(0)) / pd.Timedelta(seconds=1)
    next_t = t.groupby([ev["date"], ev["shift_code"], ev["emp_code"]]).shift(-1)
    end_t = ((ev["date"] - pd.Timestamp(0)) / pd.Timedelta(seconds=1)
             + ev["shift_code"].map(w.shift_end_s).astype(float))
    cap = w.params["cap"]
    capped = (next_t - t).fillna(cap).clip(upper=cap)
    dur = np.where(end_t.notna() & (t < end_t), np.minimum(capped, end_t - t), capped)
    return ev.assign(dur=dur)


def _state_minutes(spans: pd.DataFrame, key: str) -> pd.DataFrame:
    out = spans.pivot_table(index=key, columns="event_type", values="dur", aggfunc="sum",
                            fill_value=0.0) / 60.0
    out = out.reindex(columns=list(STATES), fill_value=0.0)
    return out.rename(columns={s: f"{s}_min" for s in STATES}).reset_index()


def naive_utilisation(conn, w: "Window") -> pd.DataFrame:
    return _state_minutes(_state_spans(conn, w), "emp_code")


def naive_trends(conn, w: "Window") -> pd.DataFrame:
    start = "trend_start"
    prod, plans = _production(conn, w, start), _plans(conn, w, start)
    checks = _read(conn, "select * from qc_checks where date between :trend_start and :end", w)
    defects = _read(conn, "select * from defects where date between :trend_start and :end", w)
    bd = _read(conn, "select * from breakdowns where date between :trend_start and :end", w)
    bd_min = (pd.to_datetime(bd["end_ts"]).fillna(pd.Timestamp(w.now))
              - pd.to_datetime(bd["start_ts"])).dt.total_seconds() / 60.0
    ad = _attendance(conn, w, start)
    ld = _read(conn, "select * from line_daily where date between :trend_start and :end", w)
    util = _state_minutes(_state_spans(conn, w, start), "date")
    util["date"] = util["date"].dt.date.astype(str)
    parts = [
        ("output", prod["date"], prod["output"], 0),
        ("efficiency", prod["date"], prod["earned_minutes"], 0),
        ("efficiency", plans["date"], 0, plans["available_minutes"]),
        ("dhu", checks["date"], 0, checks["checked_qty"]),
        ("dhu", defects["date"], defects["qty"], 0),
        ("downtime", bd["date"], bd_min, 0),
        ("attendance", ad["date"], ad["present"] + 0.5 * ad["half_day"], ad["scheduled"]),
        ("reported", ld["date"], ld["actual_productivity"] * ld["operators"], ld["operators"]),
        ("utilisation", util["date"], util["working_min"],
         util["working_min"] + util["idle_min"]),
    ]
    frames = [pd.DataFrame({"date": d.astype(str), "series": s, "num": n, "den": den})
              for s, d, n, den in parts]
    return pd.concat(frames).groupby(["date", "series"])[["num", "den"]].sum().reset_index()


NAIVE = {"overview": naive_overview, "lines": naive_lines, "quality": naive_quality,
         "downtime": naive_downtime, "workforce": naive_workforce,
         "utilisation": naive_utilisation, "trends": naive_trends}


# --- the reports and their pages ---------------------------------------------------------------

def overview_page(ctx, f: Filters) -> dict:
    """What the Overview page reads: the production report and every domain's KPI cards (DHU,
    downtime, attendance, utilisation; each against the previous period)."""
    data = production.overview(ctx, f, None, now=END)
    return {**data, "kpis": data["kpis"] + extra_overview_kpis(ctx, f, None)}


def reports_of(ctx) -> dict[str, Callable[[Filters], object]]:
    """Each page's report function, as its page calls it (the clock is ctx.now, pinned)."""
    return {
        "overview": lambda f: overview_page(ctx, f),
        "lines": lambda f: production.line_detail(ctx, f, None, now=END),
        "quality": lambda f: quality.quality_view(ctx, f, None),
        "downtime": lambda f: downtime.downtime_view(ctx, f, None),
        "workforce": lambda f: workforce.workforce(ctx, f, None),
        "utilisation": lambda f: utilisation.page(ctx, f, None),
        "trends": lambda f: trends.trends(ctx, f, None),
    }


VIEWS = tuple(FLOORS)


# --- one window ------------------------------------------------------------------------------------

@dataclass
class Window:
    """A filter of `days` days ending on END's day, and every bind parameter the floors and the
    naive readers use."""
    days: int
    filters: Filters
    params: dict
    window_start: datetime
    window_end: datetime
    now: datetime
    shift_end_s: dict

    @classmethod
    def make(cls, days: int, shifts: pd.DataFrame, settings) -> "Window":
        end = END.date()
        start = end - timedelta(days=days - 1)
        w0, w1 = production_window(start, end, shifts)
        ends = {s.shift_code: (hhmm_to_minutes(s.start) + shift_length_minutes(s.start, s.end))
                * 60 for s in shifts.itertuples(index=False)}
        params = {"start": start.isoformat(), "end": end.isoformat(),
                  "trend_start": min(start, end - timedelta(days=13)).isoformat(),
                  "now": _ts(END), "w0": _epoch(w0), "w1": _epoch(w1), "w0_ts": _ts(w0),
                  "w1_ts": _ts(w1), "cap": float(settings.event_max_gap_min) * 60.0,
                  "conf": float(settings.event_min_confidence)}
        return cls(days, Filters(start=start, end=end), params, w0, w1, END, ends)


def _ts(t: datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M:%S")


def _epoch(t: datetime) -> float:
    return (t - datetime(1970, 1, 1)).total_seconds()


def agree(floor: pd.DataFrame, naive: pd.DataFrame) -> list[str]:
    """Numeric columns whose sums differ between the floor and the naive way (should be none)."""
    bad = []
    for col in floor.columns:
        if col not in naive.columns or not pd.api.types.is_numeric_dtype(naive[col]):
            continue
        a = pd.to_numeric(floor[col], errors="coerce").astype(float).sum()
        b = pd.to_numeric(naive[col], errors="coerce").astype(float).sum()
        if not math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-6):
            bad.append(f"{col}: SQL {a:,.3f} naive {b:,.3f}")
    return bad


# The report's own totals that must equal the floor's column sums: (report total, floor column).
# A pre-aggregated table that is stale or wrong shows up here.
_PRODUCTION = [(k, k) for k in ("output", "earned_minutes", "target", "available_minutes")]
REPORT_TOTALS = {
    "overview": _PRODUCTION, "lines": _PRODUCTION,
    "quality": [(k, k) for k in ("checked", "defective", "defects", "repaired")],
    "downtime": [("count", "stops"), ("open_count", "open_stops"), ("downtime_min", "minutes")],
    "workforce": [("P", "present"), ("A", "absent"), ("HD", "half_day"), ("WO", "weekly_off"),
                  ("PH", "holiday"), ("scheduled_days", "scheduled"), ("late_count", "late"),
                  ("overtime_minutes", "overtime_minutes"), ("records", "records")],
    "utilisation": [(k, k) for k in ("working_min", "idle_min", "absent_min")],
}


def report_agrees(name: str, result: dict, floor: pd.DataFrame, w: Window) -> list[str]:
    """The report's totals that differ from the floor's (should be none). Trends: the plant's
    daily output over the window."""
    if name == "trends":
        daily = result["daily"]
        pairs = [("output", float(pd.to_numeric(daily["output"]).sum()),
                  floor.loc[(floor["series"] == "output")
                            & (floor["date"].astype(str) >= w.params["start"]), "num"])]
    else:
        pairs = [(key, result["total"].get(key), floor[col])
                 for key, col in REPORT_TOTALS[name]]
    bad = []
    for key, value, column in pairs:
        expected = pd.to_numeric(column, errors="coerce").astype(float).sum()
        if not math.isclose(float(value or 0), expected, rel_tol=1e-6, abs_tol=1e-3):
            bad.append(f"{key}: report {float(value or 0):,.3f} SQL {expected:,.3f}")
    return bad


def measure_view(name: str, report, page, ctx, engine, w: Window, runs: int, naive_runs: int,
                 sql: str) -> dict:
    f = w.filters
    last = {}  # the last floor and naive results, for the agreement check
    cold = cold_times(ctx, lambda: report(f), runs)
    warm = timed(lambda: report(f), runs)
    # the baselines of long windows (seconds each on the large plant) run as often as naive
    floor_runs = runs if w.days <= 31 else max(naive_runs, 1)
    floor = timed(lambda: last.update(floor=_fetch(engine, sql, w.params)), floor_runs)
    rows, names = last["floor"]
    floor_df = pd.DataFrame.from_records(rows, columns=names)
    mismatch = []
    if naive_runs:
        with engine.connect() as conn:
            base = timed(lambda: last.update(naive=NAIVE[name](conn, w)), naive_runs)
        mismatch = agree(floor_df, last["naive"])
    else:  # --no-naive: a year of the xlarge plant's events does not fit in 24 GB of pandas
        base = [math.nan]
    mismatch += [f"report {m}" for m in report_agrees(name, report(f), floor_df, w)]
    row = {"view": name, "days": w.days, "runs": runs, "sql_runs": floor_runs,
           "naive_runs": naive_runs}
    row["cold_p50"], row["cold_p95"] = p50_p95(cold)
    row["warm_p50"], row["warm_p95"] = p50_p95(warm)
    row["sql_p50"], row["sql_p95"] = p50_p95(floor)
    row["naive_p50"], row["naive_p95"] = p50_p95(base)
    row["cold_over_sql"] = row["cold_p95"] / row["sql_p95"]
    row["naive_over_cold"] = row["naive_p95"] / row["cold_p95"]
    row["payload_kb"] = payload_bytes(page.build(ctx, f, None)) / 1024
    row["numbers_agree"] = not mismatch
    row["mismatch"] = mismatch
    row["budget"] = budget(row)
    return row


def budget(row: dict) -> str:
    """ok, or MISS and the budgets this row misses (cold/SQL and naive/cold at 30 days only)."""
    miss = []
    if row["days"] == BUDGET_WINDOW:
        if row["cold_over_sql"] > BUDGETS["cold_over_sql"]:
            miss.append("cold/SQL")
        if row["naive_over_cold"] < BUDGETS["naive_over_cold"]:
            miss.append("naive/cold")
    if row["warm_p95"] > BUDGETS["warm_p95_ms"]:
        miss.append("warm")
    if row["payload_kb"] >= BUDGETS["payload_kb"]:
        miss.append("payload")
    return "ok" if not miss else "MISS " + ",".join(miss)


COLUMNS = [("view", "view", ""), ("days", "days", "d"), ("cold p50", "cold_p50", ",.1f"),
           ("cold p95", "cold_p95", ",.1f"), ("warm p50", "warm_p50", ",.2f"),
           ("warm p95", "warm_p95", ",.2f"), ("SQL p95", "sql_p95", ",.1f"),
           ("naive p95", "naive_p95", ",.1f"), ("cold/SQL", "cold_over_sql", ",.1f"),
           ("naive/cold", "naive_over_cold", ",.2f"), ("payload KB", "payload_kb", ",.1f"),
           ("budget", "budget", "")]


# --- extras ----------------------------------------------------------------------------------------

def extras(url: str, quick: bool) -> dict:
    """Ingestion events per second and attendance processing, each in a scratch database of the
    same backend (they replace the plant tables they use), so the measured plant stays as is."""
    import attendance as bench_attendance
    import ingest_events as bench_ingest
    sizes, runs = ([1000], 1) if quick else ([1000, 10000], 3)
    employees, days = (50, 3) if quick else (2000, 30)
    out = {}
    with scratch_database(url) as scratch:
        out["ingest"] = bench_ingest.run(scratch, sizes, runs)
    print(table(bench_ingest.COLUMNS, out["ingest"]), flush=True)
    with scratch_database(url) as scratch:
        out["attendance"] = bench_attendance.run(scratch, employees, days)
    print(table(bench_attendance.COLUMNS, out["attendance"]), flush=True)
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def first_start_seconds() -> float:
    """`python app.py` on an empty SQLite database (schema, demo plant, admin user) until
    /login answers."""
    tmp = Path(tempfile.mkdtemp(prefix="fp-first-"))
    port = free_port()
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp / 'fp.db'}", CACHE_DIR=str(tmp / "c"),
               PORT=str(port), LOG_LEVEL="WARNING")
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, str(ROOT / "app.py")], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            stdin=subprocess.DEVNULL)
    try:
        while time.perf_counter() - t0 < 120:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=1) as r:
                    if r.status == 200:
                        return time.perf_counter() - t0
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("the app did not answer within 120 s")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)


# --- the command -----------------------------------------------------------------------------------

def parse_args(argv=None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    ap.add_argument("--scale", default="demo", choices=["demo", "medium", "large", "xlarge"])
    ap.add_argument("--reuse", action="store_true", help="keep the plant already loaded")
    ap.add_argument("--runs", type=int, default=10, help="cold, warm and SQL runs (default 10)")
    ap.add_argument("--naive-runs", type=int, default=None,
                    help="naive runs, and SQL runs beyond 31 days (default: --runs up to 31 "
                         "days, at most 3 beyond)")
    ap.add_argument("--windows", default="1,30,365", help="window lengths in days")
    ap.add_argument("--only", default=None, help=f"comma-separated views of {','.join(VIEWS)}")
    ap.add_argument("--quick", action="store_true",
                    help="tiny plant (7 days, 2 lines), 2 runs, windows 1,7, tiny extras")
    ap.add_argument("--no-extras", action="store_true", help="skip ingestion and attendance")
    ap.add_argument("--no-naive", action="store_true",
                    help="skip the naive way (the report is still checked against the floor)")
    ap.add_argument("--no-first-start", action="store_true")
    ap.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    ap.add_argument("--json", default=None, help="write every number here")
    args = ap.parse_args(argv)
    if args.quick:
        args.runs, args.windows, args.no_first_start = 2, "1,7", True
    args.windows = [int(d) for d in args.windows.split(",")]
    args.only = [v.strip() for v in args.only.split(",")] if args.only else list(VIEWS)
    unknown = set(args.only) - set(VIEWS)
    if unknown:
        ap.error(f"unknown views {sorted(unknown)}; pick from {','.join(VIEWS)}")
    return args


def naive_runs_for(args, days: int) -> int:
    if args.no_naive:
        return 0
    if args.naive_runs:
        return args.naive_runs
    return args.runs if days <= 31 else min(args.runs, 3)


def main(argv=None) -> int:
    args = parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="fp-bench-"))  # the cache, and the default database
    try:
        return measure(args, args.database_url or f"sqlite:///{tmp / 'bench.db'}", tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def measure(args, url: str, tmp: Path) -> int:
    engine = db.get_engine(url)
    if not args.reuse:
        seed(engine, args.scale, **({"days": 7, "lines": 2} if args.quick else {}))
    app, ctx = bench_app(url, tmp / "cache")
    pages = {name: sys.modules[f"pages.{name}"] for name in VIEWS}
    reports = reports_of(ctx)
    with engine.connect() as conn:
        shifts = master_lists(conn)["shifts"]
        events = conn.execute(text("select count(*) from events")).scalar()
    dialect = engine.dialect.name
    shift_end = shift_end_sql(shifts)
    print(f"{dialect}, {args.scale if not args.quick else 'quick'} plant ({events:,} events), "
          f"{args.runs} runs; naive runs "
          + ", ".join(f"{d} days: {naive_runs_for(args, d)}" for d in args.windows), flush=True)
    rows = []
    with app.server.test_request_context():
        for days in args.windows:
            w = Window.make(days, shifts, ctx.settings)
            for name in args.only:
                sql = render(FLOORS[name](), dialect, shift_end)
                row = measure_view(name, reports[name], pages[name], ctx, engine, w, args.runs,
                                   naive_runs_for(args, days), sql)
                rows.append(row)
                print(f"  {name} {days} d: cold p95 {row['cold_p95']:,.1f} ms, "
                      f"SQL {row['sql_p95']:,.1f}, naive {row['naive_p95']:,.1f}", flush=True)
    print(f"\n{dialect}, times in ms; budgets: cold/SQL <= {BUDGETS['cold_over_sql']} and "
          f"naive/cold >= {BUDGETS['naive_over_cold']:.0f} at {BUDGET_WINDOW} days, warm p95 <= "
          f"{BUDGETS['warm_p95_ms']:.0f} ms, payload < {BUDGETS['payload_kb']:.0f} KB")
    print(table(COLUMNS, rows, markdown=args.markdown), flush=True)
    result = {"backend": dialect, "scale": "quick" if args.quick else args.scale,
              "events": events, "runs": args.runs, "windows": args.windows, "budgets": BUDGETS,
              "rows": rows}
    for r in rows:
        if r["mismatch"]:
            print(f"the numbers disagree: {r['view']} {r['days']} d: "
                  f"{'; '.join(r['mismatch'])}")
    if not args.no_extras:
        print()
        result["extras"] = extras(url, args.quick)
    if not args.no_first_start:
        result["first_start_s"] = first_start_seconds()
        print(f"\nfirst start (python app.py on an empty SQLite database until it answers): "
              f"{result['first_start_s']:.1f} s (budget 20 s)")
    write_json(args.json, result)
    return 1 if any(r["mismatch"] for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
