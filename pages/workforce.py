"""Workforce (/workforce): attendance, absenteeism, late arrivals, early exits, overtime and
missing punches by line, department and shift; a status heat map; a drill to one employee."""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html, no_update

from auth.gate import request_user, restrict_callbacks
from components import grid as g, ids
from components import workforce_figures as wf
from components.cards import chart_card, empty_state, fmt, graph, summary_strip
from components.filter_bar import filters_from_values
from components.page import page_layout, register_content
from components.server_grid import server_grid
from reports import workforce as reports
from core.context import current
from core.filters import FilterError

dash.register_page(__name__, path="/workforce", name="Workforce", title="Workforce · FloorPulse",
                   order=40)

PAGE = "workforce"
EMP = "workforce-emp"
DRILL = "workforce-drill"
HEATMAP = "workforce-heatmap"
MANUAL = "workforce-manual-"  # the manual punch form: admins and plant heads only
restrict_callbacks(MANUAL, reports.MANUAL_PUNCH_ROLES)
TIME = {"function": "params.value ? params.value.slice(11, 16) : '—'"}
STAMP = {"function": "params.value ? params.value.replace('T', ' ').slice(0, 19) : ''"}
MINUTES = {"function": "params.value ? d3.format(',.0f')(params.value) : '—'"}

GROUP_COLUMNS = [
    g.col("scheduled_days", "Scheduled days", "int"), g.col("attendance_pct", "Attendance", "pct",
                                                        **g.traffic("attendance_status")),
    g.col("absenteeism_pct", "Absenteeism", "pct"), g.col("A", "Absent", "int"),
    g.col("no_punch_days", "No punch", "int", headerTooltip="absent without any punch"),
    g.col("HD", "Half days", "int"), g.col("late_count", "Late arrivals", "int"),
    g.col("early_exit_count", "Early exits", "int"),
    g.col("overtime_hours", "Overtime", "hours"), g.col("missing_out", "Missing OUT", "int"),
]
DAY_COLUMNS = [
    g.col("date", "Day", minWidth=110, pinned="left"), g.col("status", "Status", maxWidth=90,
                                                             cellClassRules={
        "cell-green": "params.value == 'P'", "cell-amber": "params.value == 'HD'",
        "cell-red": "params.value == 'A'"}),
    g.col("shift_code", "Shift", maxWidth=80), g.col("in_time", "In", valueFormatter=TIME),
    g.col("out_time", "Out", valueFormatter=TIME), g.col("work_minutes", "Worked min", "int"),
    g.col("late_minutes", "Late min", valueFormatter=MINUTES, type="numericColumn"),
    g.col("early_exit_minutes", "Early exit min", valueFormatter=MINUTES, type="numericColumn"),
    g.col("overtime_minutes", "Overtime min", valueFormatter=MINUTES, type="numericColumn"),
    g.col("missing_out", "Missing OUT", maxWidth=120), g.col("punch_count", "Punches", "int"),
]
PUNCH_COLUMNS = [
    g.col("ts", "Punch", minWidth=160, valueFormatter=STAMP), g.col("direction", "Sent as"),
    g.col("effective", "Read as"), g.col("date", "Shift day", minWidth=110),
    g.col("duplicate", "Within 60 s", headerTooltip="counts once"),
    g.col("unmatched", "Unmatched", headerTooltip="in no window of the employee's shift"),
    g.col("device_id", "Device"),
    g.col("entered", "Entered by hand", minWidth=220,
          headerTooltip="a punch HR entered by hand: who, and why"),
]
MANUAL_ROW = {"punch-manual": "params.data.manual"}  # marked apart (assets/app.css)


def layout(emp: str | None = None, **query):
    ctx = current()
    people = reports.employee_options(ctx, request_user().scope)
    options = [{"label": f"{r.name or r.emp_code} · {r.emp_code} · {r.line_code or '—'}",
                "value": r.emp_code} for r in people.itertuples(index=False)]
    drill = dbc.Card([
        dbc.CardHeader(html.Div([
            html.Span("One employee's days", className="card-title-text"),
            html.Span("pick a person, or click a row of the heat map", className="card-subtitle"),
        ])),
        dbc.CardBody([
            dcc.Dropdown(id=EMP, options=options, value=emp, placeholder="Choose an employee…",
                         clearable=True, className="mb-3", style={"maxWidth": "480px"}),
            dcc.Loading(html.Div(id=DRILL), type="dot", delay_show=300),
            _manual_form() if request_user().role in reports.MANUAL_PUNCH_ROLES else None,
        ]),
    ], className="chart-card mt-3", id="card-workforce-drill")
    return html.Div([
        page_layout(PAGE, "Workforce", query, show_styles=False,
                    subtitle="Attendance from the biometric punches (P, A, HD, WO, PH)"),
        drill,
    ])


def _summary(total, element_id) -> html.Div:
    items = [("Attendance", fmt(total["attendance_pct"], 1, " %")),
             ("Absenteeism", fmt(total["absenteeism_pct"], 1, " %")),
             ("Scheduled days", fmt(total["scheduled_days"], 0)),
             ("Absent days", fmt(total["A"], 0)),
             ("of them without any punch", fmt(total["no_punch_days"], 0)),
             ("Late arrivals", fmt(total["late_count"], 0)),
             ("Early exits", fmt(total["early_exit_count"], 0)),
             ("Overtime", fmt(total["overtime_hours"], 1, " h")),
             ("Missing OUT", fmt(total["missing_out"], 0))]
    return summary_strip(items, element_id)


def _groups_grid(df):
    if df.empty:
        return empty_state()
    columns = [g.col("by", "By", minWidth=120, maxWidth=130, pinned="left"),
               g.col("group", "Group", minWidth=110, pinned="left")] + GROUP_COLUMNS
    return g.grid("workforce-groups", df, columns, height=min(460, 52 + 42 * len(df)),
                  extra_fields=("attendance_status",))


def build(ctx, filters, scope):
    data = reports.workforce(ctx, filters, scope)
    total = data["total"]
    if not total["records"]:
        return empty_state(hint="No attendance records in this period: punches are turned into "
                                "attendance by `flask --app app process-attendance` once a "
                                "day's shifts have closed.")
    daily, heat = data["daily"], data["heat"]
    people = data["heat_employees"]
    shown = len(people)
    heat_height = max(260, 70 + 16 * shown)
    unmatched = data["unmatched"]
    return html.Div([
        _summary(total, "workforce-summary"),
        dbc.Row([
            dbc.Col(chart_card("Attendance and absenteeism by day",
                               graph(wf.attendance_trend(daily), "workforce-trend-graph", 300),
                               export=f"{PAGE}-daily",
                               subtitle="(P + ½ HD) / scheduled days; weekly offs and holidays "
                                        "are not scheduled"), lg=6),
            dbc.Col(chart_card("Late, early, overtime and missing punches by line",
                               graph(wf.exceptions_by(data["by"]["line"], "line_code"),
                                     "workforce-lines-graph", 300)
                               if not data["by"]["line"].empty else empty_state(),
                               export=f"{PAGE}-by-line",
                               subtitle="days with each exception; overtime hours on the right"),
                    lg=6),
        ], className="g-3 mb-3"),
        chart_card("Status by employee and day",
                   graph(wf.status_heatmap(heat, people), HEATMAP, heat_height)
                   if not heat.empty else empty_state(),
                   export=f"{PAGE}-heatmap",
                   subtitle=f"the {shown} of {len(data['employees'])} people with the most "
                            f"absences, half days and missing punches"
                            + (f", over the last {wf.HEAT_MAX_DAYS} days"
                               if filters.days > wf.HEAT_MAX_DAYS else "")
                            + "; click a row to drill"),
        html.Div(chart_card("By line, department and shift", _groups_grid(data["groups"]),
                            export=f"{PAGE}-groups", excel=True,
                            subtitle="attendance % = (P + ½ HD) / scheduled days"),
                 className="mt-3"),
        html.Div(chart_card("Unmatched punches", server_grid(
            "workforce-unmatched", f"{PAGE}-unmatched",
            [g.col("ts", "Punch", minWidth=150, valueFormatter=STAMP),
             g.col("emp_code", "Employee code", maxWidth=150),
             g.col("name", "Employee", minWidth=130), g.col("line_code", "Line", maxWidth=90),
             g.col("direction", "Direction", maxWidth=110), g.col("device_id", "Device")],
            len(unmatched), height=min(300, 52 + 42 * len(unmatched))) if not unmatched.empty
            else html.Div("None: every punch fell in a shift window.", className="text-muted"),
            export=f"{PAGE}-unmatched", excel=True,
            subtitle="in no window of the employee's shift: kept and listed, not counted"),
            className="mt-3"),
    ])


register_content(PAGE, build)


@callback(Output(EMP, "value"), Input(HEATMAP, "clickData"), prevent_initial_call=True)
def drill_from_heatmap(click):
    """A click on a heat-map cell picks that row's employee."""
    try:
        return wf.heat_row_emp(click["points"][0]["y"])
    except (TypeError, KeyError, IndexError, AttributeError):
        return no_update


@callback(Output(DRILL, "children"), Input(EMP, "value"),
          *[Input(i.component_id, i.component_property) for i in ids.FILTER_INPUTS])
def render_drill(emp_code, start, end, lines, shifts, styles):
    return drill_content(emp_code, (start, end, lines, shifts, styles))


def drill_content(emp_code, values):
    if not emp_code:
        return html.Div("Choose an employee to see their days and punches.",
                        className="text-muted small")
    ctx = current()
    try:
        filters = filters_from_values(*values, ctx.today())
    except FilterError as err:
        return dbc.Alert(str(err), color="warning")
    data = reports.employee_days(ctx, filters, emp_code, request_user().scope)
    if data is None:
        return dbc.Alert(f"No employee '{emp_code}' you may see.", color="warning")
    person = data["employee"]
    heading = html.Div([
        html.Span(person.get("name") or emp_code, className="fw-semibold me-2"),
        html.Span(f"{emp_code} · line {person.get('line_code') or '—'} · "
                  f"{person.get('department') or 'no department'} · shift "
                  f"{person.get('shift_code') or 'default'}"
                  + (" · placeholder from a device" if person.get("is_placeholder") else ""),
                  className="text-muted small"),
    ], className="mb-2", id="workforce-drill-heading")
    days = data["days"]
    return html.Div([
        heading,
        _summary(data["total"], "workforce-drill-summary"),
        html.Div("Days", className="fw-semibold small text-muted mb-1"),
        g.grid("workforce-days", days, DAY_COLUMNS, height=min(380, 52 + 42 * len(days)))
        if not days.empty else empty_state(hint="No attendance records for them in this period."),
        html.Div("Punches, as the engine read them", className="fw-semibold small text-muted "
                                                               "mt-3 mb-1"),
        _manual_note(data["punches"]),
        g.grid("workforce-punches", data["punches"], PUNCH_COLUMNS,
               height=min(380, 52 + 42 * len(data["punches"])), extra_fields=("manual",),
               rowClassRules=MANUAL_ROW)
        if not data["punches"].empty else empty_state("No punches in this period."),
    ])


def _manual_note(punches):
    """How many of the punches were entered by hand (their rows are marked)."""
    n = int(punches["manual"].sum()) if "manual" in punches else 0
    if not n:
        return None
    return html.Div(f"✎ {n} punch{'es' if n > 1 else ''} entered by hand (marked, with who and "
                    "why)", className="small mb-1 punch-manual-note", id="workforce-manual-note")



def _manual_form():
    """A forgotten punch, entered by hand for the chosen employee (SPEC section 10)."""
    return html.Div([
        html.Div("Enter a forgotten punch for this employee", className="fw-semibold small "
                                                                         "text-muted mb-1"),
        dbc.Row([
            dbc.Col(dbc.Input(id=f"{MANUAL}ts", type="datetime-local", step=60), md=3),
            dbc.Col(dbc.RadioItems(id=f"{MANUAL}direction", value="IN", inline=True,
                                   options=["IN", "OUT"]), md=2, className="pt-2"),
            dbc.Col(dbc.Input(id=f"{MANUAL}reason", placeholder="why (required)",
                              maxLength=500), md=4),
            dbc.Col(dbc.Button("Enter punch", id=f"{MANUAL}save", size="sm",
                               color="primary"), md=2),
        ], className="g-2 align-items-center"),
        html.Div(id=f"{MANUAL}message", className="mt-2"),
    ], className="mt-3 border-top pt-2", id="workforce-manual-form")


@callback(Output(f"{MANUAL}message", "children"), Output(DRILL, "children",
                                                        allow_duplicate=True),
          Input(f"{MANUAL}save", "n_clicks"), State(EMP, "value"), State(f"{MANUAL}ts", "value"),
          State(f"{MANUAL}direction", "value"), State(f"{MANUAL}reason", "value"),
          *[State(i.component_id, i.component_property) for i in ids.FILTER_INPUTS],
          prevent_initial_call=True)
def enter_manual_punch(n_clicks, emp_code, ts, direction, reason, *filters):
    """Store the punch (its day recomputed at once) and show the drill again with it."""
    if not n_clicks:
        return no_update, no_update
    if not emp_code:
        return dbc.Alert("Choose an employee first.", color="warning", className="py-2"), \
            no_update
    try:
        out = reports.enter_manual_punch(current(), request_user(), emp_code, ts, direction,
                                         reason)
    except reports.PunchRefused as err:
        return dbc.Alert(str(err), color="warning", className="py-2"), no_update
    punch = out["punch"]
    return (dbc.Alert(f"{punch['direction']} at {punch['ts'].replace('T', ' ')} entered for "
                      f"{punch['emp_code']}; days recomputed: "
                      f"{', '.join(out['recomputed_days']) or 'none closed yet'}.",
                      color="success", className="py-2"),
            drill_content(emp_code, filters))
