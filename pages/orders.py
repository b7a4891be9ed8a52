"""Orders (/orders): will this order ship on time? The plant head's and planner's page.

It also runs orders (SPEC section 13): each open order offers the moves the signed-in user may
make, ticked orders take one action together (each order answers for itself), a cancel is asked
about first, and after an action the page's content (the order's row, the cards and the timeline)
is built again from the changed data.
"""
from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import quote

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, ctx as dash_ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from components import grid as g
from components import order_figures as figures
from components.cards import chart_card, empty_state, graph, kpi_strip
from auth.gate import request_user
from components import ids
from components.page import page_layout, register_content, render_content
from metrics.orders import RATE_DAYS, RATE_LOOKBACK_DAYS
from reports import orders as reports
from core.context import current
from core.filters import Filters

dash.register_page(__name__, path="/orders", name="Orders", title="Orders · FloorPulse", order=60)

PAGE = "orders"

PACE_NOTE = (f"Pace = mean daily output of the order's style on its line over the last "
             f"{RATE_DAYS} days with output (within the {RATE_LOOKBACK_DAYS} days before "
             f"today), else the line's mean over its last {RATE_DAYS} days with output. "
             "Projected completion = today + remaining / pace (calendar days). At risk: "
             "projected after the due date; late: due date passed.")

# A progress bar drawn as the cell's background (assets/dashAgGridFunctions.js): dash-ag-grid
# evaluates a function string as an expression, so the body lives in a named function.
PROGRESS_BAR = {"function": "progressBar(params.value)"}
RISK_CELLS = {"cell-red": "params.data.risk == 'late'",
              "cell-amber": "params.data.risk == 'at_risk'",
              "cell-green": "params.data.risk == 'on_track'"}

STATUS_LABELS = {"DRAFT": "Draft", "RELEASED": "Released", "IN_PROGRESS": "In progress",
                 "ON_HOLD": "On hold", "COMPLETED": "Completed", "CANCELLED": "Cancelled"}

OPEN_COLUMNS = [
    g.col("order", "Order", cellRenderer="markdown", pinned="left", minWidth=120,
          tooltipField="drill_hint"),
    g.col("risk_label", "Risk", minWidth=95, cellClassRules=RISK_CELLS),
    g.col("line_code", "Line", maxWidth=80), g.col("style_code", "Style", minWidth=95),
    g.col("status_label", "Status", minWidth=110),
    g.col("progress_pct", "Progress", "pct", minWidth=110, cellStyle=PROGRESS_BAR),
    g.col("produced_qty", "Sewn", "int"), g.col("order_qty", "Order qty", "int"),
    g.col("remaining", "Left", "int", headerTooltip="Remaining: ordered − sewn"),
    g.col("daily_rate", "Pace / day", "int", tooltipField="rate_basis"),
    g.col("due_date", "Due", minWidth=105),
    g.col("projected_completion", "Finish by", minWidth=105,
          headerTooltip="projected completion: today + left / pace"),
    g.col("materials_short", "Short items", "int",
          headerTooltip="materials issued below what the order needs"),
]
ACTIONS_COLUMN = g.col("actions", "Actions", cellRenderer="OrderActions", minWidth=200,
                       sortable=False, filter=False, pinned="right",
                       cellDataType=False)  # a list the renderer draws: no type to infer
# ticked rows take the bulk action; a click elsewhere on a row does not tick it
MULTI_SELECT = {"mode": "multiRow", "checkboxes": True, "headerCheckbox": True,
                "enableClickSelection": False}
ACTION_LABELS = {"release": "Release", "start": "Start", "hold": "Hold", "resume": "Resume",
                 "complete": "Complete", "cancel": "Cancel"}
DONE_WORDS = {"release": "released", "start": "started", "hold": "put on hold",
              "resume": "resumed", "complete": "completed", "cancel": "cancelled"}
SHORTAGE_COLUMNS = [
    g.col("wo_number", "Order", minWidth=110, pinned="left"),
    g.col("risk_label", "Risk", minWidth=120, cellClassRules=RISK_CELLS),
    g.col("line_code", "Line", maxWidth=80), g.col("style_code", "Style", minWidth=110),
    g.col("material_code", "Material", minWidth=130), g.col("unit", "Unit", maxWidth=80),
    g.col("required_qty", "Required", "qty"), g.col("issued_qty", "Issued", "qty"),
    g.col("shortage", "Short by", "qty"),
    g.col("issued_pct", "Issued %", "pct", cellStyle=PROGRESS_BAR),
    g.col("due_date", "Due", minWidth=110),
]


def layout(**query):
    return html.Div([
        page_layout(PAGE, "Orders", query,
                    subtitle="Work orders: will they ship on time? Open orders are as of "
                             "today; the dates select completed orders for on-time delivery."),
        dcc.Store(id="orders-pending"),
        dbc.Modal([
            dbc.ModalHeader(dbc.ModalTitle("Cancel work orders?")),
            dbc.ModalBody(id="orders-confirm-text"),
            dbc.ModalFooter([
                dbc.Button("Keep them", id="orders-confirm-no", color="secondary", outline=True),
                dbc.Button("Cancel the orders", id="orders-confirm-yes", color="danger"),
            ]),
        ], id="orders-confirm", is_open=False, centered=True),
        dbc.Toast(id="orders-action-result", is_open=False, dismissable=True,
                  header="", className="orders-action-result"),
    ])


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
    user = request_user()
    return open_orders.assign(order=links, drill_hint="the line's output of this style",
                              status_label=open_orders["status"].map(STATUS_LABELS),
                              rate_basis=open_orders["rate_basis"].map(RATE_BASIS),
                              actions=reports.row_actions(open_orders, user.can_run_orders,
                                                          user.order_scope))


def _bulk_bar():
    """Pick an action for the ticked orders (only for users who run orders)."""
    if not request_user().can_run_orders:
        return None
    return dbc.Row([
        dbc.Col(dcc.Dropdown(id="orders-bulk-action", clearable=False, value="release",
                             options=[{"label": f"{label} ticked orders", "value": action}
                                      for action, label in ACTION_LABELS.items()]), md=3),
        dbc.Col(dbc.Button("Apply", id="orders-bulk-apply", color="primary", size="sm"),
                width="auto"),
        dbc.Col(html.Span("tick orders in the first column; each order answers for itself",
                          className="text-muted small"), className="align-self-center"),
    ], className="g-2 mb-2")


def build(ctx, filters, scope):
    data = reports.orders_page(ctx, filters, scope)
    today, open_orders = data["today"], data["open"]
    cards = kpi_strip(reports.page_kpis(data))
    height = figures.timeline_height(open_orders) if not open_orders.empty else 320
    if open_orders.empty:
        timeline = empty_state("No open orders for this selection.",
                               hint="Every order here is completed or cancelled.")
        grid_body = timeline
    else:
        timeline = graph(figures.orders_timeline(open_orders, today), "orders-timeline",
                         height=height)
        runs = request_user().can_run_orders
        columns = OPEN_COLUMNS + ([ACTIONS_COLUMN] if runs else [])
        orders_grid = g.grid("orders-grid", _with_links(open_orders, today), columns,
                             height=min(60 + 42 * len(open_orders), 560),
                             extra_fields=("risk", "rate_basis", "drill_hint", "wo_number"),
                             **({"rowSelection": MULTI_SELECT} if runs else {}))
        orders_grid.getRowId = "params.data.wo_number"  # rows keep their ticks across refreshes
        grid_body = html.Div([_bulk_bar(), orders_grid])
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


# --- running orders ------------------------------------------------------------------------------

@callback(Output("orders-pending", "data"),
          Input("orders-grid", "cellRendererData"), Input("orders-bulk-apply", "n_clicks"),
          State("orders-bulk-action", "value"), State("orders-grid", "selectedRows"),
          prevent_initial_call=True)
def pick_action(cell, _clicks, bulk_action, selected):
    """A button on a row, or the bulk action on the ticked rows: what to run, not run yet."""
    if dash_ctx.triggered_id == "orders-grid":
        value = (cell or {}).get("value") or {}
        action, wo_numbers = value.get("action"), [value.get("wo_number")]
    elif _clicks:
        action, wo_numbers = bulk_action, [r.get("wo_number") for r in selected or []]
    else:  # the button drawn again with the page (a filter change, a live refresh): no click
        raise PreventUpdate
    if not action:
        raise PreventUpdate
    return {"action": action, "wo_numbers": [w for w in wo_numbers if w],
            "asked": (cell or {}).get("timestamp") or _clicks}


@callback(Output(f"{PAGE}-content", "children", allow_duplicate=True),
          Output("orders-action-result", "children"), Output("orders-action-result", "header"),
          Output("orders-action-result", "icon"), Output("orders-action-result", "is_open"),
          Output("orders-confirm", "is_open"), Output("orders-confirm-text", "children"),
          Input("orders-pending", "data"), Input("orders-confirm-yes", "n_clicks"),
          Input("orders-confirm-no", "n_clicks"),
          *[State(i.component_id, i.component_property) for i in ids.FILTER_INPUTS],
          prevent_initial_call=True)
def run_action(pending, _yes, _no, start, end, lines, shifts, styles):
    """Ask before a cancel; run the rest at once, then build the page again from the data."""
    keep = (no_update,) * 5  # content and the result toast stay as they are
    if not pending:
        raise PreventUpdate
    action, wo_numbers = pending["action"], pending["wo_numbers"]
    trigger = dash_ctx.triggered_id
    if trigger == "orders-confirm-no":
        return no_update, "Nothing was cancelled.", "Cancel", "secondary", True, False, None
    if not wo_numbers:
        return (no_update, "Tick one or more orders first.", ACTION_LABELS.get(action, action),
                "warning", True, False, None)
    if trigger == "orders-pending" and action == "cancel":
        return (*keep, True, f"Cancel {', '.join(wo_numbers)}? A cancelled order is closed "
                             "for good: it can no longer be released, started or edited.")
    user = request_user()
    if not user.can_run_orders:
        return no_update, "Your role may read orders, not run them.", "Not allowed", "danger", \
            True, False, None
    result = reports.run_orders(current(), user.username, user.order_scope, action, wo_numbers)
    content, _message, _open = render_content(PAGE, build, (start, end, lines, shifts, styles),
                                              first=False)
    return (content, _result_lines(result), _result_header(result),
            "success" if not result["failed"] else "warning" if result["done"] else "danger",
            True, False, None)


def _result_header(result: dict) -> str:
    done, failed = len(result["done"]), len(result["failed"])
    return f"{ACTION_LABELS[result['action']]}: {done} done" + (f" · {failed} refused"
                                                                  if failed else "")


def _result_lines(result: dict) -> html.Ul:
    word = DONE_WORDS[result["action"]]
    items = [html.Li(f"{d['wo_number']}: {word}", className="text-success")
             for d in result["done"]]
    items += [html.Li(f"{f['wo_number']}: {f['message']}", className="text-danger")
              for f in result["failed"]]
    return html.Ul(items, className="mb-0 ps-3 small", id="orders-action-lines")
