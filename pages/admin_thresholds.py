"""The Admin page's traffic-light section: the green / amber thresholds of achievement,
efficiency, DHU, attendance and utilisation, for the plant and per line.

pages/admin.py puts the section in its layout and calls `register()`; every id starts with
"admin-", so the gate refuses these callbacks to anyone but admins.
"""
from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, ctx as dash_ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from auth.gate import request_user
from components import grid as g
from core.context import current
from metrics.thresholds import MEASURES, ThresholdError
from reports import thresholds as reports

P = "admin-"
COLUMNS = [
    g.col("label", "Measure", minWidth=150), g.col("scope", "Applies to", minWidth=130),
    g.col("better", "Better", maxWidth=90), g.col("green_at", "Green at", "dec", maxWidth=110),
    g.col("amber_at", "Amber at", "dec", maxWidth=110), g.col("words", "Colours", minWidth=260),
]


def _admin() -> str:
    user = request_user()
    if user is None or user.role != "admin":
        raise PreventUpdate
    return user.username


def _message(text, ok=True):
    return dbc.Alert(text, color="success" if ok else "warning", className="py-2 mb-0",
                     dismissable=True, id=f"{P}threshold-alert")


def section(make_section, line_options):
    """The section's card (`make_section` is admin.py's card maker)."""
    def field(label, control, width):
        return dbc.Col([dbc.Label(label, className="small mb-1"), control], md=width)
    return make_section("Traffic lights", [
        g.grid(f"{P}thresholds-grid", pd.DataFrame(), COLUMNS, height=300,
               rowSelection={"mode": "singleRow", "checkboxes": False,
                             "enableClickSelection": True}),
        dbc.Row([
            field("Measure", dcc.Dropdown(id=f"{P}threshold-measure", clearable=False,
                                          value="achievement_pct",
                                          options=[{"label": m.label, "value": k}
                                                   for k, m in MEASURES.items()]), 3),
            field("Line (none = the plant)", dcc.Dropdown(id=f"{P}threshold-line",
                                                          options=line_options), 2),
            field("Green at", dbc.Input(id=f"{P}threshold-green", type="text",
                                        inputMode="decimal", placeholder="e.g. 100"), 2),
            field("Amber at", dbc.Input(id=f"{P}threshold-amber", type="text",
                                        inputMode="decimal", placeholder="e.g. 90"), 2),
            dbc.Col([dbc.Button("Save", id=f"{P}threshold-save", color="primary", size="sm",
                                className="me-1"),
                     dbc.Button("Clear selected", id=f"{P}threshold-clear", color="secondary",
                                outline=True, size="sm")],
                    md=3, className="d-flex align-items-end gap-1"),
        ], className="g-2 mt-2"),
        html.Div("Higher is better for all but DHU: green at or above 'green at', amber at or "
                 "above 'amber at', red below (for DHU: at or below). A line's own thresholds "
                 "override the plant's on that line's figures; clearing them falls back.",
                 className="small text-muted mt-2"),
        html.Div(id=f"{P}threshold-message", className="mt-2"),
    ], "the green / amber / red of every card, grid, chart and TV tile")


def refresh(_version):
    _admin()
    return reports.rule_rows(current())


def change(which, measure, line, green, amber, selected, version):
    """Save the form's thresholds, or clear the selected row's (`which`: the button)."""
    actor = _admin()
    ctx = current()
    if which == f"{P}threshold-clear":
        if not selected:
            return _message("Pick a row in the table first.", ok=False), no_update
        row = selected[0]
        if not reports.clear_rule(ctx, actor, row["measure"], row.get("line_code") or None):
            return _message(f"{row['label']} for {row['scope']} uses the defaults already.",
                            ok=False), no_update
        return _message(f"{row['label']} for {row['scope']} is cleared."), (version or 0) + 1
    try:
        rule = reports.set_rule(ctx, actor, measure, green, amber, line or None)
    except ThresholdError as err:
        return _message(str(err), ok=False), no_update
    where = f"line {line}" if line else "the plant"
    return _message(f"{MEASURES[measure].label} on {where}: {rule.words()}."), (version or 0) + 1


def register() -> None:
    callback(Output(f"{P}thresholds-grid", "rowData"), Input(f"{P}refresh", "data"))(refresh)

    @callback(
        Output(f"{P}threshold-message", "children"),
        Output(f"{P}refresh", "data", allow_duplicate=True),
        Input(f"{P}threshold-save", "n_clicks"), Input(f"{P}threshold-clear", "n_clicks"),
        State(f"{P}threshold-measure", "value"), State(f"{P}threshold-line", "value"),
        State(f"{P}threshold-green", "value"), State(f"{P}threshold-amber", "value"),
        State(f"{P}thresholds-grid", "selectedRows"), State(f"{P}refresh", "data"),
        prevent_initial_call=True,
    )
    def _change(_save, _clear, *form):
        return change(dash_ctx.triggered_id, *form)
