"""Production reports: one function per view, used by the pages and the API alike.

Each takes the Context, the Filters and the caller's line scope (None = every line) and returns
plain data (DataFrames and dicts), cached on (report, arguments, data version).
"""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pandas as pd

from metrics import production as m
from queries import production as q
from queries.common import master_lists
from reports.cache import cached_report
from core.filters import FilterError, Filters
from reports.kpis import Kpi, kpi
from reports.thresholds import with_light
from reports.view import View

WIP_HOURLY_MAX_DAYS = 14  # longer windows chart WIP at the end of each day (smaller payload)
HOURLY_MAX_DAYS = 2  # the Lines page charts hours up to two days, days beyond
HOURLY_COLUMNS = ["slot", "output", "target", "output_cum", "target_cum"]
MEASURES = ["output", "target", "earned_minutes", "available_minutes"]


@cached_report("options")
def filter_options(ctx) -> dict[str, pd.DataFrame]:
    with ctx.engine.connect() as conn:
        return master_lists(conn)


FILTER_CODES = (("lines", "line", "line_code"), ("shifts", "shift", "shift_code"),
                ("styles", "style", "style_code"))


def _known_codes(ctx) -> dict[str, set]:
    """The codes that exist, per Filters field ("lines", "shifts", "styles")."""
    opts = filter_options(ctx)
    return {field: set(opts[field][col]) if not opts[field].empty else set()
            for field, _label, col in FILTER_CODES}


def validate_filters(ctx, filters: Filters, scope=None) -> None:
    """Reject codes that do not exist (a typo in a URL must not silently show nothing)."""
    known = _known_codes(ctx)
    for field, label, _col in FILTER_CODES:
        unknown = [v for v in getattr(filters, field) if v not in known[field]]
        if unknown:
            names = ", ".join(f"'{v}'" for v in unknown)
            raise FilterError(f"Unknown {label} code {names}.")
    if scope is not None and filters.lines and not set(filters.lines) <= set(scope):
        outside = ", ".join(sorted(set(filters.lines) - set(scope)))
        raise FilterError(f"You do not have access to line {outside}.")


def without_unknown_codes(ctx, filters: Filters, scope=None) -> Filters:
    """The filters with every code that does not exist, or is outside the scope, left out."""
    known = _known_codes(ctx)
    if scope is not None:
        known["lines"] &= set(scope)
    return replace(filters, **{field: tuple(v for v in getattr(filters, field)
                                            if v in known[field])
                               for field, _label, _col in FILTER_CODES})


def _shifts(ctx) -> pd.DataFrame:
    return filter_options(ctx)["shifts"]


def _measures(conn, ctx, filters: Filters, keys: list[str], scope) -> pd.DataFrame:
    """Output and plan measures grouped by keys, with achievement and efficiency."""
    out = q.output_by(conn, filters, keys, scope)
    if "hour" in keys:
        plan = _plan_by_hour(conn, ctx, filters, keys, scope)
    else:
        plan = q.plan_by(conn, filters, keys, scope)
    if keys:
        df = out.merge(plan, on=keys, how="outer")
    else:
        df = pd.concat([out, plan], axis=1)
    for col in MEASURES:
        df[col] = pd.to_numeric(df[col], errors="coerce")
    df["output"] = df["output"].fillna(0)
    df["earned_minutes"] = df["earned_minutes"].fillna(0.0)
    df = m.add_production_ratios(df)
    return df.sort_values(keys).reset_index(drop=True) if keys else df


def _plan_by_hour(conn, ctx, filters, keys, scope) -> pd.DataFrame:
    """Targets and available minutes spread over the shift's hours (plan rows are small)."""
    plans = q.plan_rows(conn, filters, scope)
    hourly = m.hourly_targets(plans, _shifts(ctx))
    if hourly.empty:
        return pd.DataFrame(columns=keys + ["target", "available_minutes"])
    hourly = hourly.merge(plans, on=["date", "shift_code", "line_code"], how="left")
    # available minutes of an hour: manpower x the plan's working minutes in that hour
    hourly["available_minutes"] = (
        (hourly["operators"] + hourly["helpers"].fillna(0)) * hourly["minutes"])
    return hourly.groupby(keys, as_index=False)[["target", "available_minutes"]].sum()


@cached_report("production")
def production(ctx, filters: Filters, group_by: tuple[str, ...] = ("line_code",), scope=None
               ) -> dict:
    """The /api/v1/production view: measures grouped by any of line, date, shift, style, hour."""
    keys = list(group_by)
    with ctx.engine.connect() as conn:
        rows = _measures(conn, ctx, filters, keys, scope)
        total = m.production_totals(_measures(conn, ctx, filters, [], scope))
    return {"rows": rows, "total": total}


def _wip(conn, ctx, window: Filters, scope, stages: pd.DataFrame | None = None,
         hourly: bool = True) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(WIP carried into the window per line, WIP at the end of each hour of the window, or of
    each production day when not `hourly`).

    All history before the window is summed in SQL; the window is walked hour by hour (day by
    day). WIP is a property of the line: shift and style filters do not apply. `stages`: the
    window's stages_by_hour when the caller has them already (read without those filters).
    """
    baseline = q.wip_before(conn, window.start, window, scope)
    deltas = stages if stages is not None else q.stages_by_hour(
        conn, window, scope, use_shift=False, use_style=False, hourly=hourly)
    return baseline, m.wip_series(baseline, deltas, _shifts(ctx))


def _wip_now(conn, ctx, at: datetime, filters: Filters | None, scope) -> pd.DataFrame:
    """WIP per line at `at`: all history before yesterday in SQL, the last two days by hour."""
    recent = Filters(start=at.date() - timedelta(days=1), end=at.date(),
                     lines=filters.lines if filters else ())
    baseline, series = _wip(conn, ctx, recent, scope)
    # WIP "at the end of an hour" (SPEC): only hours that have ended by `at` count
    series = series[series["slot"] + pd.Timedelta(hours=1) <= at]
    last = series.groupby("line_code", as_index=False).last()[["line_code", "wip"]]
    # a line with history but no rows in the last two days keeps its baseline
    merged = baseline.merge(last, on="line_code", how="outer", suffixes=("_base", ""))
    merged["wip"] = merged["wip"].fillna(merged["wip_base"]).fillna(0).astype(int)
    return merged[["line_code", "wip"]].sort_values("line_code").reset_index(drop=True)


@cached_report("wip")
def wip(ctx, at: datetime, lines: tuple[str, ...] = (), scope=None) -> dict:
    """The /api/v1/wip view: WIP per line at a moment."""
    filters = Filters(start=at.date(), end=at.date(), lines=lines)
    with ctx.engine.connect() as conn:
        rows = _wip_now(conn, ctx, at, filters, scope)
    return {"rows": rows, "total": {"wip": int(rows["wip"].sum()) if not rows.empty else 0}}


def current_hour(ctx) -> datetime:
    """Plant-local now, to the hour: "up to now" cut-offs and cache keys move once an hour."""
    return ctx.now().replace(minute=0, second=0, microsecond=0)


def overview(ctx, filters: Filters, scope=None, now: datetime | None = None) -> dict:
    """Overview: KPI cards against the previous period, line league table, today's hours."""
    return _overview(ctx, filters, scope, now or current_hour(ctx))


@cached_report("overview")
def _overview(ctx, filters: Filters, scope, now: datetime) -> dict:
    with ctx.engine.connect() as conn:
        # the league, the daily series and the totals are sums of one read by line and day
        by_line_day = _measures(conn, ctx, filters, ["line_code", "date"], scope)
        league = m.add_production_ratios(m.sum_by(by_line_day, "line_code", MEASURES))
        daily = m.add_production_ratios(m.sum_by(by_line_day, "date", MEASURES))
        cur = m.production_totals(by_line_day)
        prev = m.production_totals(_measures(conn, ctx, filters.previous(), [], scope))
        wip_now = _wip_now(conn, ctx, now, filters, scope)
        today = replace(filters, start=now.date(), end=now.date())
        today_hourly = _hourly(conn, ctx, today, scope, upto=now)
    if not league.empty:
        league = league.merge(wip_now, on="line_code", how="left")
        league = with_light(ctx, league, "achievement_pct", "status")
        league = with_light(ctx, league, "efficiency_pct", "efficiency_status")
        names = filter_options(ctx)["lines"]
        if not names.empty:
            league = league.merge(names[["line_code", "name"]], on="line_code", how="left")
        league = league.sort_values("achievement_pct", ascending=False, na_position="last")
    kpis = [
        kpi("output", "Output", cur["output"], prev["output"], " pcs"),
        kpi("achievement_pct", "Target achievement", cur["achievement_pct"],
            prev["achievement_pct"], " %", digits=1),
        kpi("efficiency_pct", "SMV efficiency", cur["efficiency_pct"], prev["efficiency_pct"],
            " %", digits=1),
        kpi("earned_hours", "Earned hours", _hours(cur["earned_minutes"]),
            _hours(prev["earned_minutes"]), " h"),
        kpi("wip", "WIP now", int(wip_now["wip"].sum()) if not wip_now.empty else None,
            None, " pcs", better="down", note="pieces in the lines right now"),
    ]
    return {"kpis": kpis, "total": cur, "previous": prev, "league": league.reset_index(drop=True),
            "daily": daily,
            "today": today_hourly, "today_date": now.date()}


def _hours(minutes):
    return None if minutes is None else minutes / 60.0


def overview_kpis(ctx, filters: Filters, scope) -> list[Kpi]:
    """The Overview's production cards (first in reports/overview.py CARDS)."""
    return overview(ctx, filters, scope)["kpis"]


LEAGUE_COLUMNS = ["line_code", "name", "output", "target", "achievement_pct", "earned_minutes",
                  "available_minutes", "efficiency_pct", "wip", "status", "efficiency_status"]


def league_frame(data: dict) -> pd.DataFrame:
    league = data["league"]
    return league[[c for c in LEAGUE_COLUMNS if c in league.columns]]


def _hourly(conn, ctx, filters: Filters, scope, upto: datetime | None = None,
            stages: pd.DataFrame | None = None) -> pd.DataFrame:
    """Output and target per clock hour (summed over the selected lines), with running totals."""
    shifts = _shifts(ctx)
    stages = q.stages_by_hour(conn, filters, scope) if stages is None else stages
    targets = m.hourly_targets(q.plan_rows(conn, filters, scope), shifts)
    keys = ["line_code", "date", "shift_code", "hour"]
    if stages.empty and targets.empty:
        return pd.DataFrame(columns=HOURLY_COLUMNS)
    stages = m.add_slots(stages, shifts) if not stages.empty else stages
    df = stages.merge(targets, on=keys + ["slot"], how="outer") if not stages.empty else targets
    for col in ("output", "target"):
        df[col] = pd.to_numeric(df.get(col), errors="coerce").fillna(0.0)
    df = df.groupby("slot", as_index=False)[["output", "target"]].sum()
    if upto is not None:
        # hours still to come keep their target (the rest of today's plan) but have no output
        df["output"] = df["output"].where(df["slot"] <= upto)
    out = m.cumulative(df, order="slot", columns=["output", "target"])
    out["output_cum"] = out["output_cum"].where(out["output"].notna())
    return out


def line_detail(ctx, filters: Filters, scope=None, now: datetime | None = None) -> dict:
    """Lines page: hourly output vs target, cumulative, efficiency by day, WIP, styles, operators."""
    return _line_detail(ctx, filters, scope, now or current_hour(ctx))


@cached_report("line_detail")
def _line_detail(ctx, filters: Filters, scope, now: datetime) -> dict:
    wip_hourly = filters.days <= WIP_HOURLY_MAX_DAYS
    with ctx.engine.connect() as conn:
        if filters.days <= HOURLY_MAX_DAYS:
            # without shift or style filters the hourly chart and WIP read the same rows: once
            stages = None if filters.shifts or filters.styles else q.stages_by_hour(
                conn, filters, scope)
            hourly = _hourly(conn, ctx, filters, scope, upto=now, stages=stages)
        else:  # longer windows chart days (data["daily"]): no hour-by-hour reads
            stages, hourly = None, pd.DataFrame(columns=HOURLY_COLUMNS)
        by_day = _measures(conn, ctx, filters, ["line_code", "date"], scope)
        planned = q.plan_earned_by(conn, filters, ["line_code", "date"], scope)
        planned["target_minutes"] = pd.to_numeric(planned["target_minutes"], errors="coerce")
        total = m.production_totals(by_day)
        _baseline, wip_df = _wip(conn, ctx, filters, scope, stages=stages, hourly=wip_hourly)
        wip_df = wip_df[wip_df["slot"] <= now]
        if filters.days > m.WEEKLY_BEYOND_DAYS:
            wip_df = m.end_of(wip_df, "week")
        styles = q.styles_run(conn, filters, scope)
        ops = q.operators(conn, filters, scope)
    if not ops.empty:
        ops = m.add_operator_efficiency(ops).sort_values("efficiency_pct", ascending=False,
                                                         na_position="last")
    daily = by_day.groupby("date", as_index=False)[["output", "target"]].sum(min_count=1)
    daily = m.cumulative(daily, order="date", columns=["output", "target"])
    # over more than two days hourly bars turn to noise: the output charts show days instead;
    # long windows chart efficiency by week (ratios of the week's sums): a readable figure
    per = "day" if filters.days > HOURLY_MAX_DAYS else "hour"
    weekly = filters.days > m.WEEKLY_BEYOND_DAYS
    with_plan = by_day.merge(planned, on=["line_code", "date"], how="left")
    efficiency = m.add_target_efficiency(
        m.add_production_ratios(m.by_week(with_plan, [*MEASURES, "target_minutes"]))
        if weekly else with_plan)
    worked = by_day.loc[(by_day["output"] > 0) | (by_day["target"].fillna(0) > 0), "date"]
    return {"hourly": hourly, "daily": daily, "by_day": by_day, "total": total, "wip": wip_df,
            "days_off": m.days_off(worked, filters.start, min(filters.end, now.date())),
            "styles": styles, "operators": ops.reset_index(drop=True),
            "series": daily if per == "day" else hourly, "per": per,
            "efficiency": efficiency, "period": "week" if weekly else "day"}

