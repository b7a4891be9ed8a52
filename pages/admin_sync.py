"""The Admin page's database sync section (SPEC section 10): the sources of SYNC_CONFIG with their
watermark and last run, and "Sync now" — a background job with progress, as the reload.

pages/admin.py puts the section in its layout and calls `register()` each time it runs. Every id
starts with "admin-", so the gate refuses these callbacks to anyone but admins.
"""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html, no_update
from dash.exceptions import PreventUpdate

from components import grid as g, jobs
from core.context import current
from core.serialize import records
from pages.admin_alerts import EMPTY, P, SELECT_ONE, TS, _admin
from reports import sync as reports

BAD = {"text-danger fw-semibold": "params.value == 'failed'"}

SOURCE_COLUMNS = [
    g.col("source", "Source", minWidth=110), g.col("target", "Target", maxWidth=110),
    g.col("url", "URL", minWidth=220), g.col("watermark", "Watermark", minWidth=160),
    g.col("last_run", "Last run", **TS, minWidth=150),
    g.col("status", "Status", maxWidth=110, cellClassRules=BAD),
    g.col("read", "Read", "int", maxWidth=100), g.col("accepted", "Accepted", "int", maxWidth=110),
    g.col("duplicates", "Duplicates", "int", maxWidth=115),
    g.col("rejected", "Rejected", "int", maxWidth=105),
    g.col("seconds", "Seconds", "dec", maxWidth=105),
    g.col("error", "Error", minWidth=260), g.col("problem", "Configuration", minWidth=220),
]


def section(make_section):
    return make_section("Database sync", [
        html.Div(id=f"{P}sync-note", className="small text-muted mb-2"),
        g.grid(f"{P}sync-grid", EMPTY, SOURCE_COLUMNS, height=200, rowSelection=SELECT_ONE),
        html.Div([dbc.Button("Sync now", id=f"{P}sync-start", color="primary", size="sm"),
                  html.Span("the selected source, or every source when none is selected",
                            className="small text-muted ms-2")],
                 className="d-flex align-items-center my-2"),
        dbc.Progress(id=f"{P}sync-progress", value=0, label="", striped=True, animated=True,
                     style={"height": "22px"}, className="mb-2"),
        html.Div(id=f"{P}sync-status", className="small text-muted mb-2"),
        html.Div(id=f"{P}sync-result"),
        dcc.Store(id=f"{P}sync-ticket"),
    ], "the sources of SYNC_CONFIG; each run, scheduled or not, is in the import history "
       "(kind sync) with every rejected row")


def refresh_sources(_version, _tick):
    _admin()
    df, note = reports.sources_table(current())
    rows = records(df, [c["field"] for c in SOURCE_COLUMNS]) if not df.empty else []
    return rows, note or ""


def start_sync(n_clicks, selected, version):
    actor = _admin()
    if not n_clicks:
        raise PreventUpdate
    name = selected[0]["source"] if selected else None
    try:
        ticket = reports.request_sync(current(), actor, name)
    except reports.SyncRequestError as err:
        return no_update, dbc.Alert(str(err), color="warning", className="py-2"), no_update
    running = html.Div(f"Syncing {name or 'every source'}; the outcome appears here.",
                       className="text-muted small")
    return ticket, running, (version or 0) + 1


def run_sync(set_progress, ticket, version):
    """In a background job (a server thread, or a Celery worker with REDIS_URL); the admin was
    resolved in start_sync and travels in the ticket."""
    if not ticket:
        raise PreventUpdate

    def progress(fraction, message):
        pct = max(0, min(100, round(fraction * 100)))
        set_progress((pct, f"{pct} %", message))

    with jobs.app_context():
        outcome = reports.run_sync(current(), ticket, progress)
    parts = [dbc.Alert(outcome.message, color="success" if outcome.ok else "danger",
                       className="mb-2 py-2", id=f"{P}sync-outcome")]
    if outcome.lines:
        parts.append(html.Pre("\n".join(outcome.lines), className="small p-2 border rounded "
                              "bg-light", style={"maxHeight": "260px", "overflow": "auto"}))
    return html.Div(parts), (version or 0) + 1


def register() -> None:
    callback(Output(f"{P}sync-grid", "rowData"), Output(f"{P}sync-note", "children"),
             Input(f"{P}refresh", "data"), Input(f"{P}schedule-tick", "n_intervals"))(
        refresh_sources)
    callback(Output(f"{P}sync-ticket", "data"),
             Output(f"{P}sync-result", "children", allow_duplicate=True),
             Output(f"{P}refresh", "data", allow_duplicate=True),
             Input(f"{P}sync-start", "n_clicks"), State(f"{P}sync-grid", "selectedRows"),
             State(f"{P}refresh", "data"), prevent_initial_call=True)(start_sync)
    callback(Output(f"{P}sync-result", "children"),
             Output(f"{P}refresh", "data", allow_duplicate=True),
             Input(f"{P}sync-ticket", "data"), State(f"{P}refresh", "data"),
             background=True,
             progress=[Output(f"{P}sync-progress", "value"), Output(f"{P}sync-progress", "label"),
                       Output(f"{P}sync-status", "children")],
             progress_default=[0, "", ""],
             running=[(Output(f"{P}sync-start", "disabled"), True, False)],
             prevent_initial_call=True)(run_sync)
