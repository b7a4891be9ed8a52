"""Production metrics (SPEC section 4): pure pandas, no SQL, no Dash, no I/O.

A percentage over several rows is the ratio of the sums, never the mean of percentages; a zero or
missing denominator gives null (None / NaN), never 0.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from metrics.calendar import night_start_hours, shift_hours, slot_datetimes
from metrics.ratios import divide
from metrics.thresholds import Thresholds, colour



def _is_missing(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA


def ratio_pct(num, den) -> float | None:
    """num / den x 100, or None when either is missing or den is not above 0."""
    return divide(num, den, 100.0)


def pct_series(num: pd.Series, den: pd.Series) -> pd.Series:
    return divide(num, den, 100.0)


def sum_by(df: pd.DataFrame, key: str, measures) -> pd.DataFrame:
    """Measures of a finer grouping summed by key: a missing key value is a group of its own and
    a sum of nothing stays missing (ratios are then taken of these sums)."""
    return df.groupby(key, as_index=False, dropna=False, sort=True)[list(measures)].sum(
        min_count=1)


def change_pct(current, previous) -> float | None:
    """Relative change against the previous period, in %."""
    if _is_missing(current) or _is_missing(previous) or previous == 0:
        return None
    return (float(current) - float(previous)) / abs(float(previous)) * 100.0


def add_production_ratios(df: pd.DataFrame) -> pd.DataFrame:
    """Add achievement_pct and efficiency_pct to rows that carry the summed measures."""
    out = df.copy()
    out["achievement_pct"] = pct_series(out["output"], out["target"])
    out["efficiency_pct"] = pct_series(out["earned_minutes"], out["available_minutes"])
    return out


def add_target_efficiency(df: pd.DataFrame) -> pd.DataFrame:
    """The plan's own SMV efficiency, the target the line is held to: Σ target × SMV /
    Σ available minutes × 100 (null without a plan)."""
    return df.assign(target_efficiency_pct=pct_series(df["target_minutes"],
                                                      df["available_minutes"]))


def days_off(dates_worked, start, end) -> list:
    """The days from start to end (inclusive) on which nothing was planned or produced."""
    worked = set(dates_worked)
    span = pd.date_range(start, end, freq="D").date
    return [d for d in span if d not in worked]


def _sum(df: pd.DataFrame, col: str):
    if col not in df or df[col].isna().all():
        return None if col != "output" else 0
    value = df[col].sum()
    return float(value) if isinstance(value, (float, np.floating)) else int(value)


def production_totals(df: pd.DataFrame) -> dict:
    """Sum the measures, then take the ratios of the sums."""
    total = {c: _sum(df, c) for c in ("output", "target", "earned_minutes", "available_minutes")}
    total["output"] = total["output"] or 0
    total["achievement_pct"] = ratio_pct(total["output"], total["target"])
    total["efficiency_pct"] = ratio_pct(total["earned_minutes"], total["available_minutes"])
    return total


def plan_hours(shift: tuple[str, str, int], working_minutes: int) -> list[tuple[int, int, int]]:
    """How a plan row's working minutes fall on clock hours: (day_offset, hour, minutes).

    The shift's own hours first (its break left out); minutes the plan has beyond them are
    overtime straight after the shift end; a plan with fewer minutes stops early.
    """
    start, end, break_minutes = shift
    remaining = max(int(working_minutes or 0), 0)
    out = []
    hours = shift_hours(start, end, break_minutes)
    for day_offset, hour, minutes in hours:
        used = min(minutes, remaining)
        out.append((day_offset, hour, used))
        remaining -= used
    day_offset, hour = hours[-1][0], hours[-1][1]
    while remaining > 0:
        hour += 1
        if hour == 24:
            day_offset, hour = day_offset + 1, 0
        used = min(60, remaining)
        out.append((day_offset, hour, used))
        remaining -= used
    return out


def hourly_targets(plans: pd.DataFrame, shifts: pd.DataFrame) -> pd.DataFrame:
    """Spread each plan row over its working minutes at target_qty / working_minutes x 60.

    Returns date, shift_code, line_code, hour, slot (clock datetime), minutes (the plan's
    working minutes in that hour) and target.
    """
    cols = ["date", "shift_code", "line_code", "hour", "slot", "minutes", "target"]
    if plans.empty or shifts.empty:
        return pd.DataFrame(columns=cols)
    spec = {r.shift_code: (r.start, r.end, int(getattr(r, "break_minutes", 0) or 0))
            for r in shifts.itertuples(index=False)}
    grid = []
    for code, minutes in plans[["shift_code", "working_minutes"]].drop_duplicates().itertuples(
            index=False):
        if code in spec:
            for day_offset, hour, used in plan_hours(spec[code], minutes):
                grid.append((code, minutes, day_offset, hour, used))
    grid = pd.DataFrame(grid, columns=["shift_code", "working_minutes", "day_offset", "hour",
                                       "minutes"])
    out = plans.merge(grid, on=["shift_code", "working_minutes"], how="inner")
    rate = divide(out["target_qty"], out["working_minutes"])
    out["target"] = (rate * out["minutes"]).fillna(0.0)
    out["slot"] = (pd.to_datetime(out["date"]) + pd.to_timedelta(out["hour"], unit="h")
                   + pd.to_timedelta(out["day_offset"], unit="D"))
    return out[cols].sort_values(["line_code", "slot"]).reset_index(drop=True)


def add_slots(df: pd.DataFrame, shifts: pd.DataFrame) -> pd.DataFrame:
    """Add the clock datetime of each (date, shift_code, hour) row."""
    out = df.copy()
    night = night_start_hours(shifts) if not shifts.empty else {}
    out["slot"] = slot_datetimes(out["date"], out["hour"], out["shift_code"].map(night)).values
    return out


def wip_series(baseline: pd.DataFrame, deltas: pd.DataFrame, shifts: pd.DataFrame) -> pd.DataFrame:
    """WIP of each line at the end of each hour (of each production day when deltas have no
    hour: the slot is then the day itself).

    baseline: line_code, wip (Σ loading − Σ output before the window: all history counts).
    deltas: line_code, date, shift_code, [hour,] loading, output inside the window.
    """
    if deltas.empty:
        return pd.DataFrame(columns=["line_code", "slot", "wip"])
    d = (add_slots(deltas, shifts) if "hour" in deltas
         else deltas.assign(slot=pd.to_datetime(deltas["date"])))
    d = d.groupby(["line_code", "slot"], as_index=False)[["loading", "output"]].sum()
    d = d.sort_values(["line_code", "slot"])
    d["wip"] = (d["loading"] - d["output"]).groupby(d["line_code"]).cumsum()
    start = baseline.set_index("line_code")["wip"] if not baseline.empty else pd.Series(dtype=float)
    d["wip"] = d["wip"] + d["line_code"].map(start).fillna(0)
    d["wip"] = d["wip"].astype(int) if d["wip"].notna().all() else d["wip"]
    return d[["line_code", "slot", "wip"]].reset_index(drop=True)


WEEKLY_BEYOND_DAYS = 62  # longer windows chart by week: 40 lines x 365 days is ~15,000 points


def week_start(dates) -> pd.Series:
    """The Monday of each date's week (as dates)."""
    d = pd.to_datetime(pd.Series(dates))
    return (d - pd.to_timedelta(d.dt.weekday, unit="D")).dt.date


def by_week(df: pd.DataFrame, measures, keys=("line_code",)) -> pd.DataFrame:
    """Measures summed by keys and week; `date` holds the week's Monday (take ratios after)."""
    if df.empty:
        return df
    out = df.assign(date=week_start(df["date"]).to_numpy())
    return out.groupby([*keys, "date"], as_index=False, dropna=False)[list(measures)].sum(
        min_count=1)


def end_of(wip: pd.DataFrame, period: str = "day") -> pd.DataFrame:
    """The last WIP reading of each line in each calendar day or week (long windows)."""
    if wip.empty:
        return wip
    day = wip["slot"].dt.normalize()
    if period == "week":
        day = day - pd.to_timedelta(day.dt.weekday, unit="D")
    return (wip.assign(_day=day).sort_values(["line_code", "slot"])
            .groupby(["line_code", "_day"], as_index=False).last().drop(columns="_day"))


def cumulative(df: pd.DataFrame, order: str, columns: list[str], by: list[str] = ()
               ) -> pd.DataFrame:
    """Running totals of `columns` in `order`, within each group of `by` (or over all rows)."""
    by = list(by)
    out = df.sort_values(by + [order]).reset_index(drop=True)
    for col in columns:
        out[f"{col}_cum"] = out.groupby(by)[col].cumsum() if by else out[col].cumsum()
    return out


def traffic_light(achievement_pct, thresholds: Thresholds | None = None,
                  line_code: str | None = None) -> str:
    """Achievement's colour under the thresholds (metrics/thresholds.py; defaults without)."""
    return colour("achievement_pct", None if _is_missing(achievement_pct) else achievement_pct,
                  thresholds, line_code)


def add_operator_efficiency(df: pd.DataFrame) -> pd.DataFrame:
    """Operator efficiency = Σ qty × smv / Σ minutes_worked × 100, on rows that carry the sums
    earned_minutes (Σ qty × smv) and minutes_worked (the query layer adds them up)."""
    return df.assign(efficiency_pct=pct_series(df["earned_minutes"], df["minutes_worked"]))


def elapsed_share(slots: pd.Series, now) -> pd.Series:
    """How much of each clock hour has gone by at `now`: 0 for hours to come, 1 for hours past,
    the minutes gone / 60 for the running hour. A target or available minutes "so far" is the
    hour's own times this share (the hourly pace of section 4: the plan spread evenly)."""
    gone = (pd.Timestamp(now) - pd.to_datetime(slots)).dt.total_seconds() / 3600.0
    return gone.clip(lower=0.0, upper=1.0)


def variance_status(variance) -> str:
    """Hourly-board colour: on or above the target is green, below is red, nothing yet is grey."""
    if _is_missing(variance):
        return "grey"
    return "green" if variance >= 0 else "red"
