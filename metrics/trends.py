"""Trend series arithmetic: pure pandas. A series is summed parts (numerator, optional
denominator) per date and line; any grouping (day, week, line, all) sums the parts first and only
then takes the ratio (SPEC section 4: never the mean of daily percentages)."""
from __future__ import annotations

from datetime import timedelta

import pandas as pd

from metrics.production import change_pct
from metrics.ratios import divide


def combine(parts: pd.DataFrame, keys: list[str], num: str, den: str | None,
            scale: float = 1.0) -> pd.DataFrame:
    """keys + value: Σ num (or Σ num / Σ den × scale; null for a zero denominator)."""
    cols = [num] + ([den] if den else [])
    if parts.empty:
        return pd.DataFrame(columns=keys + cols + ["value"])
    g = (parts.groupby(keys, as_index=False)[cols].sum(min_count=1) if keys
         else pd.DataFrame([parts[cols].sum(min_count=1)]))
    return g.assign(value=_value(g, num, den, scale))


def _value(g: pd.DataFrame, num: str, den: str | None, scale: float) -> pd.Series:
    n = pd.to_numeric(g[num], errors="coerce").astype(float)
    if not den:
        return n
    d = pd.to_numeric(g[den], errors="coerce").astype(float)
    return divide(n, d, scale)


def rolling(daily: pd.DataFrame, num: str, den: str | None, scale: float, days: int = 7, *,
            first_day=None) -> pd.Series:
    """Trailing `days`-day value on a complete daily index (a `date` column): rolling sums, then
    the ratio; a series without a denominator (a count) gets its mean per day. From
    `first_day` (the plant's first day of data) on, a day without data is 0 (a day off);
    before it the days are unknown, so a trailing value needs `days` days on or after it
    rather than ramping up from 0. Without `first_day` every day counts."""
    known = (pd.Series(True, index=daily.index) if first_day is None
             else pd.to_datetime(daily["date"]) >= pd.Timestamp(first_day))

    def summed(col: str):
        return daily[col].astype(float).fillna(0).where(known).rolling(days, min_periods=days)

    n = summed(num)
    if not den:
        return n.mean()
    return divide(n.sum(), summed(den).sum(), scale)


def week_start(dates: pd.Series) -> pd.Series:
    """Monday of each date's week."""
    d = pd.to_datetime(dates)
    return (d - pd.to_timedelta(d.dt.weekday, unit="D")).dt.date


def days_in_window(week_start_day, start, end) -> int:
    """How many of the 7 days from `week_start_day` fall between start and end (inclusive)."""
    first = max(week_start_day, start)
    last = min(week_start_day + timedelta(days=6), end)
    return max(0, (last - first).days + 1)


def week_changes(values: pd.Series, days: list[int], unit: str) -> list:
    """Each week's change against the week before; none where either week is partial (3 days
    of output against 7 is not a drop of 57 %)."""
    out, prev, prev_days = [], None, 0
    for value, n in zip(values, days):
        out.append(change(value, prev, unit) if n == 7 and prev_days == 7 else None)
        prev, prev_days = value, n
    return out


def change(current, previous, unit: str):
    """Change against the previous value: points for percentages, % otherwise."""
    if current is None or previous is None or pd.isna(current) or pd.isna(previous):
        return None
    if unit.strip() == "%":
        return float(current) - float(previous)
    return change_pct(current, previous)
