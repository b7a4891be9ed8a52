"""Utilisation metrics (SPEC section 6): pure pandas on rows the SQL already summed.

Worker: utilisation_pct = working / (working + idle) x 100; units_per_hour = units / working
hours. Station: occupancy = working + idle there; utilisation_pct = working / occupancy;
throughput_per_hour = units / occupancy hours. Totals are ratios of sums; a zero denominator
gives null, never 0.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd

from metrics.calendar import hhmm_to_minutes, shift_length_minutes
from metrics.production import pct_series, ratio_pct
from metrics.ratios import divide

MINUTES = ["working_min", "idle_min", "absent_min"]


def _per_hour(num, minutes):
    return divide(num, pd.to_numeric(minutes, errors="coerce") / 60.0)


def with_units(states: pd.DataFrame, units: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """State minutes and units side by side (a key with only one of them gets 0 for the other)."""
    if keys:
        df = states.merge(units, on=keys, how="outer")
    else:
        df = pd.concat([states, units], axis=1)
    return typed(df)


def typed(df: pd.DataFrame) -> pd.DataFrame:
    """Minutes as floats and units as ints, a missing one as 0."""
    for col in MINUTES:
        df[col] = pd.to_numeric(df[col], errors="coerce").fillna(0.0).astype(float)
    df["units"] = pd.to_numeric(df["units"], errors="coerce").fillna(0).astype(int)
    return df


def rollup(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """The minutes and units summed by keys (all rows when keys is empty)."""
    measures = MINUTES + ["units"]
    if not keys:
        return df[measures].sum().to_frame().T if not df.empty else pd.DataFrame(
            [[0.0, 0.0, 0.0, 0]], columns=measures)
    if df.empty:
        return pd.DataFrame(columns=keys + measures)
    out = df.groupby(keys, as_index=False, dropna=False)[measures].sum()
    return out.sort_values(keys).reset_index(drop=True)


def add_worker_ratios(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    out["utilisation_pct"] = pct_series(out["working_min"], out["working_min"] + out["idle_min"])
    out["units_per_hour"] = _per_hour(out["units"], out["working_min"])
    return out


def add_station_ratios(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    out["occupancy_min"] = out["working_min"] + out["idle_min"]
    out["utilisation_pct"] = pct_series(out["working_min"], out["occupancy_min"])
    out["throughput_per_hour"] = _per_hour(out["units"], out["occupancy_min"])
    return out


def totals(df: pd.DataFrame) -> dict:
    """Factory totals: the minutes and units summed, then the ratios of the sums."""
    working = float(df["working_min"].sum()) if not df.empty else 0.0
    idle = float(df["idle_min"].sum()) if not df.empty else 0.0
    absent = float(df["absent_min"].sum()) if not df.empty else 0.0
    units = int(df["units"].sum()) if not df.empty else 0
    occupancy = working + idle
    return {
        "working_min": working, "idle_min": idle, "absent_min": absent,
        "occupancy_min": occupancy, "units": units,
        "utilisation_pct": ratio_pct(working, occupancy),
        "units_per_hour": divide(units, working / 60.0),
        "throughput_per_hour": divide(units, occupancy / 60.0),
    }


def lowest(df: pd.DataFrame, n: int, min_minutes: float = 0.0) -> pd.DataFrame:
    """The n rows with the lowest utilisation among those seen for at least `min_minutes` of
    working + idle time (a worker seen for five minutes says little)."""
    if df.empty:
        return df
    seen = df[(df["working_min"] + df["idle_min"]) >= min_minutes]
    return seen.dropna(subset=["utilisation_pct"]).nsmallest(n, "utilisation_pct")


def epoch_to_datetime(seconds: pd.Series) -> pd.Series:
    """Epoch seconds of naive plant-local time back to naive datetimes (to the second)."""
    return pd.to_datetime(pd.to_numeric(seconds).round(), unit="s")


def shift_window(day: date, start: str, end: str) -> tuple[datetime, datetime]:
    begin = datetime.combine(day, datetime.min.time()) + timedelta(minutes=hhmm_to_minutes(start))
    return begin, begin + timedelta(minutes=shift_length_minutes(start, end))


def timeline_with_gaps(islands: pd.DataFrame, day: date, shifts: pd.DataFrame) -> pd.DataFrame:
    """Each worker's day as contiguous segments: the state islands plus "no data" wherever the
    camera said nothing inside the shift (before the first event, after a capped gap, and after
    the last one). Returns emp_code, shift_code, state, start, end, minutes."""
    cols = ["emp_code", "shift_code", "state", "start", "end", "minutes"]
    if islands.empty:
        return pd.DataFrame(columns=cols)
    isl = islands.assign(start=epoch_to_datetime(islands["start_t"]),
                         end=epoch_to_datetime(islands["end_t"]),
                         state=islands["event_type"])
    windows = {r.shift_code: shift_window(day, r.start, r.end)
               for r in shifts.itertuples(index=False)}
    parts = []
    for (emp, shift), g in isl.sort_values(["emp_code", "start"]).groupby(
            ["emp_code", "shift_code"], sort=True, dropna=False):
        begin, finish = windows.get(shift, (g["start"].min(), g["end"].max()))
        edges_end = pd.concat([pd.Series([begin]), g["end"]], ignore_index=True)
        edges_start = pd.concat([g["start"], pd.Series([max(finish, g["end"].max())])],
                                ignore_index=True)
        gaps = pd.DataFrame({"start": edges_end, "end": edges_start})
        gaps = gaps[(gaps["end"] - gaps["start"]) >= pd.Timedelta(seconds=30)]
        parts.append(g[["start", "end", "state"]].assign(emp_code=emp, shift_code=shift))
        if not gaps.empty:
            parts.append(gaps.assign(state="no data", emp_code=emp, shift_code=shift))
    out = pd.concat(parts, ignore_index=True)
    out["minutes"] = (out["end"] - out["start"]).dt.total_seconds() / 60.0
    return out.sort_values(["emp_code", "start"]).reset_index(drop=True)[cols]
