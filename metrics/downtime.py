"""Downtime, maintenance and OEE metrics (SPEC section 4): pure pandas, no I/O.

A breakdown's minutes are end_ts − start_ts, an open one's up to now (and flagged open), clipped
to the filter window. Ratios are ratios of sums; a zero or missing denominator gives null.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

import numpy as np
import pandas as pd

from metrics.calendar import hhmm_to_minutes
from metrics.production import pct_series, ratio_pct
from metrics.ratios import divide

DUE_SOON_DAYS = 7  # PM due within this many days is flagged "due soon"

OEE_DEFINITION = (
    "OEE = availability × performance × quality. Availability = (planned working minutes − "
    "downtime) / planned working minutes. Performance = earned minutes (output × SMV) / "
    "(operators + helpers) × (planned working minutes − downtime). Quality = first-pass yield "
    "(checked − defective) / checked.")


def day_start_minutes(shifts: pd.DataFrame) -> int:
    """When a production day starts: the earliest shift start (midnight with no shifts)."""
    if shifts is None or shifts.empty:
        return 0
    return min(hhmm_to_minutes(s) for s in shifts["start"])


def production_window(start: date, end: date, shifts: pd.DataFrame) -> tuple[datetime, datetime]:
    """The clock time of production days start..end: from the earliest shift start on `start`
    to the same time the day after `end` (a night shift belongs to the day it starts)."""
    first = timedelta(minutes=day_start_minutes(shifts))
    return (datetime.combine(start, time()) + first,
            datetime.combine(end + timedelta(days=1), time()) + first)


def clip_minutes(bd: pd.DataFrame, window_start: datetime, window_end: datetime,
                 now: datetime) -> pd.DataFrame:
    """Add `open` (no end_ts yet), `clip_start` and `clip_end` (the part inside the window, an
    open one up to now) and `minutes` (of that part)."""
    out = bd.copy()
    start = pd.to_datetime(out["start_ts"])
    end = pd.to_datetime(out["end_ts"])
    out["open"] = end.isna()
    out["clip_start"] = start.clip(lower=pd.Timestamp(window_start))
    stop = end.fillna(pd.Timestamp(now)).clip(upper=pd.Timestamp(window_end))
    out["clip_end"] = stop.where(stop > out["clip_start"], out["clip_start"])
    out["minutes"] = (out["clip_end"] - out["clip_start"]).dt.total_seconds() / 60.0
    return out


def split_by_day(bd: pd.DataFrame, day_start_min: int) -> pd.DataFrame:
    """One row per breakdown and production day it ran on, with that day's `minutes` and `day`:
    a stop from 22:00 to 09:00 with days starting at 08:00 gives 600 min on the first day and
    60 on the next. Each row still counts as a stop of its day."""
    if bd.empty:
        return bd.assign(day=pd.Series(dtype=object))
    offset = pd.Timedelta(minutes=day_start_min)
    first = (bd["clip_start"] - offset).dt.normalize()
    last = (bd["clip_end"] - offset - pd.Timedelta(microseconds=1)).dt.normalize()
    n = ((last - first).dt.days.clip(lower=0) + 1).to_numpy()
    out = bd.loc[bd.index.repeat(n)].copy()
    k = out.groupby(level=0).cumcount().to_numpy()
    day0 = pd.Series(first.to_numpy().repeat(n), index=out.index) + pd.to_timedelta(k, unit="D")
    lo = pd.concat([out["clip_start"], day0 + offset], axis=1).max(axis=1)
    hi = pd.concat([out["clip_end"], day0 + offset + pd.Timedelta(days=1)], axis=1).min(axis=1)
    out["minutes"] = ((hi - lo).dt.total_seconds() / 60.0).clip(lower=0.0)
    out["day"] = day0.dt.date
    return out.reset_index(drop=True)


def summarize(bd: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """count, downtime_min, open_count, closed_min, closed_count and mttr_min per group.

    MTTR counts only repaired (closed) breakdowns: an open one has no repair time yet."""
    cols = keys + ["count", "downtime_min", "open_count", "closed_count", "closed_min"]
    if bd.empty:
        return pd.DataFrame(columns=cols + ["mttr_min"])
    # plain column sums (several times faster than named aggregation, which runs per column)
    work = bd.assign(count=1, downtime_min=bd["minutes"],
                     open_count=bd["open"].astype(int), closed_count=(~bd["open"]).astype(int),
                     closed_min=bd["minutes"].where(~bd["open"], 0.0))
    measures = cols[len(keys):]
    if keys:
        out = work.groupby(keys, as_index=False, dropna=False)[measures].sum()
    else:
        out = work[measures].sum().to_frame().T
    return add_mttr(out)


def add_mttr(df: pd.DataFrame) -> pd.DataFrame:
    return df.assign(mttr_min=divide(df["closed_min"], df["closed_count"]))


def totals(summary: pd.DataFrame) -> dict:
    """Plant totals from grouped summaries (sums first, then MTTR)."""
    t = {c: float(summary[c].sum()) if c in summary and not summary.empty else 0.0
         for c in ("count", "downtime_min", "open_count", "closed_count", "closed_min")}
    t["mttr_min"] = divide(t["closed_min"], t["closed_count"])
    return t


def availability_pct(available_min, downtime_min):
    """(available − downtime) / available × 100, downtime capped at the available time."""
    if available_min is None or available_min != available_min or not available_min:
        return None
    return ratio_pct(max(float(available_min) - float(downtime_min or 0), 0.0), available_min)


def add_oee(df: pd.DataFrame) -> pd.DataFrame:
    """availability_pct, run_manpower_min, performance_pct and oee_pct on rows with
    available_min, downtime_min, manpower_min, earned_minutes and fpy_pct (sums per row)."""
    out = df.copy()
    avail = pd.to_numeric(out["available_min"], errors="coerce").astype(float)
    down = pd.to_numeric(out["downtime_min"], errors="coerce").fillna(0.0).astype(float)
    running = (avail - down).clip(lower=0.0)
    out["availability_pct"] = pct_series(running, avail)
    # manpower minutes while the line ran: (operators + helpers) × (working minutes − downtime)
    out["run_manpower_min"] = (pd.to_numeric(out["manpower_min"], errors="coerce")
                               * divide(running, avail))
    out["performance_pct"] = pct_series(out["earned_minutes"], out["run_manpower_min"])
    out["oee_pct"] = (out["availability_pct"] * out["performance_pct"]
                      * pd.to_numeric(out["fpy_pct"], errors="coerce") / 10000.0)
    return out


def oee_total(rows: pd.DataFrame, fpy_pct) -> dict:
    """Availability, performance and OEE over rows that went through add_oee: each one a ratio
    of the rows' sums (performance sums each line's own running manpower minutes)."""
    def total(col):
        v = pd.to_numeric(rows[col], errors="coerce").sum(min_count=1) if not rows.empty else None
        return None if v is None or pd.isna(v) else float(v)

    avail, down = total("available_min"), total("downtime_min") or 0.0
    a = availability_pct(avail, down)
    p = ratio_pct(total("earned_minutes"), total("run_manpower_min"))
    oee = None if a is None or p is None or fpy_pct is None else a * p * fpy_pct / 10000.0
    return {"availability_pct": a, "performance_pct": p, "oee_pct": oee}


def add_mtbf(df: pd.DataFrame) -> pd.DataFrame:
    """mtbf_min = (available minutes − downtime) / breakdowns; null with no breakdowns."""
    count = pd.to_numeric(df["count"], errors="coerce")
    up = (pd.to_numeric(df["available_min"], errors="coerce")
          - pd.to_numeric(df["downtime_min"], errors="coerce").fillna(0.0))
    return df.assign(mtbf_min=divide(up.clip(lower=0.0), count))


def pm_status(machines: pd.DataFrame, today: date) -> pd.DataFrame:
    """PM due date = last_pm_date + pm_interval_days; days_left to it; overdue before today."""
    out = machines.copy()
    last = pd.to_datetime(out["last_pm_date"])
    interval = pd.to_timedelta(pd.to_numeric(out["pm_interval_days"], errors="coerce"), unit="D")
    due = last + interval
    out["pm_due"] = due.dt.date
    days = (due - pd.Timestamp(today)).dt.days
    out["days_left"] = days.astype("Int64")
    out["overdue"] = (days < 0).fillna(False).astype(bool)
    out["pm_status"] = np.select(
        [days.isna(), days < 0, days <= DUE_SOON_DAYS], ["no PM plan", "overdue", "due soon"],
        default="ok")
    return out
