"""Order reports: the /api/v1/orders view, the Orders page and the Overview's "orders at risk".

Open orders are as of today (their pace comes from the last days' output); the date filter picks
the completed orders whose on-time delivery is measured.
"""
from __future__ import annotations

from datetime import date

import pandas as pd

from ingest import orders as order_ops
from metrics import order_status as status_rules
from metrics import orders as m
from queries import orders as q
from reports.cache import cached_report
from core.filters import Filters
from reports.kpis import Kpi, kpi
from reports.view import View

DAILY_ON_TIME_MAX_DAYS = 31  # longer windows show on-time delivery by week


def _orders_with_metrics(conn, today: date, where: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(orders with the SPEC metrics and materials_short, their material rows with shortage)."""
    orders = q.work_orders(conn, **where)
    open_lines = orders.loc[orders["status"].isin(m.OPEN_STATUSES), "line_code"].dropna()
    start, end = m.rate_window(today)
    daily = q.daily_output(conn, list(open_lines.unique()), start, end)
    orders = m.add_order_metrics(orders, daily, today)
    materials = m.add_shortages(q.materials(conn, **where))
    short = m.shortages_per_order(materials)
    orders["materials_short"] = orders["wo_number"].map(short).fillna(0).astype(int)
    return orders, materials


@cached_report("orders")
def orders(ctx, today: date, statuses: tuple[str, ...] = (), lines: tuple[str, ...] = (),
           styles: tuple[str, ...] = (), due_from: date | None = None,
           due_to: date | None = None, scope=None) -> dict:
    """The /api/v1/orders view: every matching order with its metrics, and the counts."""
    where = dict(statuses=statuses, lines=lines, styles=styles, due_from=due_from,
                 due_to=due_to, scope=scope)
    with ctx.engine.connect() as conn:
        rows, _materials = _orders_with_metrics(conn, today, where)
    total = m.totals(rows)
    total["short_of_material"] = int((rows["materials_short"] > 0).sum())
    return {"rows": rows.sort_values("wo_number").reset_index(drop=True), "total": total}


def orders_page(ctx, filters: Filters, scope=None, today: date | None = None) -> dict:
    """Orders page: open orders (urgent first), on-time delivery over the window, shortages."""
    return _orders_page(ctx, filters, scope, today or ctx.today())


@cached_report("orders_page")
def _orders_page(ctx, filters: Filters, scope, today: date) -> dict:
    where = dict(lines=filters.lines, styles=filters.styles, scope=scope)
    with ctx.engine.connect() as conn:
        open_orders, materials = _orders_with_metrics(
            conn, today, {**where, "statuses": m.OPEN_STATUSES})
        done = q.work_orders(conn, statuses=("COMPLETED",), completed_from=filters.start,
                             completed_to=filters.end, **where)
        before = filters.previous()
        done_before = q.work_orders(conn, statuses=("COMPLETED",), completed_from=before.start,
                                    completed_to=before.end, **where)
    open_orders = m.sort_by_urgency(open_orders)
    open_orders["risk_label"] = open_orders["risk"].map(m.RISK_LABELS)
    short = materials[materials["shortage"] > 0]
    if not open_orders.empty:
        short = short.merge(open_orders[["wo_number", "risk", "risk_label"]], on="wo_number")
        short = short.assign(_rank=short["risk"].map(m.RISK_ORDER)).sort_values(
            ["_rank", "due_date", "wo_number", "material_code"]).drop(columns="_rank")
    freq = "D" if filters.days <= DAILY_ON_TIME_MAX_DAYS else "W"
    return {"open": open_orders, "shortages": short.reset_index(drop=True),
            "on_time": m.on_time_by_period(done, freq), "on_time_freq": freq,
            "completed": m.on_time_flags(done).reset_index(drop=True),
            "total": {**m.totals(open_orders), **m.on_time(done),
                      "short_of_material": int((open_orders["materials_short"] > 0).sum()),
                      # by the order's one risk: a late order is counted late, not at risk too
                      **{f"risk_{k}": int(open_orders["risk"].eq(k).sum()) for k in m.RISK_ORDER}},
            "previous": m.on_time(done_before), "today": today}


def page_kpis(data: dict) -> list[Kpi]:
    """The Orders page's cards."""
    total, prev = data["total"], data["previous"]
    return [
        kpi("open_orders", "Open orders", total["open"], None,
            note="draft, released, in progress or on hold"),
        kpi("orders_late", "Late", total["late"], None, better="down",
            note="due date passed, not completed"),
        kpi("orders_at_risk", "At risk", total["risk_at_risk"], None, better="down",
            note="not late yet, projected to finish after the due date"),
        kpi("on_time_pct", "On-time delivery", total["on_time_pct"], prev["on_time_pct"], " %",
            digits=1),
        kpi("short_of_material", "Short of material", total["short_of_material"], None,
            better="down", note="open orders with a material issued below need"),
    ]


def overview_orders_at_risk(ctx, filters: Filters, scope) -> list[Kpi]:
    """Open orders that are late, at risk, or both (counted once), as of today."""
    data = orders_page(ctx, filters, scope)
    total = data["total"]
    urgent = total["risk_late"] + total["risk_at_risk"]
    return [kpi("orders_at_risk", "Orders at risk", urgent, None, better="down",
                note=f"{total['late']} late · {total['open']} open now")]


# --- running orders from the page (SPEC section 13): the API's write path, per order -------------

def row_actions(open_orders: pd.DataFrame, can_run: bool, order_scope) -> list[list[str]]:
    """The moves the signed-in user may make on each order: what its status allows, on a line
    they run (none for viewers)."""
    return [status_rules.allowed_actions(status)
            if can_run and (order_scope is None or line in order_scope) else []
            for status, line in zip(open_orders["status"], open_orders["line_code"])]


def run_orders(ctx, username: str, order_scope, action: str, wo_numbers: list[str]) -> dict:
    """One action on the orders picked on the page: {"action", "done", "failed"} exactly as
    POST /api/v1/orders/bulk answers (ingest.orders.bulk: each order its own transaction)."""
    return order_ops.bulk(ctx.engine, order_ops.Actor(username, order_scope),
                          {"action": action, "wo_numbers": wo_numbers}, ctx.now)


OPEN_EXPORT = ["wo_number", "line_code", "style_code", "status", "risk_label", "order_qty",
               "produced_qty", "progress_pct", "remaining", "daily_rate", "rate_basis",
               "due_date", "projected_completion", "late", "at_risk", "materials_short",
               "planned_start", "released_at", "started_at"]


def open_frame(data: dict) -> pd.DataFrame:
    open_orders = data["open"]
    return open_orders[[c for c in OPEN_EXPORT if c in open_orders.columns]]


VIEW = View(
    "orders", orders_page,
    frames={"open": open_frame, "open-grid": open_frame, "on-time": "on_time",
            "shortages": lambda d: d["shortages"].drop(columns=["risk"], errors="ignore")},
    values={"cards": page_kpis, "summary": "total"})
