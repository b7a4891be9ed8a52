"""Quality reports: % defective, DHU, FPY and repairs by line, day, reason and operation.

checked and defective are counted per end-of-line check (line, day, shift, style); a defect's reason
and operation are not known for a checked piece, so rows grouped by reason or operation carry the
checked pieces of their other keys (the DHU denominator) and no defective count.
"""
from __future__ import annotations

import pandas as pd

from metrics import quality as m
from metrics.production import WEEKLY_BEYOND_DAYS, by_week, sum_by
from queries import quality as q
from reports.cache import cached_report
from core.filters import Filters
from reports.kpis import Kpi, kpi
from reports.thresholds import with_light
from reports.series import TrendSeries
from reports.view import View

DRILL_DIMENSIONS = ("reason", "operation")
OPEN_DEFECTS_SHOWN = 200


def _measures(conn, filters: Filters, keys: list[str], scope) -> pd.DataFrame:
    """Checks and defects grouped by keys, with the ratios."""
    qc_keys = [k for k in keys if k in q.QC_KEYS]
    checks = q.checks_by(conn, filters, qc_keys, scope)
    defects = q.defects_by(conn, filters, keys, scope)
    by_cause = len(qc_keys) < len(keys)  # grouped by reason or operation
    if not keys:
        df = pd.concat([checks, defects], axis=1)
    elif not qc_keys:
        df = defects.assign(checked=checks["checked"].iloc[0] if not checks.empty else None)
    else:
        df = defects.merge(checks, on=qc_keys, how="left" if by_cause else "outer")
    if by_cause:
        df["defective"] = None
    for col in m.MEASURES:
        df[col] = pd.to_numeric(df[col], errors="coerce")
    if not by_cause:
        df[["defects", "repaired", "open"]] = df[["defects", "repaired", "open"]].fillna(0)
    df = m.add_quality_ratios(df)
    return df.sort_values(keys, na_position="last").reset_index(drop=True) if keys else df


def _rolled(df: pd.DataFrame, key: str) -> pd.DataFrame:
    return m.add_quality_ratios(sum_by(df, key, m.MEASURES))


@cached_report("quality")
def quality(ctx, filters: Filters, group_by: tuple[str, ...] = ("line_code",), scope=None
            ) -> dict:
    """The /api/v1/quality view: rows grouped by any of line, date, shift, style, reason,
    operation, and the total."""
    with ctx.engine.connect() as conn:
        rows = _measures(conn, filters, list(group_by), scope)
        total = m.quality_totals(_measures(conn, filters, [], scope))
    return {"rows": rows, "total": total}


@cached_report("quality_view")
def quality_view(ctx, filters: Filters, scope=None) -> dict:
    """The Quality page: totals against the previous period, trends, Paretos, open defects."""
    # one pass over the window's checks and defects by line and day, one by cause; the day,
    # line and total views are sums of the first (ratios of sums, as everywhere)
    with ctx.engine.connect() as conn:
        by_line_day = _measures(conn, filters, ["line_code", "date"], scope)
        causes = q.defects_by(conn, filters, ["reason", "operation"], scope)
        previous = m.quality_totals(_measures(conn, filters.previous(), [], scope))
        open_rows = q.defect_rows(conn, filters, scope, open_only=True,
                                  limit=OPEN_DEFECTS_SHOWN)
    total = m.quality_totals(by_line_day)
    by_day = _rolled(by_line_day, "date")
    by_line = with_light(ctx, _rolled(by_line_day, "line_code"), "dhu", "dhu_status")
    reasons = m.fold_tail(m.pareto(causes, "reason"), "reason")
    operations = m.fold_tail(m.pareto(causes, "operation"), "operation")
    # DHU by line is charted by day, by week (ratios of the week's sums) over long windows
    weekly = filters.days > WEEKLY_BEYOND_DAYS
    dhu_by_line = (m.add_quality_ratios(by_week(by_line_day, m.MEASURES)) if weekly
                   else by_line_day)
    return {"total": total, "previous": previous, "by_day": by_day, "by_line": by_line,
            "by_line_day": by_line_day, "reasons": reasons, "operations": operations,
            "open": open_rows, "dhu_by_line": dhu_by_line,
            "dhu_period": "week" if weekly else "day"}


VIEW = View(
    "quality", quality_view,
    frames={"daily": "by_day", "line-day": "dhu_by_line", "reasons": "reasons",
            "operations": "operations", "lines": "by_line", "open": "open"},
    values={"summary": "total"})


@cached_report("quality_drill")
def defect_drill(ctx, filters: Filters, dimension: str, value: str, scope=None) -> pd.DataFrame:
    """Every defect behind one Pareto bar (a reason or an operation), newest first: the bar's
    height, the drill's total and its CSV are the same defects."""
    if dimension not in DRILL_DIMENSIONS:
        raise ValueError(f"cannot drill defects by {dimension!r}")
    with ctx.engine.connect() as conn:
        return q.defect_rows(conn, filters, scope, **{dimension: value})


@cached_report("quality_kpis")
def _kpi_totals(ctx, filters: Filters, scope) -> tuple[dict, dict]:
    with ctx.engine.connect() as conn:
        return (m.quality_totals(_measures(conn, filters, [], scope)),
                m.quality_totals(_measures(conn, filters.previous(), [], scope)))


def quality_kpis(ctx, filters: Filters, scope) -> list[Kpi]:
    """The Overview's DHU card."""
    cur, prev = _kpi_totals(ctx, filters, scope)
    return [kpi("dhu", "DHU", cur["dhu"], prev["dhu"], "", better="down", digits=1)]


def _dhu_parts(ctx, filters: Filters, scope) -> pd.DataFrame:
    """Defects and checked pieces per date and line (DHU = Σ defects / Σ checked × 100)."""
    keys = ["date", "line_code"]
    with ctx.engine.connect() as conn:
        checks = q.checks_by(conn, filters, keys, scope)
        defects = q.defects_by(conn, filters, keys, scope)
    return defects[keys + ["defects"]].merge(checks[keys + ["checked"]], on=keys, how="outer")


DHU_SERIES = TrendSeries("dhu", "DHU", unit="", better="down", order=30, num="defects",
                         den="checked", scale=100.0, fn=_dhu_parts)
