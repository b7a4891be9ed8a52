"""The Admin page's alert sections (SPEC section 11): rules (list, create, delete), the alert list
with acknowledgement, and "evaluate now".

pages/admin.py puts the sections in its layout and calls `register()` each time it runs (every
app build runs the page modules afresh and Dash's callback list starts empty). Every id starts
with "admin-", so the gate refuses these callbacks to anyone but admins, as the rest of the page.
"""
from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, ctx as dash_ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from auth.gate import request_user
from components import grid as g
from core.context import current
from core.serialize import records
from metrics.alerts import KINDS
from reports import alerts as reports

P = "admin-"
EMPTY = pd.DataFrame()
TS = {"valueFormatter": {"function": "params.value ? params.value.slice(0, 16).replace('T', ' ')"
                                     " : '—'"}}
SELECT_ONE = {"mode": "singleRow", "checkboxes": False, "enableClickSelection": True}
KIND_HELP = {"behind_target": "threshold: % of the target so far",
             "dhu_above": "threshold: DHU today", "machine_down": "threshold: minutes down",
             "order_at_risk": "threshold: days past due (0 = any risk)"}

RULE_COLUMNS = [
    g.col("id", "#", "int", maxWidth=70), g.col("kind", "Kind", minWidth=130),
    g.col("name", "Name", minWidth=140), g.col("threshold", "Threshold", "dec", maxWidth=110),
    g.col("lines_text", "Lines", minWidth=100), g.col("for_min", "For min", "int", maxWidth=100),
    g.col("channels", "Channels", minWidth=220), g.col("created_by", "By", maxWidth=110),
]
ALERT_COLUMNS = [
    g.col("id", "#", "int", maxWidth=70),
    g.col("state", "State", maxWidth=100,
          cellClassRules={"text-danger fw-semibold": "params.value == 'firing'"}),
    g.col("kind", "Kind", minWidth=120), g.col("subject", "Subject", minWidth=100),
    g.col("line_code", "Line", maxWidth=90), g.col("value", "Value", "dec", maxWidth=100),
    g.col("fired_at", "Fired", **TS, minWidth=150, sort="desc"),
    g.col("resolved_at", "Resolved", **TS, minWidth=150),
    g.col("acked_by", "Acknowledged by", minWidth=130), g.col("message", "Message", minWidth=320),
]


def _admin() -> str:
    user = request_user()
    if user is None or user.role != "admin":
        raise PreventUpdate
    return user.username


def _field(label, control, width=3):
    return dbc.Col([dbc.Label(label, className="small mb-1"), control], md=width)


def _message(text, ok=True):
    return dbc.Alert(text, color="success" if ok else "warning", className="py-2 mb-0",
                     dismissable=True)


def rules_section(section, line_options):
    return section("Alert rules", [
        g.grid(f"{P}alert-rules-grid", EMPTY, RULE_COLUMNS, height=220,
               rowSelection=SELECT_ONE),
        dbc.Row([
            _field("Kind", dcc.Dropdown(id=f"{P}rule-kind", options=list(KINDS),
                                        value="behind_target", clearable=False), 2),
            _field("Threshold", dbc.Input(id=f"{P}rule-threshold", type="number", min=0), 1),
            _field("Lines (none = all)", dcc.Dropdown(id=f"{P}rule-lines", multi=True,
                                                      options=line_options), 2),
            _field("For (min)", dbc.Input(id=f"{P}rule-for-min", type="number", min=0,
                                          value=0), 1),
            _field("Min checked (DHU)", dbc.Input(id=f"{P}rule-min-checked", type="number",
                                                  min=0, placeholder="50"), 1),
            _field("Webhook URL", dbc.Input(id=f"{P}rule-webhook",
                                            placeholder="https://…"), 2),
            _field("Email (comma-separated)", dbc.Input(id=f"{P}rule-email"), 2),
            _field("Name", dbc.Input(id=f"{P}rule-name", placeholder="optional"), 2),
            dbc.Col([dbc.Button("Create rule", id=f"{P}rule-create", color="primary",
                                size="sm", className="me-1"),
                     dbc.Button("Delete selected", id=f"{P}rule-delete", color="danger",
                                outline=True, size="sm")],
                    md=4, className="d-flex align-items-end gap-1"),
        ], className="g-2 mt-2"),
        html.Div(" · ".join(f"{k}: {v}" for k, v in KIND_HELP.items()),
                 className="small text-muted mt-2"),
        html.Div(id=f"{P}rules-message", className="mt-2"),
    ], "each rule fires once per line, machine or order, and tells its channels once when it "
       "fires and once when it resolves")


def alerts_section(section):
    return section("Alerts", [
        g.grid(f"{P}alerts-grid", EMPTY, ALERT_COLUMNS, height=280, rowSelection=SELECT_ONE),
        dbc.Row([dbc.Col([
            dbc.Button("Acknowledge selected", id=f"{P}alert-ack", color="primary", size="sm",
                       className="me-1"),
            dbc.Button("Evaluate now", id=f"{P}alerts-evaluate", color="secondary",
                       outline=True, size="sm")], className="d-flex gap-1")], className="mt-2"),
        html.Div(id=f"{P}alerts-message", className="mt-2"),
    ], "firing and resolved alerts, newest first; an alert is acknowledged while it fires")


def _rule_rows(df: pd.DataFrame) -> list[dict]:
    if df.empty:
        return []
    shown = df.assign(
        lines_text=[", ".join(x) or "all" for x in df["lines"]],
        channels=[" · ".join(filter(None, [w and f"webhook {w}", e and f"email {', '.join(e)}"]))
                  or "pages only" for w, e in zip(df["webhook"], df["email"])])
    return records(shown, [c["field"] for c in RULE_COLUMNS])


def _number(value):
    return None if value in (None, "") else value


def refresh_alerts(_version):
    _admin()
    ctx = current()
    alerts = reports.alerts(ctx)
    return _rule_rows(reports.rules(ctx)), records(
        alerts, [c["field"] for c in ALERT_COLUMNS if c["field"] in alerts.columns])


def change_rule(which, kind, threshold, lines, for_min, min_checked, webhook, email, name,
                selected, version):
    """Create a rule from the form, or delete the selected one (`which`: the button)."""
    actor = _admin()
    ctx = current()
    if which == f"{P}rule-delete":
        if not selected:
            return _message("Pick a rule in the table first.", ok=False), no_update
        rule_id = int(selected[0]["id"])
        reports.delete_rule(ctx, actor, rule_id)
        return _message(f"Rule #{rule_id} is deleted; its firing alerts are resolved."), \
            (version or 0) + 1
    body = {"kind": kind, "threshold": _number(threshold), "lines": lines or [],
            "for_min": _number(for_min) or 0, "webhook": webhook or None,
            "email": email or None, "name": name or None}
    if kind == "dhu_above" and _number(min_checked) is not None:
        body["min_checked"] = min_checked
    try:
        rule = reports.create_rule(ctx, actor, body)
    except reports.RuleError as err:
        return _message(f"{err.field}: {err}", ok=False), no_update
    return _message(f"Rule #{rule['id']} ({rule['kind']}) is kept; it is evaluated every "
                    f"{ctx.settings.alerts_every_s:g} s."), (version or 0) + 1


def act_on_alerts(which, selected, version):
    """Acknowledge the selected alert, or evaluate every rule now (`which`: the button)."""
    actor = _admin()
    ctx = current()
    if which == f"{P}alerts-evaluate":
        result = reports.evaluate_now(ctx, actor)
        return _message(f"Evaluated {result['rules']} rule(s): {result['fired']} fired, "
                        f"{result['resolved']} resolved, {result['firing']} firing; "
                        f"{result['sent']} notification(s) sent."), (version or 0) + 1
    if not selected:
        return _message("Pick an alert in the table first.", ok=False), no_update
    try:
        reports.acknowledge(ctx, actor, int(selected[0]["id"]))
    except reports.AlertError as err:
        return _message(str(err), ok=False), no_update
    return _message(f"Alert #{selected[0]['id']} is acknowledged."), (version or 0) + 1


def register() -> None:
    callback(
        Output(f"{P}alert-rules-grid", "rowData"), Output(f"{P}alerts-grid", "rowData"),
        Input(f"{P}refresh", "data"),
    )(refresh_alerts)

    @callback(
        Output(f"{P}rules-message", "children"),
        Output(f"{P}refresh", "data", allow_duplicate=True),
        Input(f"{P}rule-create", "n_clicks"), Input(f"{P}rule-delete", "n_clicks"),
        State(f"{P}rule-kind", "value"), State(f"{P}rule-threshold", "value"),
        State(f"{P}rule-lines", "value"), State(f"{P}rule-for-min", "value"),
        State(f"{P}rule-min-checked", "value"), State(f"{P}rule-webhook", "value"),
        State(f"{P}rule-email", "value"), State(f"{P}rule-name", "value"),
        State(f"{P}alert-rules-grid", "selectedRows"), State(f"{P}refresh", "data"),
        prevent_initial_call=True,
    )
    def _change_rule(_create, _delete, *form):
        return change_rule(dash_ctx.triggered_id, *form)

    @callback(
        Output(f"{P}alerts-message", "children"),
        Output(f"{P}refresh", "data", allow_duplicate=True),
        Input(f"{P}alert-ack", "n_clicks"), Input(f"{P}alerts-evaluate", "n_clicks"),
        State(f"{P}alerts-grid", "selectedRows"), State(f"{P}refresh", "data"),
        prevent_initial_call=True,
    )
    def _act_on_alerts(_ack, _evaluate, selected, version):
        return act_on_alerts(dash_ctx.triggered_id, selected, version)
