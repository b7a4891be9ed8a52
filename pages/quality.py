"""Quality (/quality): % defective, DHU, FPY and repairs; defect Paretos with a drill."""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html, no_update

from auth.gate import request_user
from components import analysis_figures as af, grid as g
from components.cards import chart_card, empty_state, fmt, graph, summary_strip
from components.figures import by_line_over_days, multiples_height
from components.drill import FILTER_STATES, clicked_bar, filters_or_none
from components.export import _to_csv, display_frame
from components.page import page_layout, register_content
from components.server_grid import server_grid
from reports import quality as reports
from core.context import current

dash.register_page(__name__, path="/quality", name="Quality", title="Quality · FloorPulse",
                   order=20)

PAGE = "quality"
DRILL_HINT = "Click a bar in either Pareto to list the defects behind it."

LINE_COLUMNS = [
    g.col("line_code", "Line", maxWidth=90, pinned="left"), g.col("checked", "Checked", "int"),
    g.col("defective", "Defective", "int"), g.col("defects", "Defects", "int"),
    g.col("defective_pct", "% defective", "pct"), g.col("dhu", "DHU", "dec", sort="desc", **g.traffic("dhu_status")),
    g.col("fpy_pct", "FPY", "pct"), g.col("repaired_pct", "Repaired", "pct"),
    g.col("open", "Open", "int"),
]
DEFECT_COLUMNS = [
    g.col("ts", "Found", minWidth=165, valueFormatter=af.TIMESTAMP,
          tooltipField="defect_id"), g.col("line_code", "Line", maxWidth=80),
    g.col("reason", "Reason", minWidth=130), g.col("operation", "Operation", minWidth=130),
    g.col("emp_code", "Operator", maxWidth=110), g.col("style_code", "Style", maxWidth=100),
    g.col("qty", "Qty", "int", maxWidth=80), g.col("repaired_ts", "Repaired", minWidth=165,
                                                 valueFormatter=af.TIMESTAMP),
]
OPEN_COLUMNS = [c for c in DEFECT_COLUMNS if c["field"] != "repaired_ts"]


def layout(**query):
    return page_layout(PAGE, "Quality", query,
                       subtitle="Defects found at end-of-line inspection, their causes and repairs")


def _summary(total) -> html.Div:
    return summary_strip([("Checked", fmt(total["checked"], 0, " pcs")),
                          ("% defective", fmt(total["defective_pct"], 1, " %")),
                          ("DHU", fmt(total["dhu"], 1)), ("FPY", fmt(total["fpy_pct"], 1, " %")),
                          ("Repaired", fmt(total["repaired_pct"], 1, " %")),
                          ("Open defects", fmt(total["open"], 0))], "quality-summary")


def _figure_or_empty(df, make, graph_id, height=320, hint=None):
    return graph(make(df), graph_id, height=height) if not df.empty else empty_state(hint=hint)


def _dhu_by_line(data):
    """(rows, figure maker) for DHU by line: by day, or by week over long windows."""
    if data["dhu_period"] == "day":
        return data["dhu_by_line"], lambda d: by_line_over_days(d, "dhu", y_title="DHU")
    return data["dhu_by_line"], lambda d: by_line_over_days(d, "dhu", y_title="DHU (by week)",
                                                            per="week")


def build(ctx, filters, scope):
    data = reports.quality_view(ctx, filters, scope)
    total = data["total"]
    if total["checked"] is None and not total["defects"]:
        return empty_state(hint="No end-of-line checks or defects for these lines in this "
                                "period.")
    reasons, operations = data["reasons"], data["operations"]
    return html.Div([
        _summary(total),
        dbc.Row([
            dbc.Col(chart_card("Quality by day", _figure_or_empty(
                data["by_day"], af.quality_by_day, "quality-daily-graph"), export="quality-daily",
                subtitle="DHU = defects / checked × 100 · FPY = (checked − defective) / checked"),
                lg=6),
            dbc.Col(chart_card("DHU by line", _figure_or_empty(
                *_dhu_by_line(data), "quality-line-graph",
                multiples_height(data["dhu_by_line"])),
                export="quality-line-day", subtitle="defects per hundred pieces checked"), lg=6),
        ], className="g-3 mb-3"),
        dbc.Row([
            dbc.Col(chart_card("Defects by reason", _figure_or_empty(
                reasons, lambda d: af.pareto(d, "reason", "defects", unit=" defects"),
                "quality-pareto-reason", 340), export="quality-reasons",
                subtitle="Pareto · click a bar for its defects"), lg=6),
            dbc.Col(chart_card("Defects by operation", _figure_or_empty(
                operations, lambda d: af.pareto(d, "operation", "defects", unit=" defects",
                                                color="#7c3aed"),
                "quality-pareto-operation", 340), export="quality-operations",
                subtitle="Pareto · click a bar for its defects"), lg=6),
        ], className="g-3 mb-3"),
        dbc.Card([dbc.CardHeader(html.Div([
            html.Span("Defects behind the bar", className="card-title-text"),
            html.Span([dbc.Button("CSV", id="quality-drill-csv", size="sm", color="light",
                                  className="export-btn ms-1", title="Download these defects"),
                       dcc.Download(id="quality-drill-download")])],
            className="d-flex justify-content-between align-items-center")),
            dbc.CardBody(html.Div(html.Div(DRILL_HINT, className="text-muted"),
                                  id="quality-drill"))], className="chart-card mb-3"),
        dcc.Store(id="quality-drill-selection"),
        dbc.Row([
            dbc.Col(chart_card("By line", g.grid("quality-lines-grid", data["by_line"],
                                                 LINE_COLUMNS, height=300,
                                                 extra_fields=("dhu_status",)),
                               export="quality-lines", excel=True), width=12),
            dbc.Col(chart_card("Open defects", server_grid("quality-open-grid", "quality-open",
                                                           OPEN_COLUMNS, len(data["open"]),
                                                           height=300,
                                                           extra_fields=("defect_id",))
                               if not data["open"].empty else
                               empty_state("No open defects.", "Every defect found in this "
                                           "period has been repaired."),
                               export="quality-open", excel=True,
                               subtitle="found and not yet repaired, newest first"), width=12),
        ], className="g-3"),
    ])


register_content(PAGE, build)


@callback(
    Output("quality-drill", "children"), Output("quality-drill-selection", "data"),
    Input("quality-pareto-reason", "clickData"), Input("quality-pareto-operation", "clickData"),
    *FILTER_STATES, prevent_initial_call=True,
)
def drill(reason_click, operation_click, *filter_values):
    by_reason = dash.ctx.triggered_id == "quality-pareto-reason"
    return drill_content("reason" if by_reason else "operation",
                         reason_click if by_reason else operation_click, *filter_values)


def drill_content(dimension: str, click, *filter_values):
    """(drill card content, selection) for a click on a bar of the `dimension` Pareto."""
    value = clicked_bar(click)
    if value is None:
        return html.Div("The “Other” bar sums the smaller causes; pick one of the named bars.",
                        className="text-muted"), None
    filters = filters_or_none(*filter_values)
    if filters is None:
        return no_update, no_update
    rows = reports.defect_drill(current(), filters, dimension, value, request_user().scope)
    return drill_view(dimension, value, rows), {"dimension": dimension, "value": value}


def drill_view(dimension: str, value: str, rows) -> html.Div:
    heading = html.Div([html.Span(f"{dimension.title()}: ", className="text-muted"),
                        html.Strong(value),
                        html.Span(f" · {int(rows['qty'].sum()) if not rows.empty else 0:,} "
                                  f"defects in {len(rows):,} records", className="text-muted")],
                       className="mb-2", id="quality-drill-title")
    body = (g.grid("quality-drill-grid", rows, DEFECT_COLUMNS, height=300,
                   extra_fields=("defect_id",)) if not rows.empty
            else empty_state())
    return html.Div([heading, body])


@callback(
    Output("quality-drill-download", "data"), Input("quality-drill-csv", "n_clicks"),
    State("quality-drill-selection", "data"),
    *FILTER_STATES, prevent_initial_call=True,
)
def download_drill(n_clicks, selection, *filter_values):
    filters = filters_or_none(*filter_values)
    if not n_clicks or not selection or filters is None:
        return no_update
    rows = reports.defect_drill(current(), filters, selection["dimension"], selection["value"],
                                request_user().scope)
    return {"content": _to_csv(display_frame(rows)), "type": "text/csv",
            "filename": f"floorpulse-quality-{selection['dimension']}-{filters.start}-"
                        f"{filters.end}.csv"}

