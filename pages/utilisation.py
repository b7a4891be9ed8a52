"""Utilisation (/utilisation): camera events as worker and station utilisation (SPEC section 6)."""
from __future__ import annotations

from datetime import date

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html, no_update

from auth.gate import request_user
from components import grid as g, ids, utilisation_figures as figures
from components.cards import chart_card, empty_state, fmt, graph, summary_strip
from components.filter_bar import filters_from_values
from components.figures import multiples_height
from components.page import page_layout, register_content
from components.server_grid import server_grid
from reports import utilisation as reports
from reports.thresholds import thresholds
from core.context import current
from core.filters import FilterError

dash.register_page(__name__, path="/utilisation", name="Utilisation",
                   title="Utilisation · FloorPulse", order=50)

PAGE = "utilisation"
DAY_PICKER = "utilisation-day"
TIMELINE_GRAPH = "utilisation-timeline-graph"

MINUTES = dict(minWidth=95)
WORKER_COLUMNS = [
    g.col("name", "Worker", minWidth=150, tooltipField="emp_code", pinned="left"),
    g.col("line_code", "Line", maxWidth=80),
    g.col("working_min", "Working", "int", **MINUTES), g.col("idle_min", "Idle", "int", **MINUTES),
    g.col("absent_min", "Absent", "int", **MINUTES), g.col("units", "Units", "int", **MINUTES),
    g.col("utilisation_pct", "Utilisation", "pct", sort="asc", minWidth=115),
    g.col("units_per_hour", "Units / h", "dec", **MINUTES),
]
STATION_COLUMNS = [
    g.col("station_code", "Station", minWidth=115, tooltipField="type", pinned="left"),
    g.col("occupancy_min", "Occupied", "int", **MINUTES),
    g.col("working_min", "Working", "int", **MINUTES), g.col("units", "Units", "int", **MINUTES),
    g.col("utilisation_pct", "Utilisation", "pct", sort="asc", minWidth=115),
    g.col("throughput_per_hour", "Units / h", "dec", **MINUTES),
]


def layout(**query):
    return page_layout(PAGE, "Utilisation", query, show_styles=False,
                       subtitle="Camera events: how much of the time seen at a station is work")


def _summary(total) -> html.Div:
    items = [("Utilisation", fmt(total["utilisation_pct"], 1, " %")),
             ("Working", fmt(total["working_h"], 1, " h")),
             ("Idle", fmt(total["idle_h"], 1, " h")),
             ("Absent", fmt(total["absent_h"], 1, " h")),
             ("Units", fmt(total["units"], 0)),
             ("Units per working hour", fmt(total["units_per_hour"], 1))]
    return summary_strip(items, "utilisation-summary",
                         value_ids={k: f"utilisation-{k.split()[0].lower()}" for k, _v in items})


def timeline_body(ctx, day: date, filters, scope):
    return _timeline_figure(reports.timeline(ctx, day, filters, scope))


def _timeline_figure(data):
    segments = data["segments"]
    if segments.empty:
        return empty_state(hint=f"No camera events on {data['day']:%a %d %b}.")
    height = 70 + 26 * data["shown"]
    return graph(figures.timeline(segments), TIMELINE_GRAPH, height=height)


def _timeline_card(data) -> dbc.Card:
    days, shown = data["days"], data["timeline_meta"]
    day = days[-1]
    picker = dcc.Dropdown(id=DAY_PICKER, options=[{"label": f"{d:%a %d %b %Y}",
                                                   "value": d.isoformat()} for d in days[::-1]],
                          value=day.isoformat(), clearable=False,
                          style={"minWidth": "190px"})
    note = (f"first {shown['shown']} of {shown['workers']} workers"
            if shown["workers"] > shown["shown"] else "working · idle · absent · no data")
    body = html.Div([html.Div([html.Span("Day", className="summary-key"), picker],
                              className="d-flex align-items-center gap-2 mb-2"),
                     html.Div(_timeline_figure(shown), id="utilisation-timeline")])
    return chart_card("State timeline per worker", body, export=f"{PAGE}-timeline",
                      subtitle=note)


def build(ctx, filters, scope):
    data = reports.utilisation_view(ctx, filters, scope)
    watched = reports.camera_lines(ctx)
    cameras = html.Div(f"Only lines with camera stations have utilisation figures: "
                       f"{', '.join(watched) if watched else 'none yet'}.",
                       className="text-muted small mb-2", id="utilisation-cameras")
    if data["workers"].empty and data["stations"].empty:
        note = reports.cameras_note(ctx, filters, scope)
        return html.Div([cameras, empty_state(
            hint=(note[0].upper() + note[1:] + ".") if note
            else "No camera events for these lines in this period.")])
    daily, per = data["chart"], data["per"]

    def card(title, fig, name, subtitle, graph_id, height=320):
        body = graph(fig, graph_id, height=height) if fig is not None else empty_state()
        return chart_card(title, body, export=f"{PAGE}-{name}", subtitle=subtitle)

    lw, ls = data["lowest_workers"], data["lowest_stations"]
    low_height = 80 + 28 * max(len(lw), len(ls), 3)
    plant = data["total"]["utilisation_pct"]
    rule = thresholds(ctx).for_lines("utilisation_pct", filters.lines)
    return html.Div([
        _summary(data["total"]), cameras,
        dbc.Row([
            dbc.Col(card(f"Utilisation by {per}", figures.by_day(daily, "utilisation_pct",
                                                                "utilisation %", " %", 1, per),
                         "daily", "working / (working + idle), by line", "utilisation-daily-graph",
                         multiples_height(daily)),
                    lg=6),
            dbc.Col(card("Units per working hour", figures.by_day(daily, "units_per_hour",
                                                                  "units per working hour", "", 1,
                                                                  per),
                         "units", "units counted / hours working, by line", "units-graph",
                         multiples_height(daily)), lg=6),
        ], className="g-3 mb-3"),
        html.Div(_timeline_card(data), className="mb-3"),
        dbc.Row([
            dbc.Col(card("Lowest-utilisation workers",
                         figures.lowest(lw, "label", plant, rule) if not lw.empty else None,
                         "lowest-workers",
                         f"the {reports.LOWEST_N} lowest seen ≥ {reports.LOWEST_MIN_MINUTES} min"
                         f" · dashed: plant {fmt(plant, 1, ' %')} · {rule.words()}",
                         "lowest-workers-graph", low_height), lg=6),
            dbc.Col(card("Lowest-utilisation stations",
                         figures.lowest(ls, "station_code", plant, rule) if not ls.empty else None,
                         "lowest-stations",
                         f"the {reports.LOWEST_N} lowest occupied ≥ "
                         f"{reports.LOWEST_MIN_MINUTES} min · dashed: plant {fmt(plant, 1, ' %')} · "
                         f"{rule.words()}",
                         "lowest-stations-graph",
                         low_height), lg=6),
        ], className="g-3 mb-3"),
        dbc.Row([
            dbc.Col(chart_card("Workers", server_grid(
                "utilisation-workers-grid", f"{PAGE}-workers", WORKER_COLUMNS,
                len(data["workers"]), height=380, extra_fields=("emp_code",)),
                               export=f"{PAGE}-workers", excel=True,
                               subtitle="minutes; lowest utilisation first"), width=12),
            dbc.Col(chart_card("Stations", server_grid(
                "utilisation-stations-grid", f"{PAGE}-stations", STATION_COLUMNS,
                len(data["stations"]), height=380, extra_fields=("type",)),
                               export=f"{PAGE}-stations", excel=True,
                               subtitle="minutes; occupied = working + idle"), width=12),
        ], className="g-3"),
    ])


register_content(PAGE, build)


@callback(Output("utilisation-timeline", "children"), Input(DAY_PICKER, "value"),
          *[State(i.component_id, i.component_property) for i in ids.FILTER_INPUTS],
          prevent_initial_call=True)
def choose_day(day, start, end, lines, shifts, styles):
    """Another day's timeline (the page's build draws the last day with data)."""
    ctx = current()
    try:
        filters = filters_from_values(start, end, lines, shifts, styles, ctx.today())
        chosen = date.fromisoformat(day)
    except (FilterError, TypeError, ValueError):
        return no_update
    return timeline_body(ctx, chosen, filters, request_user().scope)

