"""Downtime and maintenance reports: minutes, count, MTTR, MTBF, availability, OEE, open
breakdowns and preventive maintenance, used by the Downtime page, the API and the Overview.

The filter window in clock time runs from the earliest shift start on its first production day to
the same time after its last one (metrics.downtime.production_window); breakdown minutes are
clipped to it, an open breakdown's run up to now.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Sequence

import pandas as pd

from metrics import downtime as m
from metrics.production import pct_series
from metrics.quality import fold_tail, quality_totals
from metrics.ratios import divide
from queries import downtime as q
from queries.production import output_by
from queries.quality import checks_by
from reports.cache import cached_report
from core.filters import Filters
from reports.kpis import Kpi, kpi
from reports.production import filter_options
from reports.series import TrendSeries
from reports.view import View

OPEN_SHOWN = 100


def current_minute(ctx) -> datetime:
    """Plant-local now, to the minute: an open breakdown runs "up to now"."""
    return ctx.now().replace(second=0, microsecond=0)


def _clipped(conn, ctx, filters: Filters, scope, now: datetime,
             columns: Sequence[str] = q.BREAKDOWN_COLUMNS) -> pd.DataFrame:
    """Breakdowns of the window (`columns` of them) with their clipped minutes."""
    start, end = m.production_window(filters.start, filters.end, filter_options(ctx)["shifts"])
    bd = q.breakdowns_overlapping(conn, start, end, filters, scope, columns)
    return m.clip_minutes(bd, start, end, now)


def _by_day(ctx, bd: pd.DataFrame) -> pd.DataFrame:
    """The clipped breakdowns split over the production days they ran on."""
    return m.split_by_day(bd, m.day_start_minutes(filter_options(ctx)["shifts"]))


def _line_table(conn, filters: Filters, scope, bd: pd.DataFrame) -> pd.DataFrame:
    """Per line: downtime summary, plan time, earned minutes and FPY, with availability,
    performance and OEE. Lines with a plan and no breakdowns are in it too."""
    plan = q.plan_time_by(conn, filters, ["line_code"], scope)
    earned = output_by(conn, filters, ["line_code"], scope)[["line_code", "earned_minutes"]]
    checks = checks_by(conn, filters, ["line_code"], scope)
    checks["fpy_pct"] = pct_series(checks["checked"] - checks["defective"], checks["checked"])
    df = m.summarize(bd, ["line_code"]).merge(plan, on="line_code", how="outer")
    df = df.merge(earned, on="line_code", how="left")
    df = df.merge(checks[["line_code", "fpy_pct"]], on="line_code", how="left")
    for col in ("count", "downtime_min", "open_count", "closed_count", "closed_min"):
        df[col] = pd.to_numeric(df[col], errors="coerce").fillna(0)
    return m.add_oee(m.add_mttr(df)).sort_values("line_code").reset_index(drop=True)


def _machine_table(conn, filters: Filters, scope, bd: pd.DataFrame,
                   lines: pd.DataFrame) -> pd.DataFrame:
    """Every machine of the selected lines with its breakdowns and MTBF (its line's available
    time in the window); a machine with no breakdowns has count 0 and no MTBF."""
    machines = q.machines(conn, filters, scope)
    per = m.summarize(bd[bd["machine_code"].notna()], ["machine_code"])
    known = machines.merge(per, on="machine_code", how="left")
    # breakdowns that name a machine missing from the master list still count
    unknown = per[~per["machine_code"].isin(machines["machine_code"])]
    if not unknown.empty:
        lines_of = bd.drop_duplicates("machine_code").set_index("machine_code")["line_code"]
        unknown = unknown.assign(line_code=unknown["machine_code"].map(lines_of))
    df = pd.concat([known, unknown], ignore_index=True) if not unknown.empty else known
    for col in ("count", "downtime_min", "open_count", "closed_count", "closed_min"):
        df[col] = pd.to_numeric(df[col], errors="coerce").fillna(0)
    df = df.merge(lines[["line_code", "available_min"]], on="line_code", how="left")
    return m.add_mtbf(m.add_mttr(df)).sort_values(["line_code", "machine_code"]).reset_index(
        drop=True)


def downtime(ctx, filters: Filters, group_by: tuple[str, ...] = ("line_code",), scope=None,
             now: datetime | None = None) -> dict:
    """The /api/v1/downtime view: grouped by any of line, machine, category, reason, date,
    shift. By line adds availability and OEE; by machine adds MTBF."""
    return _downtime(ctx, filters, tuple(group_by), scope, now or current_minute(ctx))


@cached_report("downtime")
def _downtime(ctx, filters: Filters, group_by: tuple[str, ...], scope, now: datetime) -> dict:
    keys = ["day" if k == "date" else k for k in group_by]
    with ctx.engine.connect() as conn:
        bd = _clipped(conn, ctx, filters, scope, now)
        lines = _line_table(conn, filters, scope, bd)
        if keys == ["line_code"]:
            rows = lines
        elif keys == ["machine_code"]:
            rows = _machine_table(conn, filters, scope, bd, lines)
        else:
            per = _by_day(ctx, bd) if "day" in keys else bd
            rows = m.summarize(per, keys).sort_values(keys).reset_index(drop=True)
        fpy = quality_totals(checks_by(conn, filters, [], scope))["fpy_pct"]
    rows = rows.rename(columns={"day": "date"})
    return {"rows": rows, "total": _total(bd, lines, fpy)}


def _total(bd: pd.DataFrame, lines: pd.DataFrame, fpy_pct) -> dict:
    total = m.totals(m.summarize(bd, []))
    total["available_min"] = pd.to_numeric(lines["available_min"], errors="coerce").sum(
        min_count=1) if not lines.empty else None
    total.update(m.oee_total(lines, fpy_pct))
    return total


def downtime_view(ctx, filters: Filters, scope=None, now: datetime | None = None) -> dict:
    """The Downtime page: totals, Pareto by category with its reasons, by line (availability,
    OEE), by machine (MTBF), by day, the breakdowns open right now (whatever the window) and
    preventive maintenance."""
    return _downtime_view(ctx, filters, scope, now or current_minute(ctx))


@cached_report("downtime_view")
def _downtime_view(ctx, filters: Filters, scope, now: datetime) -> dict:
    with ctx.engine.connect() as conn:
        bd = _clipped(conn, ctx, filters, scope, now)
        lines = _line_table(conn, filters, scope, bd)
        machines = _machine_table(conn, filters, scope, bd, lines)
        fpy = quality_totals(checks_by(conn, filters, [], scope))["fpy_pct"]
        pm = maintenance_rows(conn, filters, scope, now.date())
        open_rows = q.open_breakdowns(conn, filters, scope).head(OPEN_SHOWN)
    categories = m.summarize(bd, ["category"]).sort_values(
        ["downtime_min", "category"], ascending=[False, True]).reset_index(drop=True)
    categories["cum_pct"] = divide(categories["downtime_min"].cumsum(),
                                   categories["downtime_min"].sum(), 100.0)
    categories = m.add_mttr(fold_tail(categories, "category"))
    reasons = m.summarize(bd, ["category", "reason"]).sort_values(
        ["category", "downtime_min"], ascending=[True, False]).reset_index(drop=True)
    by_day = m.summarize(_by_day(ctx, bd), ["day", "category"]).rename(columns={"day": "date"})
    # a stop stamped a little after our clock (a device clock ahead) has run 0 minutes, not < 0
    open_rows["running_min"] = ((pd.Timestamp(now) - pd.to_datetime(open_rows["start_ts"])
                                 ).dt.total_seconds() / 60.0).clip(lower=0)
    total = {**_total(bd, lines, fpy), "down_now": len(open_rows)}
    return {"total": total, "categories": categories, "reasons": reasons,
            "by_day": by_day, "lines": lines, "machines": machines,
            "open": open_rows, "maintenance": pm, "now": now}


VIEW = View(
    "downtime", downtime_view,
    frames={"categories": "categories", "reasons": "reasons", "daily": "by_day",
            "lines": "lines", "machines": "machines", "open": "open", "pm": "maintenance"},
    values={"summary": "total"})


def maintenance_rows(conn, filters: Filters, scope, today: date) -> pd.DataFrame:
    """Preventive maintenance per machine: due date, days left, overdue; most urgent first."""
    pm = m.pm_status(q.machines(conn, filters, scope), today)
    return pm.sort_values(["days_left", "machine_code"], na_position="last").reset_index(
        drop=True)


@cached_report("downtime_kpis")
def _kpi_totals(ctx, filters: Filters, scope, now: datetime) -> tuple[float, float]:
    with ctx.engine.connect() as conn:
        cur = _clipped(conn, ctx, filters, scope, now)["minutes"].sum()
        prev = _clipped(conn, ctx, filters.previous(), scope, now)["minutes"].sum()
    return float(cur), float(prev)


def downtime_kpis(ctx, filters: Filters, scope) -> list[Kpi]:
    """The Overview's downtime card."""
    cur, prev = _kpi_totals(ctx, filters, scope, current_minute(ctx))
    return [kpi("downtime_min", "Downtime", cur, prev, " min", better="down")]


def _downtime_parts(ctx, filters: Filters, scope) -> pd.DataFrame:
    """Downtime minutes per production day and line, each stop split over the days it ran on
    (so a day's value does not depend on the window around it; open: up to now)."""
    with ctx.engine.connect() as conn:
        bd = _by_day(ctx, _clipped(conn, ctx, filters, scope, current_minute(ctx),
                                   ("line_code", "start_ts", "end_ts")))
    if bd.empty:
        return pd.DataFrame(columns=["date", "line_code", "downtime_min"])
    return (bd.groupby(["day", "line_code"], as_index=False)["minutes"].sum()
            .rename(columns={"day": "date", "minutes": "downtime_min"}))


DOWNTIME_SERIES = TrendSeries("downtime_min", "Downtime", unit=" min", better="down", order=40,
                              fn=_downtime_parts)
