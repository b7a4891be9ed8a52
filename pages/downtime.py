"""Downtime (/downtime): minutes, count, MTTR, MTBF, availability and OEE; a Pareto by category
that drills to reasons; by line and machine; machines down now; preventive maintenance."""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, dcc, html, no_update

from auth.gate import request_user
from components import analysis_figures as af, grid as g
from components.cards import chart_card, empty_state, fmt, graph, summary_strip
from components.drill import FILTER_STATES, clicked_bar, filters_or_none
from components.page import page_layout, register_content
from components.server_grid import server_grid
from metrics.downtime import OEE_DEFINITION
from metrics.quality import NOT_GIVEN
from reports import downtime as reports
from core.context import current

dash.register_page(__name__, path="/downtime", name="Downtime", title="Downtime · FloorPulse",
                   order=30)

PAGE = "downtime"
MIN = {"function": "params.value == null ? '—' : d3.format(',.0f')(params.value) + ' min'"}

LINE_COLUMNS = [
    g.col("line_code", "Line", maxWidth=90, pinned="left"),
    g.col("downtime_min", "Down", valueFormatter=MIN, type="numericColumn", minWidth=105),
    g.col("count", "Stops", "int"), g.col("mttr_min", "MTTR", valueFormatter=MIN,
                                          type="numericColumn"),
    g.col("availability_pct", "Avail.", "pct", headerTooltip="availability"),
    g.col("performance_pct", "Perf.", "pct", headerTooltip="performance"),
    g.col("fpy_pct", "FPY", "pct", headerTooltip="quality: first-pass yield"),
    g.col("oee_pct", "OEE", "pct", sort="asc", pinned="right"),
]
MACHINE_COLUMNS = [
    g.col("machine_code", "Machine", minWidth=100, pinned="left", tooltipField="type"),
    g.col("line_code", "Line", maxWidth=80), g.col("count", "Breakdowns", "int", sort="desc"),
    g.col("downtime_min", "Downtime", valueFormatter=MIN, type="numericColumn"),
    g.col("mttr_min", "MTTR", valueFormatter=MIN, type="numericColumn"),
    g.col("mtbf_min", "MTBF", valueFormatter=MIN, type="numericColumn"),
]
OPEN_COLUMNS = [
    g.col("line_code", "Line", maxWidth=80, tooltipField="breakdown_id"),
    g.col("machine_code", "Machine", minWidth=100),
    g.col("category", "Category", minWidth=140), g.col("reason", "Reason", minWidth=130),
    g.col("start_ts", "Since", minWidth=165, valueFormatter=af.TIMESTAMP),
    g.col("running_min", "Down for", valueFormatter=MIN, type="numericColumn",
          cellClass="cell-red"),
]
PM_COLUMNS = [
    g.col("machine_code", "Machine", minWidth=100, pinned="left"),
    g.col("line_code", "Line", maxWidth=80), g.col("type", "Type", minWidth=160),
    g.col("last_pm_date", "Last PM", minWidth=110),
    g.col("pm_interval_days", "Every (days)", "int"),
    g.col("pm_due", "Due", minWidth=110), g.col("days_left", "Days left", "int"),
    g.col("pm_status", "Status", minWidth=110, cellClassRules={
        "cell-red": "params.value == 'overdue'", "cell-amber": "params.value == 'due soon'",
        "cell-green": "params.value == 'ok'"}),
]


def layout(**query):
    return page_layout(PAGE, "Downtime", query, show_styles=False,
                       subtitle="Where the line time went, and which machines need a mechanic")


def _summary(total) -> html.Div:
    items = [("Downtime", fmt(total["downtime_min"], 0, " min")),
             ("Stops", fmt(total["count"], 0)), ("MTTR", fmt(total["mttr_min"], 1, " min")),
             ("Availability", fmt(total["availability_pct"], 1, " %")),
             ("OEE", fmt(total["oee_pct"], 1, " %")), ("Down now", fmt(total["down_now"], 0))]
    return summary_strip(items, "downtime-summary", value_ids={
        k: f"downtime-summary-{k.lower().replace(' ', '-')}" for k, _v in items})


def build(ctx, filters, scope):
    data = reports.downtime_view(ctx, filters, scope)
    total, cats = data["total"], data["categories"]
    has_plan = total["available_min"] is not None
    if not total["count"] and not has_plan and data["open"].empty:
        return empty_state(hint="No breakdowns and no planned time for these lines in this "
                                "period.")
    top = cats["category"].iloc[0] if not cats.empty else None
    pareto = (graph(af.pareto(cats, "category", "downtime_min", unit=" min"),
                    "downtime-pareto-category", height=340)
              if not cats.empty else empty_state("No breakdowns in this period.",
                                                 "Every planned minute was available."))
    by_day = data["by_day"]
    return html.Div([
        _summary(total),
        html.Div([html.Strong("OEE, as we compute it: "), OEE_DEFINITION,
                  " Downtime minutes are clipped to the selected days (a production day runs "
                  "from the first shift's start); an open breakdown counts up to now."],
                 className="small text-muted mb-3", id="downtime-oee-definition"),
        dbc.Row([
            dbc.Col(chart_card("Downtime by category", pareto, export="downtime-categories",
                               subtitle="Pareto · click a bar for its reasons"), lg=6),
            dbc.Col(chart_card("Reasons", html.Div(
                _reasons_view(data["reasons"], top) if top else empty_state(),
                id="downtime-drill"), export="downtime-reasons",
                subtitle="of the category picked in the Pareto"), lg=6),
        ], className="g-3 mb-3"),
        # wide grids get the whole width (nothing scrolls sideways at 1600 px); the chart
        # and the narrow machine grid share a row
        dbc.Row([
            dbc.Col(chart_card("Downtime by day", graph(af.stacked_by_day(
                by_day, "category", "downtime_min", y_title="minutes",
                order=list(cats["category"])), "downtime-daily-graph")
                if not by_day.empty else empty_state(), export="downtime-daily",
                subtitle="minutes stopped, by category"), lg=6),
            dbc.Col(chart_card("By machine", server_grid(
                "downtime-machines-grid", "downtime-machines", MACHINE_COLUMNS,
                len(data["machines"]), height=320, extra_fields=("type",)),
                               export="downtime-machines", excel=True,
                               subtitle="MTBF = (available − downtime) / breakdowns"), lg=6),
        ], className="g-3 mb-3"),
        html.Div(chart_card("By line", g.grid("downtime-lines-grid", data["lines"],
                                              LINE_COLUMNS, height=320),
                            export="downtime-lines", excel=True,
                            subtitle="availability × performance × quality = OEE"),
                 className="mb-3"),
        html.Div(chart_card("Down now", g.grid("downtime-open-grid", data["open"],
                                               OPEN_COLUMNS, height=240,
                                               extra_fields=("breakdown_id",))
                            if not data["open"].empty else
                            empty_state("No machine is down right now.",
                                        "Breakdowns still open appear here, flagged red."),
                            export="downtime-open", excel=True,
                            subtitle="breakdowns still open, whatever the dates"),
                 className="mb-3"),
        chart_card("Preventive maintenance", server_grid(
            "downtime-pm-grid", "downtime-pm", PM_COLUMNS, len(data["maintenance"]), height=360)
                   if not data["maintenance"].empty else
                   empty_state("No machines registered for these lines."),
                   export="downtime-pm", excel=True,
                   subtitle=f"due = last PM + interval · overdue before today "
                            f"({data['now']:%d %b}) · due soon within a week"),
    ])


def _reasons_view(reasons, category: str) -> html.Div:
    part = reasons[reasons["category"].isna() if category == NOT_GIVEN
                   else reasons["category"] == category]
    return html.Div([
        html.Div([html.Span("Category: ", className="text-muted"), html.Strong(category)],
                 id="downtime-drill-title", className="mb-1"),
        dcc.Graph(id="downtime-reasons-graph", figure=af.horizontal_bars(
            part, "reason", "downtime_min", unit=" min", color="#f59e0b"),
            config={"displayModeBar": False},
            style={"height": f"{max(160, 60 + 34 * len(part))}px"})
        if not part.empty else empty_state(),
    ])


register_content(PAGE, build)


@callback(
    Output("downtime-drill", "children"), Input("downtime-pareto-category", "clickData"),
    *FILTER_STATES, prevent_initial_call=True,
)
def drill(click, *filter_values):
    category = clicked_bar(click)
    if category is None:
        return html.Div("The “Other” bar sums the smaller categories; pick a named bar.",
                        className="text-muted")
    filters = filters_or_none(*filter_values)
    if filters is None:
        return no_update
    data = reports.downtime_view(current(), filters, request_user().scope)
    return _reasons_view(data["reasons"], category)

