"""Live refresh, shared by every page (SPEC section 11): one small component and one callback.

The page's tick asks the server for the live state (one read of the data version); only when it
moved does the page's store change, and the store is an input of the page's content callback, so
the content is rebuilt then and only then. Figures keep their `uirevision`, so zoom and legend
choices survive the rebuild; the filter bar lives outside the content and is never touched.
The tick is off while the window does not include today: a past week does not move.
"""
from __future__ import annotations

from dash import Input, Output, State, callback, dcc, html, no_update

from core.context import current
from reports.live import live_state


MIN_REFRESH_S = 2  # LIVE_REFRESH_S below this would only load the server


def ids(page_id: str) -> dict[str, str]:
    return {"tick": f"{page_id}-live-tick", "state": f"{page_id}-live-state",
            "as_of": f"{page_id}-as-of"}


def as_of_text(ctx) -> str:
    return f"as of {ctx.now():%H:%M}"


def live_refresh(page_id: str, live: bool) -> html.Div:
    """The tick, the state it compares with, and the "as of hh:mm" the page shows."""
    ctx, i = current(), ids(page_id)
    return html.Div([
        dcc.Interval(id=i["tick"], interval=max(ctx.settings.live_refresh_s, MIN_REFRESH_S) * 1000,
                     disabled=not live),
        dcc.Store(id=i["state"], data=live_state(ctx)),
        html.Span(as_of_text(ctx) if live else "", id=i["as_of"], className="as-of"),
    ], className="live-refresh ms-auto")


def register_poll(page_id: str) -> None:
    """The page's poll: a new state only when the data (or the hour) moved."""
    i = ids(page_id)

    @callback(
        Output(i["state"], "data"), Output(i["as_of"], "children", allow_duplicate=True),
        Input(i["tick"], "n_intervals"), State(i["state"], "data"),
        prevent_initial_call=True,
    )
    def poll(_n, shown):
        ctx = current()
        state = live_state(ctx)
        return (no_update if state == shown else state), as_of_text(ctx)

    poll.__name__ = f"poll_{page_id}"
