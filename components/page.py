"""The frame every analytics page shares: title, filter bar, alert, and a content callback.

A page supplies `build(ctx, filters, scope) -> children`; this module wires it to the filter bar,
turns a bad filter into a clear message that changes nothing, and logs errors we cause.
"""
from __future__ import annotations

import logging
from typing import Callable

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, dcc, html, no_update

from auth.gate import request_user
from components import ids, live, page_export
from components.filter_bar import filter_bar, filters_from_values, parse_page_query
from core.context import current
from core.filters import FilterError
from reports.live import is_live
from reports.production import filter_options, validate_filters, without_unknown_codes

log = logging.getLogger(__name__)


def page_layout(page_id: str, title, query: dict, *, subtitle: str = "",
                show_styles: bool = True, fixed_lines: tuple[str, ...] = ()) -> html.Div:
    """Layout for `layout(**query)`: the URL's filters seed the filter bar. `title` is text, or
    a function of the filters the page will show and the user's scope (after codes outside the user's lines are
    left out), so a title never names what the numbers below it are not."""
    ctx = current()
    filters, error = parse_page_query(query, ctx.today())
    if fixed_lines:  # /lines/<line_code>: the path's line wins over any line= in the query
        filters = filters.with_lines(fixed_lines)
    try:
        validate_filters(ctx, filters, request_user().scope)
    except FilterError as err:
        error = f"{err} It was left out of the selection."
        filters = without_unknown_codes(ctx, filters, request_user().scope)
    if callable(title):
        title = title(filters, request_user().scope)
    return html.Div([
        html.Div([html.H2(title, className="page-title", id=f"{page_id}-title"),
                  html.Div(subtitle, className="page-subtitle"),
                  live.live_refresh(page_id, is_live(filters, ctx.today())),
                  page_export.buttons(page_id)],
                 className="page-header"),
        filter_bar(filters, _scoped(filter_options(ctx), request_user().scope),
                   show_styles=show_styles),
        dbc.Alert(error, id=f"{page_id}-alert", color="warning", is_open=bool(error),
                  dismissable=True, className="mb-3"),
        dcc.Loading(html.Div(id=f"{page_id}-content", className="page-content"),
                    type="dot", delay_show=300),
    ], className="page", id=f"page-{page_id}")


def _scoped(options: dict, scope) -> dict:
    """A line manager is offered only their own lines."""
    if scope is None or options["lines"].empty:
        return options
    lines = options["lines"]
    return {**options, "lines": lines[lines["line_code"].isin(scope)]}


def render_content(page_id: str, build: Callable, values: tuple, *, first: bool):
    """(content, alert text, alert open) for the filter bar's values.

    A bad selection changes nothing: the last good view stays and the message says why. On the
    first render the layout's own message (a bad filter in the URL) is kept.
    """
    ctx = current()
    scope = request_user().scope
    try:
        filters = filters_from_values(*values, ctx.today())
        validate_filters(ctx, filters, scope)
    except FilterError as err:
        return no_update, f"{err}", True
    try:
        content = build(ctx, filters, scope)
    except Exception:
        log.exception("page %s failed for filters %s", page_id, filters)
        return (html.Div(), "Something went wrong on our side while building this page; "
                "it has been logged.", True)
    if first:
        return content, no_update, no_update
    return content, None, False


def live_outputs(values: tuple):
    """(tick disabled, "as of" text) for the filter bar's values: live while the window
    includes today; a bad selection changes nothing."""
    ctx = current()
    try:
        filters = filters_from_values(*values, ctx.today())
    except FilterError:
        return no_update, no_update
    on = is_live(filters, ctx.today())
    return not on, live.as_of_text(ctx) if on else ""


def register_content(page_id: str, build: Callable) -> Callable:
    """Register the callback that renders a page's content from the filter bar, and again when
    the live state moves (components/live.py)."""
    live_ids = live.ids(page_id)

    @callback(
        Output(f"{page_id}-content", "children"),
        Output(f"{page_id}-alert", "children"),
        Output(f"{page_id}-alert", "is_open"),
        *ids.FILTER_INPUTS,
        Input(live_ids["state"], "data"),
    )
    def render(start, end, lines, shifts, styles, _live_state):
        # a live rebuild leaves the alert as it is, like the first render
        first = dash.ctx.triggered_id in (None, live_ids["state"])
        return render_content(page_id, build, (start, end, lines, shifts, styles), first=first)

    @callback(
        Output(live_ids["tick"], "disabled"), Output(live_ids["as_of"], "children"),
        *ids.FILTER_INPUTS, prevent_initial_call=True,  # the layout set them for its filters
    )
    def live_status(start, end, lines, shifts, styles):
        return live_outputs((start, end, lines, shifts, styles))

    render.__name__ = f"render_{page_id}"
    live_status.__name__ = f"live_status_{page_id}"
    live.register_poll(page_id)
    return render
