"""Garment engineering reports (SPEC section 15): one line's balance, the changeovers of a
selection and their learning curve; the /engineering page, its exports and the two endpoints
read these.
"""
from __future__ import annotations

import pandas as pd

from core.filters import Filters, scoped_lines
from demo import catalog
from metrics import engineering as m
from queries import engineering as q
from reports.cache import cached_report
from reports.view import View
from reports.production import filter_options


def engineering_line(ctx, filters: Filters, scope=None) -> str | None:
    """The line the page studies: the first selected line the user may read, else the first
    line they may read at all (the page studies one line at a time)."""
    known = list(filter_options(ctx)["lines"].get("line_code", pd.Series(dtype=object)))
    allowed = scoped_lines(tuple(known), scope) or ()
    chosen = [line for line in filters.lines if line in allowed]
    return (chosen or sorted(allowed) or [None])[0]


def bulletin(style_pieces: pd.Series) -> list[str]:
    """The sewing order of the operations: each style's operation bulletin (the demo catalog's,
    where it knows the style), the style with the most pieces first."""
    families = {code: family for code, _d, _smv, family in catalog.STYLES}
    order: list[str] = []
    for style in style_pieces.sort_values(ascending=False, kind="stable").index:
        for operation, _share in catalog.OPERATIONS.get(families.get(style), ()):
            if operation not in order:
                order.append(operation)
    return order


@cached_report("line_balance")
def line_balance(ctx, filters: Filters, scope=None) -> dict:
    """Balance of the selection's one line (filters.lines holds exactly that line)."""
    with ctx.engine.connect() as conn:
        by_style = q.operation_sums(conn, filters, scope)
        plan = q.plan_sums(conn, filters, scope)
    if by_style.empty:
        ops = by_style.drop(columns="style_code")
        order = []
    else:
        for col in ("qty", "smv_pieces", "earned_minutes", "operator_minutes"):
            by_style[col] = pd.to_numeric(by_style[col], errors="coerce")
        ops = by_style.groupby("operation", as_index=False)[
            ["qty", "smv_pieces", "earned_minutes", "operator_minutes"]].sum(min_count=1)
        order = bulletin(by_style.groupby("style_code")["qty"].sum())
    rows, total = m.line_balance(ops, plan["working_minutes"], plan["target"], order)
    total["line_code"] = filters.lines[0] if filters.lines else None
    return {"rows": rows, "total": total, "reading": reading(total, rows)}


def reading(total: dict, rows: pd.DataFrame) -> str:
    """The balance in one line, as an engineer would say it."""
    if rows.empty:
        return "No operator output on this line in this window: nothing to balance."
    if total["target_per_hour"] is None:
        return ("No plan (working minutes and target) for this line in this window: pieces per "
                "hour and balance against target cannot be worked out.")
    if total["bottleneck"] is None:
        return "No operation has a balance against target."
    text = f"bottleneck: {total['bottleneck']}, {total['bottleneck_balance_pct']:.0f} % of target"
    capacity = total["bottleneck_capacity_per_hour"]
    if capacity is None:
        return text + "; no operator minutes recorded for it, so no standard capacity"
    gap = ("a pace gap (enough people, working below standard)" if total["bottleneck_gap"] ==
           "pace" else "a staffing gap (too few operator-minutes on it)")
    return (text + f"; its operators would make {capacity:.0f}/h at standard against "
            f"{total['target_per_hour']:.0f}/h: {gap}")


@cached_report("changeovers")
def changeovers(ctx, filters: Filters, scope=None) -> dict:
    """Changeovers made in the selection's window on its lines (to its styles, if any), followed
    to the window's end, with the learning curve, steady_pct, days_to_90 and ramp targets."""
    with ctx.engine.connect() as conn:
        out = q.styles_by_day(conn, filters, scope)
        avail = q.available_by_day(conn, filters, scope)
        before = q.day_before(conn, filters.start, filters, scope)
    keys = ["line_code", "date", "style_code"]
    days = out.merge(avail, on=keys, how="left") if not out.empty else out.assign(
        available_minutes=pd.Series(dtype=float))
    days = pd.concat([before.assign(earned_minutes=float("nan"),
                                    available_minutes=float("nan")), days[m.DAY_COLUMNS]],
                     ignore_index=True) if not before.empty else days[m.DAY_COLUMNS]
    for col in ("earned_minutes", "available_minutes"):
        days[col] = pd.to_numeric(days[col], errors="coerce").astype(float)
    co_days = m.changeover_days(days, filters.start, filters.end, filters.styles)
    return m.learning(co_days)


def engineering_view(ctx, filters: Filters, scope=None) -> dict:
    """The /engineering page: the chosen line's balance and changeovers over the window."""
    line = engineering_line(ctx, filters, scope)
    if line is None:
        return {"line_code": None, "balance": None, "learning": None}
    one = filters.with_lines((line,))
    return {"line_code": line, "balance": line_balance(ctx, one, scope),
            "learning": changeovers(ctx, one, scope)}


# --- the view: page, exports and /api/v1/views/engineering render these parts ---------------------

def _balance_rows(view: dict):
    if not view["balance"]:
        return pd.DataFrame()
    return view["balance"]["rows"].assign(line_code=view["line_code"])


def _curve_rows(view: dict):
    learning = view["learning"]
    if not learning:
        return pd.DataFrame()
    return learning["curve"].merge(learning["ramp"][["k", "target_pct"]], on="k").assign(
        line_code=view["line_code"], steady_pct=learning["steady_pct"])


def _changeover_rows(view: dict):
    return view["learning"]["changeovers"] if view["learning"] else pd.DataFrame()


VIEW = View(
    "engineering", engineering_view, default_days=30,
    frames={"balance": _balance_rows, "operations": _balance_rows, "curve": _curve_rows,
            "ramp": _curve_rows, "changeovers": _changeover_rows},
    values={"line": lambda v: {"line_code": v["line_code"],
                               "reading": v["balance"]["reading"] if v["balance"] else None},
            "balance-total": lambda v: v["balance"]["total"] if v["balance"] else {},
            "learning-summary": lambda v: {k: v["learning"].get(k) for k in
                                           ("steady_pct", "days_to_90")} if v["learning"] else {}},
)
