"""Lines (/lines, /lines/<line_code>): the line manager's page."""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from components import figures, grid as g
from components.alert_strip import alert_strip
from components.server_grid import server_grid
from components.cards import chart_card, empty_state, fmt, graph, summary_strip
from components.page import page_layout, register_content
from reports import alerts as alert_reports
from reports import lines as reports

dash.register_page(__name__, path="/lines", name="Lines", title="Lines · FloorPulse", order=10)

PAGE = "lines"

STYLE_COLUMNS = [
    g.col("line_code", "Line", maxWidth=90), g.col("style_code", "Style", minWidth=110,
                                                   tooltipField="description"),
    g.col("smv", "SMV", "dec", maxWidth=90), g.col("days", "Days", "int", maxWidth=90),
    g.col("last_day", "Last run", minWidth=110), g.col("output", "Output", "int"),
]
OPERATOR_COLUMNS = [
    g.col("name", "Operator", minWidth=150, tooltipField="emp_code"),
    g.col("line_code", "Line", maxWidth=80),
    g.col("main_operation", "Main operation", minWidth=130, tooltipField="operations"),
    g.col("qty", "Pieces", "int"), g.col("minutes_worked", "Minutes", "int"),
    g.col("efficiency_pct", "Efficiency", "pct", sort="desc"),
]


def layout(line_code: str | None = None, **query):
    fixed = (line_code,) if line_code else ()
    return page_layout(PAGE, title, query, fixed_lines=fixed,
                       subtitle="Hourly output against target, efficiency and WIP")


def title(filters, scope) -> str:
    """"Line L02" only when L02's are the numbers shown: a line outside the user's lines (or
    unknown) is left out of the filters (the alert says so), and the title names the line the
    page does show — the manager's own when she has one — or just "Lines"."""
    shown = filters.lines or (tuple(scope) if scope is not None else ())
    if len(shown) == 1:
        return f"Line {shown[0]}"
    return "Lines"


def _summary(total) -> html.Div:
    return summary_strip([("Output", fmt(total["output"], 0, " pcs")),
                          ("Target", fmt(total["target"], 0, " pcs")),
                          ("Achievement", fmt(total["achievement_pct"], 1, " %")),
                          ("SMV efficiency", fmt(total["efficiency_pct"], 1, " %"))],
                         "lines-summary")


def build(ctx, filters, scope):
    data = reports.lines_view(ctx, filters, scope)
    # what fires on these lines now, whatever the window: the line manager acts on it today
    alerts = alert_strip(alert_reports.firing_alerts(ctx, filters.lines, scope), "lines-alerts")
    if data["hourly"].empty and data["by_day"].empty:
        return html.Div([alerts, empty_state(
            hint="No production or plan for these lines in this period.")])
    series, per, efficiency, period = (data["series"], data["per"], data["efficiency"],
                                       data["period"])
    x = "slot" if per == "hour" else "date"
    weekly = period == "week"

    def card(title, fig_or_none, name, subtitle=None, graph_id=None, height=320):
        body = (graph(fig_or_none, graph_id, height=height) if fig_or_none is not None
                else empty_state())
        return chart_card(title, body, export=f"{PAGE}-{name}", subtitle=subtitle)

    return html.Div([
        alerts,
        _summary(data["total"]),
        dcc.Link("Line balance and changeover learning →", id="lines-engineering-link",
               href=f"/engineering{filters.to_query()}", className="small d-inline-block mb-3"),
        dbc.Row([
            dbc.Col(card(f"Output vs target by {per}",
                         figures.output_vs_target(series, x=x, days_off=data["days_off"]
                                                  if per == "day" else ())
                         if not series.empty else None,
                         "output", f"green bars met the {per}'s target", "hourly-graph"), lg=6),
            dbc.Col(card("Cumulative output",
                         figures.output_vs_target(series, cumulative=True, x=x)
                         if not series.empty else None, "cumulative", "against the plan",
                         "cumulative-graph"), lg=6),
        ], className="g-3 mb-3"),
        dbc.Row([
            dbc.Col(card(f"SMV efficiency by {period}",
                         figures.efficiency_by_day(efficiency, weekly=weekly,
                                                   days_off=data["days_off"],
                                                   changeovers=data["changeovers"])
                         if not efficiency.empty else None,
                         "efficiency", "earned / available minutes · dashed: the plan's "
                         "efficiency (target) · ↻ style changeover", "efficiency-graph",
                         figures.multiples_height(efficiency)), lg=6),
            dbc.Col(card("WIP over time",
                         figures.wip_over_time(data["wip"]) if not data["wip"].empty else None,
                         "wip", "pieces loaded but not yet out of the line", "wip-graph",
                         figures.multiples_height(data["wip"], x="slot")), lg=6),
        ], className="g-3 mb-3"),
        dbc.Row([
            dbc.Col(chart_card("Styles run", g.grid("styles-grid", data["styles"], STYLE_COLUMNS,
                                                    height=300, extra_fields=("description",)),
                               export=f"{PAGE}-styles", excel=True), lg=6),
            dbc.Col(chart_card("Operators", server_grid("operators-grid", f"{PAGE}-operators",
                                                        OPERATOR_COLUMNS, len(data["operators"]),
                                                        height=300, extra_fields=("emp_code",)),
                               export=f"{PAGE}-operators", excel=True, subtitle="Σ pieces × SMV / Σ minutes"), lg=6),
        ], className="g-3"),
    ])


register_content(PAGE, build)

# The drill from the overview's league table: the same page fixed on one line.
dash.register_page("pages.line_detail", path_template="/lines/<line_code>", name="Line",
                   title="Line · FloorPulse", order=11, layout=layout, nav=False)
