"""Trends: daily series of every domain over 30/90/365 days, week over week, line against line,
and reported productivity from the daily line reports.

A domain declares its series next to its report (reports/series.py TrendSeries: a function
giving date, line_code, num and den per date and line); SERIES below lists every series the page
shows, in one place, and the page orders them by `order`. The value of any group (a day, a
week, a line, the whole window) is Σ num / Σ den × scale, or Σ num without a denominator, so
percentages stay ratios of sums.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Callable

import pandas as pd

from metrics import line_daily as ld
from metrics import trends as t
from queries import line_daily as q_ld
from queries import production as q_prod
from reports import downtime, quality, utilisation, workforce
from reports.cache import cached_report
from core.filters import Filters
from reports.series import TrendSeries
from reports.view import View

TRAILING_DAYS = 7
LINE_DAYS_MAX = 31  # line comparison by day up to this many days, else by week


# --- the production series ----------------------------------------------------------------------

@cached_report("trend_output")
def _output_parts(ctx, filters: Filters, scope) -> pd.DataFrame:
    """Output and earned minutes per date and line (cached: the efficiency series reads it too)."""
    with ctx.engine.connect() as conn:
        return q_prod.output_by(conn, filters, ["date", "line_code"], scope)


def _efficiency_parts(ctx, filters: Filters, scope) -> pd.DataFrame:
    keys = ["date", "line_code"]
    out = _output_parts(ctx, filters, scope)[keys + ["earned_minutes"]]
    with ctx.engine.connect() as conn:
        plan = q_prod.plan_by(conn, filters, keys, scope)[keys + ["available_minutes"]]
    return out.merge(plan, on=keys, how="outer")


def _reported_parts(ctx, filters: Filters, scope) -> pd.DataFrame:
    """Daily line reports: actual productivity weighted by operators (SPEC section 4)."""
    with ctx.engine.connect() as conn:
        return q_ld.productivity_by(conn, filters, ["date", "line_code"], scope)


REPORTED = "reported_productivity_pct"

# Every series of the Trends page, in one place.
SERIES: tuple[TrendSeries, ...] = (
    TrendSeries("output", "Output", unit=" pcs", order=10, fn=_output_parts),
    TrendSeries("efficiency_pct", "SMV efficiency", unit=" %", order=20, num="earned_minutes",
                den="available_minutes", scale=100.0, fn=_efficiency_parts),
    quality.DHU_SERIES,
    downtime.DOWNTIME_SERIES,
    workforce.ATTENDANCE_SERIES,
    utilisation.UTILISATION_SERIES,
    TrendSeries(REPORTED, "Reported productivity", unit=" %", order=90,
                num="actual_weighted", den="operators", scale=100.0, fn=_reported_parts),
)

_SERIES: dict[str, TrendSeries] = {s.key: s for s in SERIES}


def trend_series(key: str, label: str, unit: str = "", better: str = "up", order: int = 100, *,
                 num: str | None = None, den: str | None = None, scale: float = 1.0
                 ) -> Callable:
    """Add a series made by `fn(ctx, filters, scope)` outside SERIES (a test's, say)."""
    def register(fn: Callable) -> Callable:
        _SERIES[key] = TrendSeries(key, label, unit, better, order, num, den, scale, fn)
        return fn
    return register


def registered() -> list[TrendSeries]:
    return sorted(_SERIES.values(), key=lambda s: (s.order, s.key))


# --- the Trends view ----------------------------------------------------------------------------

def window(filters: Filters, days: int) -> Filters:
    """The `days` days ending on the filter's end day, same lines, shifts and styles."""
    return Filters(start=filters.end - timedelta(days=days - 1), end=filters.end,
                   lines=filters.lines, shifts=filters.shifts, styles=filters.styles)


def _parts(ctx, filters: Filters, scope, series: TrendSeries) -> pd.DataFrame:
    df = series.fn(ctx, filters, scope)
    cols = ["date", "line_code", series.num] + ([series.den] if series.den else [])
    df = df[cols].copy() if not df.empty else pd.DataFrame(columns=cols)
    df["date"] = pd.to_datetime(df["date"]).dt.date
    for col in cols[2:]:
        df[col] = pd.to_numeric(df[col], errors="coerce")
    return df


def trends(ctx, filters: Filters, scope=None) -> dict:
    """The Trends page's data (cached per minute: open breakdowns run up to now), with the
    reported productivity of the daily line reports by day (in %)."""
    data = _trends(ctx, filters, scope, ctx.now().replace(second=0, microsecond=0))
    rows = line_daily(ctx, filters, ("date",), scope)["rows"]
    reported = pd.DataFrame({"date": rows["date"],
                             "actual_productivity_pct": rows["actual_productivity"] * 100.0,
                             "target_productivity_pct": rows["target_productivity"] * 100.0})
    return {**data, "reported": reported}


def _series_frame(key: str) -> Callable[[dict], pd.DataFrame]:
    if key == REPORTED:  # charted from the daily line reports themselves
        return lambda data: data["reported"]
    return lambda data: data["daily"][["date", key, f"{key}_7d"]]


@cached_report("trends")
def _trends(ctx, filters: Filters, scope, _now) -> dict:
    """Per registered series: the plant by day (with a trailing 7-day value), by week with the
    change against the week before, by line, and by line and period (day for windows up to
    LINE_DAYS_MAX days, else week); and the last 7 days against the 7 before them."""
    days = pd.DataFrame({"date": pd.date_range(filters.start, filters.end, freq="D").date})
    # the trailing 7-day value of the window's first day needs the 6 days before it (else the
    # line ramps up from the window's start), and the cards compare the last 7 days with the 7
    # before, also when the window is shorter
    lead = filters.start - timedelta(days=TRAILING_DAYS - 1)
    fetch = replace(filters, start=min(lead, filters.end - timedelta(days=13)))
    lead_days = pd.DataFrame({"date": pd.date_range(lead, filters.end, freq="D").date})
    per = "day" if filters.days <= LINE_DAYS_MAX else "week"
    with ctx.engine.connect() as conn:  # before it the days are unknown, not days without data
        first_day = q_prod.first_day(conn, filters, scope)
    daily, cards = days.copy(), []
    frames: dict[str, list[pd.DataFrame]] = {"weekly": [], "lines": [], "line_periods": []}
    for s in registered():
        fetched = _parts(ctx, fetch, scope, s)
        parts = fetched[fetched["date"] >= filters.start].copy()
        parts["week"] = t.week_start(parts["date"]) if not parts.empty else []
        parts["period"] = parts["date"] if per == "day" else parts["week"]
        d = days.merge(t.combine(parts, ["date"], s.num, s.den, s.scale), on="date", how="left")
        daily[s.key] = d["value"]
        led = lead_days.merge(t.combine(fetched[fetched["date"] >= lead], ["date"], s.num,
                                        s.den, s.scale), on="date", how="left")
        trailing = t.rolling(led, s.num, s.den, s.scale, TRAILING_DAYS,  # lead-in days too
                             first_day=first_day)
        daily[f"{s.key}_7d"] = trailing[led["date"] >= filters.start].to_numpy()
        w = _by(parts, ["week"], s)
        w[f"{s.key}_change"] = t.week_changes(w[s.key], _week_days(w["week"], filters),
                                              s.unit)
        frames["weekly"].append(w)
        frames["lines"].append(_by(parts, ["line_code"], s))
        frames["line_periods"].append(_by(parts, ["line_code", "period"], s))
        cards.append(_last_week_card(fetched, s, filters.end))
    keys = {"weekly": ["week"], "lines": ["line_code"], "line_periods": ["line_code", "period"]}
    out = {name: _merged(dfs, keys[name]) for name, dfs in frames.items()}
    if not out["weekly"].empty:  # a partial week says so: its total is not a week's
        out["weekly"].insert(1, "days", _week_days(out["weekly"]["week"], filters))
    return {"series": [s.meta() for s in registered()], "daily": daily, **out,
            "line_period": per, "cards": cards}


def _week_days(weeks: pd.Series, filters: Filters) -> list[int]:
    """How many of each week's 7 days (Monday first) lie in the window."""
    return [t.days_in_window(w, filters.start, filters.end) for w in weeks]


def _by(parts: pd.DataFrame, keys: list[str], s: TrendSeries) -> pd.DataFrame:
    """keys + one column named after the series: its value per group."""
    g = t.combine(parts, keys, s.num, s.den, s.scale)
    return g[keys + ["value"]].rename(columns={"value": s.key})


def _merged(frames: list[pd.DataFrame], keys: list[str]) -> pd.DataFrame:
    if not frames:
        return pd.DataFrame(columns=keys)
    out = frames[0]
    for f in frames[1:]:
        out = out.merge(f, on=keys, how="outer")
    return out.sort_values(keys).reset_index(drop=True)


def _last_week_card(parts: pd.DataFrame, s: TrendSeries, end) -> dict:
    """The 7 days up to `end` against the 7 days before them."""
    this = parts[parts["date"] > end - timedelta(days=7)]
    before = parts[(parts["date"] <= end - timedelta(days=7))
                   & (parts["date"] > end - timedelta(days=14))]

    def value(df):
        v = t.combine(df, [], s.num, s.den, s.scale)["value"]
        if v.empty or pd.isna(v.iloc[0]):
            return None if s.den else 0.0  # a count with no rows is 0; a ratio has none
        return float(v.iloc[0])

    cur, prev = value(this), value(before)
    return {**s.meta(), "value": cur, "previous": prev, "change": t.change(cur, prev, s.unit)}


# --- reported productivity (line_daily) ---------------------------------------------------------

@cached_report("line_daily")
def line_daily(ctx, filters: Filters, group_by: tuple[str, ...] = ("line_code",), scope=None
               ) -> dict:
    """The /api/v1/line-daily view: manpower-weighted actual and target productivity."""
    with ctx.engine.connect() as conn:
        rows = q_ld.productivity_by(conn, filters, list(group_by), scope)
        total = q_ld.productivity_by(conn, filters, [], scope)
    rows = ld.add_productivity(rows).sort_values(list(group_by)).reset_index(drop=True)
    total = ld.add_productivity(total).iloc[0].to_dict() if not total.empty else {}
    return {"rows": rows, "total": total}


VIEW = View(
    "trends", trends,
    frames={**{f"series-{s.key}": _series_frame(s.key) for s in SERIES},
            "weekly": "weekly", "lines": "lines", "line-periods": "line_periods",
            "daily": "daily"},
    values={"cards": "cards"},
    default_days=90)
