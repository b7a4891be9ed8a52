"""Production day and shift of a timestamp: the one mapping every domain shares (SPEC section 3).

A timestamp belongs to the production day and shift whose window [start, end) contains it; a night
shift (end < start) runs into the next calendar day and belongs to the day it starts. Between
shifts, overtime stays with the shift it follows (see assign_shift_day), so nothing is dropped.
Timestamps are naive plant-local datetimes.
"""
from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd


def hhmm_to_minutes(value: str) -> int:
    hh, mm = str(value).strip().split(":")[:2]
    return int(hh) * 60 + int(mm)


def shift_length_minutes(start: str, end: str) -> int:
    """Scheduled span of a shift in minutes; a night shift wraps past midnight."""
    s, e = hhmm_to_minutes(start), hhmm_to_minutes(end)
    return (e - s) % (24 * 60) or 24 * 60


def assign_shift_day(ts: pd.Series, shifts: pd.DataFrame) -> pd.DataFrame:
    """Map naive plant-local timestamps to (date, shift_code, hour).

    `shifts` has columns shift_code, start, end ("HH:MM") and, optionally, checkin_before_min and
    checkout_after_min (the attendance windows of SPEC section 5). The rule, in order:
    1. inside a shift's [start, end) -> that shift;
    2. inside the window [start - checkin_before, end + checkout_after] of one or more shifts ->
       the one that started first (overtime after a shift stays with it: a shift is closed
       before the next one opens);
    3. otherwise the nearest shift, so nothing is dropped.
    With no shifts at all, the calendar day is the production day and shift_code is null.
    """
    ts = pd.to_datetime(pd.Series(ts)).reset_index(drop=True)
    if shifts is None or shifts.empty or ts.empty:
        out = pd.DataFrame({"date": ts.dt.normalize(), "shift_code": None, "hour": ts.dt.hour})
        out["date"] = out["date"].dt.date
        return out

    # plain numpy on nanoseconds: an ingestion batch calls this once, and pandas' per-operation
    # cost (six windows x a dozen Series operations) was most of a 1,000-event batch's time
    known = ts.notna().to_numpy()
    at = ts.to_numpy(dtype="datetime64[ns]").astype(np.int64)
    day0 = at // _DAY_NS * _DAY_NS
    best = np.full(len(ts), np.inf)
    best_day = day0.copy()
    best_code = np.array([None] * len(ts), dtype=object)
    columns = [shifts[c] if c in shifts else [0] * len(shifts)
               for c in ("shift_code", "start", "end", "checkin_before_min", "checkout_after_min")]
    for code, start, end, before_min, after_min in zip(*columns):
        start_ns = hhmm_to_minutes(start) * _MINUTE_NS
        length_ns = shift_length_minutes(start, end) * _MINUTE_NS
        before = _minutes(before_min) * 60.0
        after = _minutes(after_min) * 60.0
        for offset in (-1, 0, 1):
            day = day0 + offset * _DAY_NS
            s = day + start_ns
            to_start = (s - at) / 1e9  # > 0: not started yet (seconds)
            past_end = (at - s - length_ns) / 1e9  # >= 0: ended
            inside = (to_start <= 0) & (past_end < 0)
            in_window = (to_start <= before) & (past_end <= after)
            distance = np.maximum(np.maximum(to_start, past_end), 0.0)
            # one score, lower is better: the rule's tier first, then its tie-break
            score = np.where(inside, 0.0, np.where(
                in_window, _TIER + to_start + _SPAN, 2 * _TIER + distance))
            better = (score < best) & known
            best = np.where(better, score, best)
            best_day = np.where(better, day, best_day)
            best_code = np.where(better, code, best_code)
    if known.all():  # the common case, without pandas' per-operation cost
        dates = best_day.astype("datetime64[ns]").astype("datetime64[D]").astype(object)
        hours = ((at - day0) // _HOUR_NS).astype(np.int32)
    else:
        dates = pd.Series(best_day.astype("datetime64[ns]")).where(known).dt.date
        hours = ts.dt.hour
    return pd.DataFrame({"date": dates, "shift_code": best_code, "hour": hours})


_DAY_NS = 24 * 3600 * 10**9
_MINUTE_NS = 60 * 10**9
_HOUR_NS = 60 * _MINUTE_NS
_SPAN = 3 * 24 * 3600.0  # larger than any start offset in seconds: keeps tie-breaks positive
_TIER = 10 * _SPAN


def _minutes(value) -> int:
    try:
        return max(int(value), 0)
    except (TypeError, ValueError):
        return 0


def to_plant_local(values, plant_tz: str) -> pd.Series:
    """Parse ISO 8601 strings; ones with an offset are converted to plant-local, then made naive.

    Raises ValueError for a value that is not a timestamp.
    """
    values = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    text = values.astype("string").str.strip()
    blank = text.isna() | (text == "")
    has_offset = text.str.contains(r"(?:Z|[+-]\d{2}:?\d{2})$", regex=True, na=False)
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    naive = ~blank & ~has_offset
    if naive.any():
        out[naive] = pd.to_datetime(text[naive], format="ISO8601").astype("datetime64[ns]")
    if has_offset.any():
        aware = pd.to_datetime(text[has_offset], format="ISO8601", utc=True)
        out[has_offset] = aware.dt.tz_convert(plant_tz).dt.tz_localize(None).astype(
            "datetime64[ns]")
    return out


def shift_hours(start: str, end: str, break_minutes: int = 0) -> list[tuple[int, int, int]]:
    """The clock hours a shift spans: (day_offset, hour, working minutes in that hour).

    The break is taken around the shift's mid-point (the same mid-point the attendance rules use),
    so for 08:00-17:00 with a 60-minute break the 12:00 hour has 0 working minutes.
    """
    s = hhmm_to_minutes(start)
    length = shift_length_minutes(start, end)
    e = s + length
    mid = s + length / 2
    b0, b1 = mid - break_minutes / 2, mid + break_minutes / 2
    out = []
    h = s - s % 60
    while h < e:
        lo, hi = max(h, s), min(h + 60, e)
        brk = max(0.0, min(hi, b1) - max(lo, b0))
        out.append((h // (24 * 60), (h // 60) % 24, int(round(hi - lo - brk))))
        h += 60
    return out


def slot_datetimes(dates: pd.Series, hours: pd.Series, night_start_hour: pd.Series) -> pd.Series:
    """Clock datetime of (production date, hour) rows.

    `night_start_hour` is the start hour of the row's shift when it is a night shift, else NaN:
    hours before it belong to the next calendar day.
    """
    base = pd.to_datetime(pd.Series(dates)).reset_index(drop=True)
    hours = pd.Series(hours).reset_index(drop=True).astype(int)
    night = pd.Series(night_start_hour).reset_index(drop=True)
    next_day = night.notna() & (hours < night.fillna(0))
    return base + pd.to_timedelta(hours, unit="h") + pd.to_timedelta(next_day.astype(int), unit="D")


def night_start_hours(shifts: pd.DataFrame) -> dict[str, int]:
    """shift_code -> start hour, for night shifts only (end < start)."""
    out = {}
    for row in shifts.itertuples(index=False):
        if hhmm_to_minutes(row.end) < hhmm_to_minutes(row.start):
            out[row.shift_code] = hhmm_to_minutes(row.start) // 60
    return out


def date_runs(days) -> list[tuple[date, date]]:
    """Sorted days as runs of consecutive days, (first, last) each."""
    runs: list[tuple[date, date]] = []
    for d in sorted(days):
        if runs and d == runs[-1][1] + timedelta(days=1):
            runs[-1] = (runs[-1][0], d)
        elif not runs or d != runs[-1][1]:
            runs.append((d, d))
    return runs
