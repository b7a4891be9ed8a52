"""Utilisation reports (SPEC section 6): workers, stations, factory totals, the daily series by
line, and one day's state timeline; used by the Utilisation page, the Overview card and the API.

EVENT_MAX_GAP_MIN and EVENT_MIN_CONFIDENCE change every number, so they travel as an argument
(`rules`) of each cached function and are part of its cache key.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date

import pandas as pd

from ingest import rollups
from metrics import utilisation as m
from metrics.calendar import date_runs
from metrics.production import WEEKLY_BEYOND_DAYS, by_week
from queries import utilisation as q
from reports.cache import cached_report
from core.filters import Filters
from reports.kpis import Kpi, kpi
from reports.production import filter_options
from reports.series import TrendSeries
from reports.view import View

LOWEST_N = 10
LOWEST_MIN_MINUTES = 60  # seen for less than an hour of working + idle: too little to rank
TIMELINE_MAX_WORKERS = 40


def _rules(ctx) -> tuple[float, float]:
    s = ctx.settings
    return float(s.event_max_gap_min), float(s.event_min_confidence)


def _shifts(ctx) -> pd.DataFrame:
    return filter_options(ctx)["shifts"]


@cached_report("utilisation_base")
def _base(ctx, filters: Filters, rules, scope, keys: tuple[str, ...]) -> pd.DataFrame:
    """State minutes and units by keys, summed by the database: read from the daily rollup
    (data/rollups.py) where it holds the window's days, worked out from the events (LEAD in SQL)
    for the days it does not. Rows of the two parts are not merged: roll them up by keys before
    use. Each view reads its own grouping: a year of the large plant per day, line, station and
    worker is ~100,000 rows, per worker and line a few hundred."""
    keys = list(keys)
    with ctx.engine.connect() as conn:
        stale = rollups.stale_days(conn, rules, filters.start, filters.end)
        if stale is None:  # never built, or built with other rules
            return _from_events(conn, ctx, filters, rules, scope, keys)
        parts = [q.rolled_up(conn, filters, keys, scope, skip_days=stale)]
        for a, b in date_runs(stale):
            parts.append(_from_events(conn, ctx, replace(filters, start=a, end=b), rules, scope,
                                      keys))
    parts = [p for p in parts if not p.empty] or parts[:1]
    return m.typed(pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0])


def _from_events(conn, ctx, filters: Filters, rules, scope, keys: list[str]) -> pd.DataFrame:
    gap, confidence = rules
    states = q.state_minutes(conn, filters, keys, _shifts(ctx), gap, confidence, scope)
    units = q.units(conn, filters, keys, confidence, scope)
    return m.with_units(states, units, keys)


def _measures(ctx, filters: Filters, keys: list[str], rules, scope) -> pd.DataFrame:
    return m.rollup(_base(ctx, filters, rules, scope, tuple(keys)), keys)


def _workers(ctx, filters, rules, scope) -> pd.DataFrame:
    by_line = _measures(ctx, filters, ["emp_code", "line_code"], rules, scope)
    df = m.add_worker_ratios(m.rollup(by_line, ["emp_code"]))
    if df.empty:
        return df
    with ctx.engine.connect() as conn:
        names = q.workers(conn, df["emp_code"].tolist())
    # the line a worker was seen on most (by working + idle minutes) in the window
    where = (by_line.assign(seen=by_line["working_min"] + by_line["idle_min"])
             .sort_values(["emp_code", "seen", "line_code"], ascending=[True, False, True])
             .drop_duplicates("emp_code")[["emp_code", "line_code"]])
    return df.merge(names, on="emp_code", how="left").merge(where, on="emp_code", how="left")


def _stations(ctx, filters, rules, scope) -> pd.DataFrame:
    df = m.add_station_ratios(_measures(ctx, filters, ["station_code", "line_code"], rules,
                                        scope))
    if df.empty:
        return df
    with ctx.engine.connect() as conn:
        return df.merge(q.stations(conn), on="station_code", how="left")


@cached_report("utilisation_workers")
def _workers_report(ctx, filters: Filters, rules, scope) -> dict:
    rows = _workers(ctx, filters, rules, scope)
    return {"rows": rows, "total": m.totals(rows)}


@cached_report("utilisation_stations")
def _stations_report(ctx, filters: Filters, rules, scope) -> dict:
    rows = _stations(ctx, filters, rules, scope)
    return {"rows": rows, "total": m.totals(rows)}


def workers(ctx, filters: Filters, scope=None) -> dict:
    """/api/v1/utilisation/workers: per worker working/idle/absent minutes, units,
    utilisation_pct, units_per_hour, and the factory total."""
    return _workers_report(ctx, filters, _rules(ctx), scope)


def stations(ctx, filters: Filters, scope=None) -> dict:
    """/api/v1/utilisation/stations: per station occupancy, utilisation and throughput."""
    return _stations_report(ctx, filters, _rules(ctx), scope)


@cached_report("utilisation_daily")
def _daily(ctx, filters: Filters, rules, scope) -> pd.DataFrame:
    return m.add_worker_ratios(_measures(ctx, filters, ["date", "line_code"], rules, scope))


def daily_by_line(ctx, filters: Filters, scope=None) -> pd.DataFrame:
    """Utilisation % by date and line (working, idle, absent minutes, units alongside): the
    series the Trends page charts."""
    return _daily(ctx, filters, _rules(ctx), scope)


def _utilisation_parts(ctx, filters: Filters, scope) -> pd.DataFrame:
    """Working and occupied (working + idle) minutes per date and line: utilisation % of any
    grouping is Σ working / Σ occupied x 100."""
    daily = daily_by_line(ctx, filters, scope)
    return daily.assign(occupancy_min=daily["working_min"] + daily["idle_min"])[
        ["date", "line_code", "working_min", "occupancy_min"]]


@cached_report("utilisation_total")
def _total(ctx, filters: Filters, rules, scope) -> dict:
    return m.totals(_base.uncached(ctx, filters, rules, scope, keys=()))


def total(ctx, filters: Filters, scope=None) -> dict:
    """Factory totals for the window (the Overview card)."""
    return _total(ctx, filters, _rules(ctx), scope)


@cached_report("camera_lines")
def camera_lines(ctx) -> list[str]:
    """The lines cameras watch (those with a station): only they have utilisation figures."""
    with ctx.engine.connect() as conn:
        return q.camera_lines(conn)


def cameras_note(ctx, filters: Filters, scope) -> str | None:
    """Why there is no utilisation: none of the selected lines has a camera (None when some
    do). Names the lines that have them, so "no figure" is not read as "no previous period"."""
    watched = camera_lines(ctx)
    chosen = set(filters.lines or (scope if scope is not None else watched))
    if scope is not None:
        chosen &= set(scope)
    if chosen & set(watched):
        return None
    where = f"cameras on {', '.join(watched)} only" if watched else "no camera stations yet"
    return f"no cameras on {'this line' if len(chosen) == 1 else 'these lines'} ({where})"


def utilisation_kpis(ctx, filters: Filters, scope) -> list[Kpi]:
    """The Overview's utilisation card."""
    cur, prev = total(ctx, filters, scope), total(ctx, filters.previous(), scope)
    return [kpi("utilisation_pct", "Utilisation", cur["utilisation_pct"],
                prev["utilisation_pct"], " %", digits=1,
                note=cameras_note(ctx, filters, scope) if cur["utilisation_pct"] is None
                else None)]


@cached_report("utilisation_page")
def _page(ctx, filters: Filters, rules, scope) -> dict:
    workers_df = _workers(ctx, filters, rules, scope)
    stations_df = _stations(ctx, filters, rules, scope)
    daily = _daily.uncached(ctx, filters, rules, scope)
    days = sorted(daily["date"].unique()) if not daily.empty else []
    # long windows chart by week (ratios of the week's sums)
    weekly = filters.days > WEEKLY_BEYOND_DAYS
    chart = (m.add_worker_ratios(by_week(daily, [*m.MINUTES, "units"])) if weekly and
             not daily.empty else daily)
    lowest_workers = _with_hours(m.lowest(workers_df, LOWEST_N, LOWEST_MIN_MINUTES))
    if not lowest_workers.empty:  # the bar's label: a name can repeat, the code cannot
        lowest_workers = lowest_workers.assign(
            label=lowest_workers["name"].fillna(lowest_workers["emp_code"]) + " · "
            + lowest_workers["emp_code"])
    total = m.totals(workers_df)
    total.update({f"{k}_h": total[f"{k}_min"] / 60.0 for k in ("working", "idle", "absent")})
    return {
        "workers": workers_df, "stations": stations_df, "daily": daily,
        "total": total, "days": days, "chart": chart, "per": "week" if weekly else "day",
        "lowest_workers": lowest_workers,
        "lowest_stations": _with_hours(m.lowest(stations_df, LOWEST_N, LOWEST_MIN_MINUTES)),
    }


def _with_hours(df: pd.DataFrame) -> pd.DataFrame:
    """Working and idle hours beside the minutes (the lowest-ten bars' hover)."""
    if "working_min" not in df:
        return df
    return df.assign(working_h=df["working_min"] / 60.0, idle_h=df["idle_min"] / 60.0)


def page(ctx, filters: Filters, scope=None) -> dict:
    """The Utilisation page: workers, stations, the daily series, totals, the lowest ten."""
    return _page(ctx, filters, _rules(ctx), scope)


@cached_report("utilisation_timeline")
def _timeline(ctx, day: date, filters: Filters, rules, scope) -> dict:
    gap, confidence = rules
    shifts = _shifts(ctx)
    with ctx.engine.connect() as conn:
        islands = q.timeline(conn, day, filters, shifts, gap, confidence, scope)
        workers_seen = sorted(islands["emp_code"].unique()) if not islands.empty else []
        names = q.workers(conn, workers_seen) if workers_seen else pd.DataFrame(
            columns=["emp_code", "name", "home_line"])
    shown = workers_seen[:TIMELINE_MAX_WORKERS]
    segments = m.timeline_with_gaps(islands[islands["emp_code"].isin(shown)], day, shifts)
    if not segments.empty:
        segments = segments.merge(names, on="emp_code", how="left")
        segments["name"] = segments["name"].fillna(segments["emp_code"])
    return {"segments": segments, "workers": len(workers_seen), "shown": len(shown), "day": day}


def timeline(ctx, day: date, filters: Filters, scope=None) -> dict:
    """One day's state timeline per worker (working / idle / absent / no data)."""
    return _timeline(ctx, day, filters, _rules(ctx), scope)


def utilisation_view(ctx, filters: Filters, scope=None) -> dict:
    """The Utilisation page with the state timeline of its last day with events."""
    data = page(ctx, filters, scope)
    last = timeline(ctx, data["days"][-1], filters, scope) if data["days"] else None
    return {**data, "timeline": last["segments"] if last else pd.DataFrame(),
            "timeline_meta": last}


VIEW = View(
    "utilisation", utilisation_view,
    frames={"daily": "chart", "units": "chart", "lowest-workers": "lowest_workers",
            "lowest-stations": "lowest_stations", "workers": "workers", "stations": "stations",
            "timeline": "timeline"},
    values={"summary": "total"})

UTILISATION_SERIES = TrendSeries("utilisation_pct", "Utilisation", unit=" %", order=60,
                                 num="working_min", den="occupancy_min", scale=100.0,
                                 fn=_utilisation_parts)
