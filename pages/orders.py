"""Orders (/orders): will this order ship on time? The plant head's and planner's page."""
from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import quote

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

from components import grid as g
from components import order_figures as figures
from components.cards import chart_card, empty_state, graph, kpi_card
from components.export import register_export
from components.page import page_layout, register_content
from metrics.orders import RATE_DAYS, RATE_LOOKBACK_DAYS
from reports import orders as reports
from core.filters import Filters

dash.register_page(__name__, path="/orders", name="Orders", title="Orders · FloorPulse", order=60)

PAGE = "orders"

PACE_NOTE = (f"Pace = mean daily output of the order's style on its line over the last "
             f"{RATE_DAYS} days with output (within the {RATE_LOOKBACK_DAYS} days before "
             f"today), else the line's mean over its last {RATE_DAYS} days with output. "
             "Projected completion = today + remaining / pace (calendar days). At risk: "
             "projected after the due date; late: due date passed.")

# A progress bar drawn as the cell's background: no custom cell renderer needed.
PROGRESS_BAR = {"function": (
    "const p = Math.max(0, Math.min(100, params.value || 0));"
    " return {background: 'linear-gradient(90deg, #bfdbfe ' + p + '%, transparent ' + p + '%)',"
    " fontWeight: 600}")}
RISK_CELLS = {"cell-red": "params.data.risk == 'late'",
              "cell-amber": "params.data.risk == 'at_risk'",
              "cell-green": "params.data.risk == 'on_track'"}

WRAP = {"wrapHeaderText": True, "autoHeaderHeight": True}
STATUS_LABELS = {"DRAFT": "Draft", "RELEASED": "Released", "IN_PROGRESS": "In progress",
                 "ON_HOLD": "On hold", "COMPLETED": "Completed", "CANCELLED": "Cancelled"}

OPEN_COLUMNS = [
    g.col("order", "Order", cellRenderer="markdown", pinned="left", minWidth=120,
          tooltipField="drill_hint"),
    g.col("risk_label", "Risk", minWidth=120, cellClassRules=RISK_CELLS),
    g.col("line_code", "Line", maxWidth=80), g.col("style_code", "Style", minWidth=110),
    g.col("status_label", "Status", minWidth=115),
    g.col("progress_pct", "Progress", "pct", minWidth=130, cellStyle=PROGRESS_BAR),
    g.col("produced_qty", "Sewn", "int"), g.col("order_qty", "Ordered", "int"),
    g.col("remaining", "Remaining", "int", minWidth=105, **WRAP),
    g.col("daily_rate", "Pace / day", "int", tooltipField="rate_basis", **WRAP),
    g.col("due_date", "Due", minWidth=110),
    g.col("projected_completion", "Projected", minWidth=110),
    g.col("materials_short", "Materials short", "int", minWidth=100, **WRAP),
]
SHORTAGE_COLUMNS = [
    g.col("wo_number", "Order", minWidth=110, pinned="left"),
    g.col("risk_label", "Risk", minWidth=120, cellClassRules=RISK_CELLS),
    g.col("line_code", "Line", maxWidth=80), g.col("style_code", "Style", minWidth=110),
    g.col("material_code", "Material", minWidth=130), g.col("unit", "Unit", maxWidth=80),
    g.col("required_qty", "Required", "dec"), g.col("issued_qty", "Issued", "dec"),
    g.col("shortage", "Short by", "dec"),
    g.col("issued_pct", "Issued %", "pct", cellStyle=PROGRESS_BAR),
    g.col("due_date", "Due", minWidth=110),
]
OPEN_EXPORT = ["wo_number", "line_code", "style_code", "status", "risk_label", "order_qty",
               "produced_qty", "progress_pct", "remaining", "daily_rate", "rate_basis",
               "due_date", "projected_completion", "late", "at_risk", "materials_short",
               "planned_start", "released_at", "started_at"]


def layout(**query):
    return page_layout(PAGE, "Orders", query,
                       subtitle="Work orders: will they ship on time? Open orders are as of "
                                "today; the dates select completed orders for on-time delivery.")


RATE_BASIS = {"style": "pace of this style on the line", "line": "the line's pace (style not sewn "
               "recently)"}


def drill_range(order, today: date) -> tuple[date, date]:
    """The days of an order's own output: from its start up to today (or its completion)."""
    end = pd.Timestamp(order.completed_at).date() if pd.notna(order.completed_at) else today
    if pd.notna(order.started_at):
        start = pd.Timestamp(order.started_at).date()
    elif pd.notna(order.planned_start):
        start = order.planned_start
    else:
        start = end - timedelta(days=6)
    if start > end:  # planned for later: show the line's last week instead
        start = end - timedelta(days=6)
    return max(start, end - timedelta(days=365)), end


def drill_href(order, today: date) -> str:
    """/lines/<line_code>?start=..&end=..&style=..: the order's line, sewing its style."""
    start, end = drill_range(order, today)
    query = Filters(start=start, end=end, styles=(order.style_code,)).to_query()
    return f"/lines/{quote(str(order.line_code), safe='')}{query}"


def _with_links(open_orders: pd.DataFrame, today: date) -> pd.DataFrame:
    links = [f"[{o.wo_number}]({drill_href(o, today)})" for o in open_orders.itertuples()]
    return open_orders.assign(order=links, drill_hint="the line's output of this style",
                              status_label=open_orders["status"].map(STATUS_LABELS),
                              rate_basis=open_orders["rate_basis"].map(RATE_BASIS))


def build(ctx, filters, scope):
    data = reports.orders_page(ctx, filters, scope)
    today, open_orders = data["today"], data["open"]
    cards = dbc.Row([dbc.Col(kpi_card(k), xs=6, md=4, xl=True)
                     for k in reports.page_kpis(data)], className="g-3 mb-3")
    height = figures.timeline_height(open_orders) if not open_orders.empty else 320
    if open_orders.empty:
        timeline = empty_state("No open orders for this selection.",
                               hint="Every order here is completed or cancelled.")
        grid_body = timeline
    else:
        timeline = graph(figures.orders_timeline(open_orders, today), "orders-timeline",
                         height=height)
        grid_body = g.grid("orders-grid", _with_links(open_orders, today), OPEN_COLUMNS,
                           height=min(60 + 42 * len(open_orders), 560),
                           extra_fields=("risk", "rate_basis", "drill_hint", "wo_number"))
    per = "week" if data["on_time_freq"] == "W" else "day"
    on_time = data["on_time"]
    on_time_body = (graph(figures.on_time_delivery(on_time, data["on_time_freq"]),
                          "on-time-graph", height=min(height, 480)) if not on_time.empty else
                    empty_state(hint=f"No order was completed between {filters.start:%d %b} "
                                     f"and {filters.end:%d %b %Y}."))
    short = data["shortages"]
    short_body = (g.grid("shortages-grid", short, SHORTAGE_COLUMNS,
                         height=min(60 + 42 * len(short), 420), extra_fields=("risk",))
                  if not short.empty else
                  empty_state("No open order is short of material.",
                              hint="Every material has been issued in full."))
    shown = min(len(open_orders), figures.TIMELINE_MAX_ORDERS)
    return html.Div([
        cards,
        dbc.Row([
            dbc.Col(chart_card("Open orders against their due dates", timeline,
                               export=f"{PAGE}-open",
                               subtitle=f"the {shown} most urgent · bar = start to projected "
                                        "completion · ◆ due date"), lg=7),
            dbc.Col(chart_card("On-time delivery", on_time_body, export=f"{PAGE}-on-time",
                               subtitle=f"orders completed per {per}, on or before their due "
                                        "date"), lg=5),
        ], className="g-3 mb-3"),
        chart_card("Open orders", grid_body, export=f"{PAGE}-open-grid", excel=True,
                   subtitle="late and at risk first · click an order for its line's output"),
        html.Div(PACE_NOTE, className="text-muted small mt-2 mb-3", id="orders-pace-note"),
        chart_card("Material shortages", short_body, export=f"{PAGE}-shortages", excel=True,
                   subtitle="open orders, late and at risk first · shortage = required − "
                                "issued, never below 0"),
    ])


register_content(PAGE, build)


def _open_export(ctx, filters, scope):
    open_orders = reports.orders_page(ctx, filters, scope)["open"]
    return open_orders[[c for c in OPEN_EXPORT if c in open_orders.columns]]


register_export(f"{PAGE}-open")(_open_export)
register_export(f"{PAGE}-open-grid")(_open_export)


@register_export(f"{PAGE}-on-time")
def _on_time_export(ctx, filters, scope):
    return reports.orders_page(ctx, filters, scope)["on_time"]


@register_export(f"{PAGE}-shortages")
def _shortages_export(ctx, filters, scope):
    short = reports.orders_page(ctx, filters, scope)["shortages"]
    return short.drop(columns=["risk"], errors="ignore")
