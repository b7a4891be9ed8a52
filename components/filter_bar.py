"""The global filter bar: date range, lines, shifts, styles, kept in the URL query string.

Pages build it from their `layout(**query)` arguments, so a link reproduces the view; a clientside
callback writes every change back to the URL (history.replaceState, no reload) and to the nav links,
so moving between pages keeps the selection.
"""
from __future__ import annotations

from datetime import date, timedelta

import dash_bootstrap_components as dbc
import dash
from dash import ALL, Input, Output, State, dcc, no_update

from components import ids
from core.context import current
from core.filters import FilterError, Filters


def parse_page_query(query: dict, today: date) -> tuple[Filters, str | None]:
    """Filters from a page's URL query; a bad filter is reported and replaced by the default."""
    try:
        return Filters.from_query(query, today), None
    except FilterError as err:
        return Filters.default(today), f"{err} Showing the last 7 complete days instead."


def filters_from_values(start, end, lines, shifts, styles, today: date) -> Filters:
    """Filters from the filter bar's current values (raises FilterError)."""
    query = {"start": (start or "")[:10], "end": (end or "")[:10], "line": lines or [],
             "shift": shifts or [], "style": styles or []}
    return Filters.from_query(query, today)


def _options(frame, code_col, label_col=None):
    if frame is None or frame.empty:
        return []
    out = []
    for row in frame.itertuples(index=False):
        code = getattr(row, code_col)
        label = getattr(row, label_col, None) if label_col else None
        out.append({"label": f"{code} · {label}" if label and label != code else code,
                    "value": code})
    return out


QUICK_RANGES = [("today", "Today"), ("yesterday", "Yesterday"), ("7", "7 days"),
                ("30", "30 days"), ("90", "90 days")]


def quick_range(key: str, today: date) -> tuple[date, date]:
    """Start and end of a quick range: today, yesterday, or the last N complete days."""
    if key == "today":
        return today, today
    if key == "yesterday":
        return today - timedelta(days=1), today - timedelta(days=1)
    days = int(key)
    return today - timedelta(days=days), today - timedelta(days=1)


def filter_bar(filters: Filters, options: dict, *, show_styles: bool = True) -> dbc.Card:
    styles_col = dbc.Col(
        dcc.Dropdown(id=ids.STYLES, options=_options(options.get("styles"), "style_code",
                                                     "description"),
                     value=list(filters.styles), multi=True, placeholder="All styles"),
        md=True, className="" if show_styles else "d-none")
    return dbc.Card(dbc.CardBody(dbc.Row([
        dbc.Col(dcc.DatePickerRange(
            id=ids.DATES, start_date=filters.start.isoformat(), end_date=filters.end.isoformat(),
            display_format="YYYY-MM-DD", first_day_of_week=6, minimum_nights=0,
            updatemode="bothdates"), md="auto"),
        dbc.Col(dbc.ButtonGroup([
            dbc.Button(label, id={"type": ids.QUICK_RANGE, "range": key}, size="sm",
                       color="light", className="quick-range")
            for key, label in QUICK_RANGES], size="sm"), md="auto"),
        dbc.Col(dcc.Dropdown(id=ids.LINES, options=_options(options.get("lines"), "line_code",
                                                            "name"),
                             value=list(filters.lines), multi=True, placeholder="All lines"),
                md=True),
        dbc.Col(dcc.Dropdown(id=ids.SHIFTS, options=_options(options.get("shifts"), "shift_code",
                                                             "name"),
                             value=list(filters.shifts), multi=True, placeholder="All shifts"),
                md=2),
        styles_col,
    ], className="g-2 align-items-center")), className="filter-bar mb-3")


# Writes the filters to the URL and to the nav links; runs in the browser, no round trip.
URL_SYNC_JS = (
    """
    function(start, end, lines, shifts, styles, navIds) {
        const p = new URLSearchParams();
        if (start) p.append("start", start.slice(0, 10));
        if (end) p.append("end", end.slice(0, 10));
        (lines || []).forEach(v => p.append("line", v));
        (shifts || []).forEach(v => p.append("shift", v));
        (styles || []).forEach(v => p.append("style", v));
        const qs = "?" + p.toString();
        let path = window.location.pathname;
        // /lines/<code> names one line; once the selection is something else, say so in the URL
        const m = path.match(/^\/lines\/([^/]+)$/);
        if (m && !((lines || []).length === 1 && lines[0] === decodeURIComponent(m[1]))) {
            path = "/lines";
        }
        if (window.location.pathname !== path || window.location.search !== qs) {
            window.history.replaceState(null, "", path + qs);
        }
        return navIds.map(id => id.path + qs);
    }
    """
)


def register_callbacks(app) -> None:
    @app.callback(
        Output(ids.DATES, "start_date"), Output(ids.DATES, "end_date"),
        Input({"type": ids.QUICK_RANGE, "range": ALL}, "n_clicks"),
        prevent_initial_call=True,
    )
    def apply_quick_range(_clicks):
        trigger = dash.ctx.triggered_id
        if not trigger or not any(_clicks):
            return no_update, no_update
        start, end = quick_range(trigger["range"], current().today())
        return start.isoformat(), end.isoformat()

    app.clientside_callback(
        URL_SYNC_JS,
        Output({"type": ids.NAV, "path": ALL}, "href"),
        *ids.FILTER_INPUTS,
        State({"type": ids.NAV, "path": ALL}, "id"),
    )
