"""Overview (/): the plant head's page. KPI cards, the line league table, today's hours."""
from __future__ import annotations

from urllib.parse import quote

import dash
import dash_bootstrap_components as dbc
from dash import html

from components import figures, grid as g
from components.alert_strip import alert_strip
from components.cards import chart_card, empty_state, graph, kpi_strip
from components.page import page_layout, register_content
from reports import alerts as alert_reports
from reports.overview import overview_view
from reports.thresholds import thresholds

dash.register_page(__name__, path="/", name="Overview", title="Overview · FloorPulse", order=0)

PAGE = "overview"

LEAGUE_COLUMNS = [
    g.col("line", "Line", cellRenderer="markdown", pinned="left", minWidth=110),
    g.col("output", "Output", "int"),
    g.col("target", "Target", "int"),
    g.col("achievement_pct", "Achievement", "pct", **g.traffic("status")),
    g.col("efficiency_pct", "SMV efficiency", "pct", **g.traffic("efficiency_status")),
    g.col("wip", "WIP now", "int"),
]


def layout(**query):
    return page_layout(PAGE, "Overview", query,
                       subtitle="How the plant is doing in the selected period")


def build(ctx, filters, scope):
    data = overview_view(ctx, filters, scope)
    cards = kpi_strip(data["cards"], filters, here="/")
    league = data["league"]
    if league.empty:
        league_body = empty_state(hint="No production or plan in this period for these filters.")
    else:
        query = filters.with_lines(()).to_query()
        league = league.assign(line=[f"[{c}](/lines/{quote(c, safe='')}{query})"
                                     for c in league["line_code"]])
        league_body = g.grid("league-grid", league, LEAGUE_COLUMNS, height=52 + 43 * min(len(league), 12),
                             extra_fields=("status", "efficiency_status"))
    today = data["today"]
    if today.empty:
        today_body = empty_state(hint=f"Nothing produced or planned yet on "
                                      f"{data['today_date']:%a %d %b}.")
    else:
        today_body = graph(figures.output_vs_target(today), "today-graph", height=320)
    daily = data["daily"]
    daily_body = (graph(figures.daily_output_efficiency(daily, data["days_off"]), "daily-graph",
                        height=300)
                  if not daily.empty else empty_state())
    return html.Div([
        alert_strip(alert_reports.firing_alerts(ctx, filters.lines, scope), "overview-alerts"),
        cards,
        dbc.Row([
            dbc.Col(chart_card("Line league", league_body, export="overview-league", excel=True,
                               subtitle=f"achievement against target · "
                                        f"{thresholds(ctx).rule('achievement_pct').words()}"
                                        f" (a line's own where set on Admin)"), lg=7),
            dbc.Col(chart_card(f"Today · {data['today_date']:%a %d %b}", today_body,
                               export="overview-today", subtitle="output vs target by hour"), lg=5),
        ], className="g-3 mb-3"),
        chart_card("Output and efficiency by day", daily_body, export="overview-daily",
                   subtitle="output against target (grey), SMV efficiency on the right axis"),
    ])


register_content(PAGE, build)

