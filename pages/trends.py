"""Trends (/trends): trends over the date filter's window (90 days by default) of every registered series, week over week, line
against line, and reported productivity from the daily line reports."""
from __future__ import annotations

from datetime import timedelta

import dash
import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import Input, Output, callback, dcc, html, no_update

from auth.gate import request_user
from components import analysis_figures as af, grid as g
from components.cards import chart_card, empty_state, fmt, graph
from components.drill import FILTER_STATES, filters_or_none
from components.figures import (COLORS, _time_axis, base_layout, multiples_height,
                                small_multiples)
from components.page import page_layout, register_content
from reports import trends as reports
from core.context import current

dash.register_page(__name__, path="/trends", name="Trends", title="Trends · FloorPulse",
                   order=70)

PAGE = "trends"
DEFAULT_DAYS = reports.VIEW.default_days  # trends read over months, not a week
SERIES_COLORS = [COLORS["output"], COLORS["good"], COLORS["bad"], COLORS["target"],
                 COLORS["wip"], "#0891b2", "#db2777", "#65a30d"]


def layout(**query):
    if not query.get("start") and not query.get("end"):  # trends read over months, not a week
        today = current().today()
        query = {**query, "start": (today - timedelta(days=DEFAULT_DAYS)).isoformat(),
                 "end": (today - timedelta(days=1)).isoformat()}
    return page_layout(PAGE, "Trends", query,
                       subtitle="How the plant moves over weeks and months, line against line")


def _digits(unit: str) -> int:
    return 0 if unit.strip() in ("pcs", "min") else 1


def _card(c: dict) -> dbc.Card:
    change = c["change"]
    if change is None:
        delta = html.Span("no earlier week to compare", className="kpi-delta text-muted")
    else:
        good = (change >= 0) == (c["better"] == "up")
        unit = "pts" if c["unit"].strip() == "%" else "%"
        delta = html.Span(f"{'▲' if change >= 0 else '▼'} {abs(change):.1f} {unit} vs the 7 "
                          f"days before", className=f"kpi-delta "
                          f"{'text-success' if good else 'text-danger'}")
    return dbc.Card(dbc.CardBody([
        html.Div(f"{c['label']} · last 7 days", className="kpi-label"),
        html.Div(fmt(c["value"], _digits(c["unit"]), c["unit"]), className="kpi-value",
                 id=f"trend-card-{c['key']}"),
        delta]), className="kpi-card h-100")


def _weekly_columns(series: list[dict]) -> list[dict]:
    cols = [g.col("week", "Week of", minWidth=110, pinned="left", sort="desc"),
            g.col("days", "Days", "int", maxWidth=90,
                  headerTooltip="days of the week in the window: a partial week has no change",
                  cellClassRules={"text-muted": "params.value < 7"})]
    for s in series:
        cols.append(g.col(s["key"], s["label"], _kind(s["unit"])))
        pts = s["unit"].strip() == "%"
        cols.append(g.col(f"{s['key']}_change", "Δ pts" if pts else "Δ %", "dec1",
                          headerTooltip=f"{s['label']}: change against the week before",
                          cellClassRules=_change_rules(s["better"]), maxWidth=100))
    return cols


def _change_rules(better: str) -> dict:
    up, down = ("cell-green", "cell-red") if better == "up" else ("cell-red", "cell-green")
    return {up: "params.value > 0", down: "params.value < 0"}


def _line_columns(series: list[dict]) -> list[dict]:
    return [g.col("line_code", "Line", maxWidth=90, pinned="left")] + [
        g.col(s["key"], s["label"], _kind(s["unit"]), minWidth=110) for s in series]


def _kind(unit: str) -> str:
    """A series' grid format: whole pieces and minutes, per cent with its sign, else 1 decimal."""
    if _digits(unit) == 0:
        return "int"
    return "pct" if unit.strip() == "%" else "dec1"


def build(ctx, filters, scope):
    data = reports.trends(ctx, filters, scope)
    series, daily = data["series"], data["daily"]
    has_data = any(daily[s["key"]].notna().any() for s in series)
    if not has_data:
        return html.Div([empty_state(
            hint="No production, checks, downtime or line reports for these lines in this "
                 "period.")])
    reported = data["reported"]
    charts = []
    for i, s in enumerate(series):
        color = SERIES_COLORS[i % len(SERIES_COLORS)]
        if s["key"] == reports.REPORTED:
            fig = _reported(reported) if not reported.empty else None
            subtitle = "Σ productivity × operators / Σ operators, from daily line reports"
        else:
            fig = (af.trend(daily, s["key"], label=s["label"], unit=s["unit"], color=color)
                   if daily[s["key"]].notna().any() else None)
            subtitle = "daily (light) and the trailing 7 days (bold)"
        body = graph(fig, f"trend-{s['key']}", height=260) if fig is not None else empty_state()
        charts.append(dbc.Col(chart_card(s["label"], body, export=f"{PAGE}-series-{s['key']}",
                                         subtitle=subtitle), lg=6))
    options = [{"label": s["label"], "value": s["key"]} for s in series]
    compare_height = multiples_height(data["line_periods"], 300, "period")
    return html.Div([
        html.Div([_card(c) for c in data["cards"]], className="kpi-strip kpi-many"),
        dbc.Row(charts, className="g-3 mb-3"),
        chart_card("Week over week", g.grid("trends-weekly-grid", data["weekly"],
                                            _weekly_columns(series), height=320),
                   export=f"{PAGE}-weekly", excel=True,
                   subtitle="each week's value and its change against the week before; weeks "
                            "start on Monday, and a partial week (fewer than 7 days in the "
                            "window) shows no change"),
        html.Div(className="mb-3"),
        dbc.Row([
            # the grid of every series takes the whole width: nothing scrolls sideways
            dbc.Col(chart_card("Lines over the window", g.grid(
                "trends-lines-grid", data["lines"], _line_columns(series), height=340),
                export=f"{PAGE}-lines", excel=True), width=12),
            dbc.Col(chart_card("Line comparison", html.Div([
                dcc.RadioItems(id="trends-compare-metric", options=options,
                               value=series[0]["key"], inline=True,
                               inputClassName="me-1", labelClassName="me-3 small"),
                dcc.Graph(id="trends-compare-graph", figure=_compare(data, series[0]),
                          config={"displaylogo": False},
                          style={"height": f"{compare_height}px"}),
            ]), export=f"{PAGE}-line-periods",
                subtitle=f"by {data['line_period']} · pick a series"), width=12),
        ], className="g-3"),
    ])


def _reported(rows) -> go.Figure:
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=rows["date"], y=rows["actual_productivity_pct"],
                             name="actual", mode="lines+markers",
                             line=dict(color=COLORS["output"], width=2), marker=dict(size=4),
                             hovertemplate="actual %{y:.1f} %<extra></extra>"))
    fig.add_trace(go.Scatter(x=rows["date"], y=rows["target_productivity_pct"],
                             name="target", mode="lines",
                             line=dict(color=COLORS["target"], width=2, dash="dash"),
                             hovertemplate="target %{y:.1f} %<extra></extra>"))
    return _time_axis(base_layout(fig, y_title="productivity %"), "day")


def _compare(data: dict, s: dict) -> go.Figure:
    """The chosen series by line and period: one small chart a line, shared axes."""
    lp, per = data["line_periods"], data["line_period"]
    if lp.empty:
        return base_layout(go.Figure(), y_title=f"{s['label']} per {per}")
    digits = _digits(s["unit"])
    return small_multiples(lp, s["key"], x="period", y_title=f"{s['label']} per {per}",
                           fmt=f",.{digits}f", suffix=s["unit"] if s["unit"].strip() == "%"
                           else "", per=per)


register_content(PAGE, build)


@callback(Output("trends-compare-graph", "figure"), Input("trends-compare-metric", "value"),
          *FILTER_STATES, prevent_initial_call=True)
def compare(key, *filter_values):
    filters = filters_or_none(*filter_values)
    if filters is None or not key:
        return no_update
    data = reports.trends(current(), filters, request_user().scope)
    chosen = next((s for s in data["series"] if s["key"] == key), None)
    return _compare(data, chosen) if chosen else no_update

