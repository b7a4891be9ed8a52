"""Lines (/lines, /lines/<line_code>): the line manager's page."""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import html

from components import figures, grid as g
from components.cards import chart_card, empty_state, fmt, graph
from components.export import register_export
from components.page import page_layout, register_content
from reports import production as reports

dash.register_page(__name__, path="/lines", name="Lines", title="Lines · FloorPulse", order=1)

PAGE = "lines"

STYLE_COLUMNS = [
    g.col("line_code", "Line"), g.col("style_code", "Style"), g.col("description", "Description"),
    g.col("smv", "SMV", "dec"), g.col("days", "Days", "int"), g.col("first_day", "First day"),
    g.col("last_day", "Last day"), g.col("output", "Output", "int"),
]
OPERATOR_COLUMNS = [
    g.col("emp_code", "Employee"), g.col("name", "Name"), g.col("line_code", "Line"),
    g.col("operation", "Operation"), g.col("days", "Days", "int"), g.col("qty", "Pieces", "int"),
    g.col("minutes_worked", "Minutes", "int"), g.col("efficiency_pct", "Efficiency", "pct"),
]


def layout(line_code: str | None = None, **query):
    fixed = (line_code,) if line_code else ()
    title = f"Line {line_code}" if line_code else "Lines"
    return page_layout(PAGE, title, query, fixed_lines=fixed,
                       subtitle="Hourly output against target, efficiency and WIP")


def _summary(total) -> html.Div:
    items = [("Output", fmt(total["output"], 0, " pcs")),
             ("Target", fmt(total["target"], 0, " pcs")),
             ("Achievement", fmt(total["achievement_pct"], 1, " %")),
             ("SMV efficiency", fmt(total["efficiency_pct"], 1, " %"))]
    return html.Div([html.Span([html.Span(k, className="summary-key"),
                                html.Span(v, className="summary-value")], className="summary-item")
                     for k, v in items], className="summary-strip mb-3", id="lines-summary")


def build(ctx, filters, scope):
    data = reports.line_detail(ctx, filters, scope)
    hourly = data["hourly"]
    if hourly.empty and data["by_day"].empty:
        return empty_state(hint="No production or plan for these lines in this period.")

    def card(title, fig_or_none, name, subtitle=None, graph_id=None):
        body = graph(fig_or_none, graph_id) if fig_or_none is not None else empty_state()
        return chart_card(title, body, export=f"{PAGE}-{name}", subtitle=subtitle)

    return html.Div([
        _summary(data["total"]),
        dbc.Row([
            dbc.Col(card("Output vs target by hour",
                         figures.output_vs_target(hourly) if not hourly.empty else None,
                         "hourly", "green bars met the hour's target", "hourly-graph"), lg=6),
            dbc.Col(card("Cumulative output",
                         figures.output_vs_target(hourly, cumulative=True)
                         if not hourly.empty else None, "cumulative", None,
                         "cumulative-graph"), lg=6),
        ], className="g-3 mb-3"),
        dbc.Row([
            dbc.Col(card("SMV efficiency by day",
                         figures.efficiency_by_day(data["by_day"])
                         if not data["by_day"].empty else None,
                         "efficiency", "earned minutes / available minutes", "efficiency-graph"),
                    lg=6),
            dbc.Col(card("WIP over time",
                         figures.wip_over_time(data["wip"]) if not data["wip"].empty else None,
                         "wip", "pieces loaded but not yet out of the line", "wip-graph"), lg=6),
        ], className="g-3 mb-3"),
        dbc.Row([
            dbc.Col(chart_card("Styles run", g.grid("styles-grid", data["styles"], STYLE_COLUMNS,
                                                    height=300), export=f"{PAGE}-styles"), lg=5),
            dbc.Col(chart_card("Operators", g.grid("operators-grid", data["operators"],
                                                   OPERATOR_COLUMNS, height=300),
                               export=f"{PAGE}-operators", subtitle="Σ pieces × SMV / Σ minutes"), lg=7),
        ], className="g-3"),
    ])


register_content(PAGE, build)

# The drill from the overview's league table: the same page fixed on one line.
dash.register_page("pages.line_detail", path_template="/lines/<line_code>", name="Line",
                   title="Line · FloorPulse", order=2, layout=layout)

for _name, _key in (("hourly", "hourly"), ("cumulative", "hourly"), ("efficiency", "by_day"),
                    ("wip", "wip"), ("styles", "styles"), ("operators", "operators")):
    register_export(f"{PAGE}-{_name}")(lambda ctx, f, s, _key=_key: reports.line_detail(ctx, f, s)[_key])
