"""Admin (/admin, admins only): data reload with progress, import history, the schedule, database
sync, users, API tokens, audit log.

Only admins see it: the page is registered with roles=("admin",), so the navbar hides it and the
gate answers 403 for its path and for every callback whose output id starts with "admin-"
(including the background reload and its cancel); the layout and each callback check again.
"""
from __future__ import annotations

import uuid

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import pandas as pd
from dash import MATCH, Input, Output, State, callback, ctx as dash_ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from core.serialize import records
from auth.gate import request_user, restrict_callbacks
from auth.users import ROLES, TOKEN_PURPOSES
from components import grid as g, jobs
from components.server_grid import BLOCK_SIZE, EMPTY_BLOCK, rows_block
from pages import admin_alerts, admin_sync, admin_thresholds
from reports import admin as reports
from core.context import current
from reports.production import filter_options

dash.register_page(__name__, path="/admin", name="Admin", title="Admin · FloorPulse", order=90,
                   roles=("admin",))

P = "admin-"  # every id on this page: the gate refuses these callbacks to non-admins
restrict_callbacks(P, ("admin",))

EMPTY = pd.DataFrame()
# timestamps as "2026-03-02 08:15" (the API's ISO strings, cut to the minute)
TS = {"valueFormatter": {"function": "params.value ? params.value.slice(0, 16).replace('T', ' ')"
                                     " : '—'"}}
SELECT_ONE = {"mode": "singleRow", "checkboxes": False, "enableClickSelection": True}

IMPORT_COLUMNS = [
    g.col("started_at", "When", **TS, minWidth=160, sort="desc"),
    g.col("username", "Who", maxWidth=120),
    g.col("kind", "Kind", maxWidth=90), g.col("source", "Source", minWidth=220),
    g.col("status", "Status", maxWidth=100,
          cellClassRules={"text-danger fw-semibold": "params.value == 'failed'"}),
    g.col("files", "Files", "int", maxWidth=90), g.col("rows", "Rows", "int", maxWidth=120),
    g.col("error_count", "Errors", "int", maxWidth=100),
    g.col("duration_s", "Seconds", "dec", maxWidth=110),
    g.col("first_error", "First error", minWidth=260),
]
USER_COLUMNS = [
    g.col("username", "User", minWidth=130), g.col("role", "Role", maxWidth=140),
    g.col("lines", "Lines", minWidth=120), g.col("active", "Active", maxWidth=100),
    g.col("tokens", "Live tokens", "int", maxWidth=120), g.col("created_at", "Created", **TS),
]
TOKEN_COLUMNS = [
    g.col("id", "#", "int", maxWidth=80), g.col("username", "Acts as", minWidth=120),
    g.col("name", "Name", minWidth=140), g.col("purpose", "Purpose", maxWidth=110),
    g.col("status", "Status", maxWidth=100,
          cellClassRules={"text-muted": "params.value == 'revoked'"}),
    g.col("created_at", "Created", **TS), g.col("last_used_at", "Last used", **TS),
    g.col("revoked_at", "Revoked", **TS),
]
SCHEDULE_COLUMNS = [
    g.col("job", "Job", minWidth=170), g.col("every", "Every", maxWidth=100),
    g.col("runner", "Run by", minWidth=150),
    g.col("last_started", "Last run", **TS, minWidth=150),
    g.col("last_seconds", "Seconds", "dec", maxWidth=110),
    g.col("outcome", "Outcome", maxWidth=130,
          cellClassRules={"text-danger fw-semibold": "params.value == 'error'"}),
    g.col("next_run", "Next run", **TS, minWidth=150),
    g.col("runs", "Runs", "int", maxWidth=90), g.col("failures", "Failed", "int", maxWidth=90),
    g.col("message", "Last outcome", minWidth=300),
]
ERROR_COLUMNS = [
    g.col("file", "File", minWidth=150), g.col("line", "Line", "int", maxWidth=100),
    g.col("column", "Column", maxWidth=160), g.col("reason", "Reason", minWidth=420),
]
ERRORS_GRID = f"{P}import-errors"  # the type of every error grid's pattern id
AUDIT_COLUMNS = [
    g.col("ts", "When", **TS, minWidth=160, sort="desc"),
    g.col("username", "Who", maxWidth=130),
    g.col("action", "Action", minWidth=150), g.col("wo_number", "Order", maxWidth=130),
    g.col("move", "Status", minWidth=190), g.col("summary", "Details", minWidth=380),
]


def _admin():
    """The signed-in admin's name; anyone else is refused (the gate refused them already)."""
    user = request_user()
    if user is None or user.role != "admin":
        raise PreventUpdate
    return user.username


def _section(title, body, subtitle=None):
    return dbc.Card([
        dbc.CardHeader([html.Span(title, className="fw-semibold"),
                        html.Span(subtitle, className="text-muted small ms-2")
                        if subtitle else None]),
        dbc.CardBody(body),
    ], className="mb-3 chart-card")


def _field(label, control, width=3):
    return dbc.Col([dbc.Label(label, className="small mb-1"), control], md=width)


def _reload_section(folders, upload_limit):
    folder_options = [{"label": "DATA_DIR" if f == "." else f, "value": f} for f in folders]
    return _section("Reload data", [
        dbc.Row([
            _field("What", dbc.RadioItems(
                id=f"{P}reload-action", value="csv" if folders else "demo", inline=True,
                options=[{"label": "CSV folder", "value": "csv"},
                         {"label": "Demo data", "value": "demo"}])),
            _field("Folder in DATA_DIR", dcc.Dropdown(
                id=f"{P}reload-folder", options=folder_options, clearable=False,
                value=folders[0] if folders else None,
                placeholder="no CSV folders in DATA_DIR")),
            _field("Demo scale", dcc.Dropdown(id=f"{P}reload-scale",
                                              options=list(reports.DEMO_SCALES),
                                              value="demo", clearable=False), 2),
            _field("Demo days", dbc.Input(id=f"{P}reload-days", type="number", min=1,
                                          placeholder="scale's default"), 2),
            dbc.Col([dbc.Button("Start reload", id=f"{P}reload-start", color="primary",
                                className="me-2"),
                     dbc.Button("Cancel", id=f"{P}reload-cancel", color="secondary",
                                outline=True, disabled=True)],
                    md=2, className="d-flex align-items-end"),
        ], className="g-3 mb-3"),
        dcc.Upload(
            html.Div([html.Span("Upload: ", className="fw-semibold"),
                      "drop CSV files named as in the import format (production.csv, "
                      "punches.csv, …) or one .xlsx workbook with a sheet per file here, or ",
                      html.A("choose them", href="#", className="upload-choose"),
                      html.Span(" — imported all or nothing, like a CSV folder",
                                className="text-muted")]),
            id=f"{P}upload", multiple=True, accept=".csv,.xlsx", className="upload-box mb-3",
            max_size=upload_limit),
        dbc.Progress(id=f"{P}reload-progress", value=0, label="", striped=True, animated=True,
                     style={"height": "26px"}, className="mb-2"),
        html.Div(id=f"{P}reload-status", className="small text-muted mb-2"),
        html.Div(id=f"{P}reload-result"),
        dcc.Store(id=f"{P}reload-ticket"),
    ], "a CSV import or upload is all or nothing; a demo reload replaces all plant data")


def _users_section(line_options):
    role_dd = dict(options=list(ROLES), clearable=False)
    return _section("Users", [
        g.grid(f"{P}users-grid", EMPTY, USER_COLUMNS, height=260,
               rowSelection=SELECT_ONE),
        html.Div("Pick a user above to change their role, lines or password.",
                 className="small text-muted mt-2 mb-2"),
        dbc.Row([
            _field("Role", dcc.Dropdown(id=f"{P}edit-role", **role_dd), 2),
            _field("Lines (line managers)", dcc.Dropdown(id=f"{P}edit-lines", multi=True,
                                                         options=line_options), 3),
            _field("New password", dbc.Input(id=f"{P}edit-password", type="password",
                                             autoComplete="new-password"), 2),
            dbc.Col([dbc.Button("Save role and lines", id=f"{P}user-save", size="sm",
                                className="me-1"),
                     dbc.Button("Reset password", id=f"{P}user-password", size="sm",
                                color="warning", className="me-1"),
                     dbc.Button("Disable / enable", id=f"{P}user-toggle", size="sm",
                                color="danger", outline=True)],
                    md=5, className="d-flex align-items-end flex-wrap gap-1"),
        ], className="g-2 mb-3"),
        html.H6("New user", className="mt-3"),
        dbc.Row([
            _field("User name", dbc.Input(id=f"{P}new-name", autoComplete="off"), 2),
            _field("Role", dcc.Dropdown(id=f"{P}new-role", value="viewer", **role_dd), 2),
            _field("Lines", dcc.Dropdown(id=f"{P}new-lines", multi=True, options=line_options), 3),
            _field("Password (8+ characters)", dbc.Input(id=f"{P}new-password", type="password",
                                                         autoComplete="new-password"), 2),
            dbc.Col(dbc.Button("Create user", id=f"{P}user-create", color="primary", size="sm"),
                    md=2, className="d-flex align-items-end"),
        ], className="g-2"),
        html.Div(id=f"{P}users-message", className="mt-2"),
    ])


def _tokens_section():
    return _section("API tokens", [
        g.grid(f"{P}tokens-grid", EMPTY, TOKEN_COLUMNS, height=240,
               rowSelection=SELECT_ONE),
        dbc.Row([
            _field("Acts as user", dcc.Dropdown(id=f"{P}token-user", clearable=False), 2),
            _field("Name", dbc.Input(id=f"{P}token-name", placeholder="e.g. camera gateway"), 3),
            _field("Purpose", dcc.Dropdown(id=f"{P}token-purpose", options=list(TOKEN_PURPOSES),
                                           value="read", clearable=False), 2),
            dbc.Col([dbc.Button("Create token", id=f"{P}token-create", color="primary",
                                size="sm", className="me-1"),
                     dbc.Button("Revoke selected", id=f"{P}token-revoke", color="danger",
                                outline=True, size="sm")],
                    md=5, className="d-flex align-items-end gap-1"),
        ], className="g-2 mt-2"),
        html.Div(id=f"{P}tokens-message", className="mt-2"),
    ], "a token is shown once, when it is made; revoking stops it at once")


def layout(**_query):
    user = request_user()
    if user is None or user.role != "admin":
        return dbc.Alert("Only admins may open this page.", color="danger", id=f"{P}refused")
    ctx = current()
    lines = filter_options(ctx)["lines"]
    line_options = [{"label": f"{r.line_code} · {r.name}" if r.name else r.line_code,
                     "value": r.line_code} for r in lines.itertuples()] if not lines.empty else []
    return html.Div([
        html.Div([html.H2("Admin", className="page-title"),
                  html.Div("Reload data, see every import, manage users, API tokens and "
                           "alert rules, read the audit log", className="page-subtitle")], className="page-header"),
        dcc.Store(id=f"{P}refresh", data=0),
        html.Div([
            # a file's base64 travels in the callback's JSON body, which MAX_BODY_MB caps
            _reload_section(reports.data_folders(ctx.settings.data_dir),
                            ctx.settings.max_body_mb * 1024 * 1024 * 3 // 4 - 64 * 1024),
            _section("Import history", [
                g.grid(f"{P}imports-grid", EMPTY, IMPORT_COLUMNS, height=260,
                       rowSelection=SELECT_ONE),
                html.Div(id=f"{P}import-detail", className="mt-2"),
            ], "pick a row to see its files and every error"),
            _section("Schedule", [
                g.grid(f"{P}schedule-grid", EMPTY, SCHEDULE_COLUMNS, height=150),
                dcc.Interval(id=f"{P}schedule-tick", interval=30_000),
            ], "jobs that run by themselves (each is also a command); the interval settings "
               "name them"),
            admin_sync.section(_section),
            _users_section(line_options),
            _tokens_section(),
            admin_alerts.rules_section(_section, line_options),
            admin_alerts.alerts_section(_section),
            admin_thresholds.section(_section, line_options),
            _section("Audit log", [
                dbc.Row(_field("Work order", dbc.Input(
                    id=f"{P}audit-order", placeholder="e.g. WO-1024: only its operations",
                    debounce=True, autoComplete="off")), className="mb-2"),
                g.grid(f"{P}audit-grid", EMPTY, AUDIT_COLUMNS, height=320),
            ], "every admin action, reload and operation on a work order, newest first"),
        ], className="page-content"),
    ], className="page", id="page-admin")


admin_alerts.register()  # this module runs afresh for every app build: so must its callbacks
admin_sync.register()
admin_thresholds.register()


# --- tables --------------------------------------------------------------------------------------

def _rows(df, columns):
    return records(df, [c["field"] for c in columns if c["field"] in df.columns])


@callback(
    Output(f"{P}imports-grid", "rowData"), Output(f"{P}users-grid", "rowData"),
    Output(f"{P}tokens-grid", "rowData"), Output(f"{P}audit-grid", "rowData"),
    Output(f"{P}token-user", "options"),
    Input(f"{P}refresh", "data"), State(f"{P}audit-order", "value"),
)
def refresh_tables(_version, audit_order=None):
    _admin()
    ctx = current()
    people = reports.users_table(ctx)
    active = people[people["active"]] if not people.empty else people
    return (_rows(reports.import_history(ctx), IMPORT_COLUMNS + [g.col("id", "")]),
            _rows(people, USER_COLUMNS + [g.col("id", "")]),
            _rows(reports.tokens_table(ctx), TOKEN_COLUMNS),
            _rows(reports.audit_table(ctx, audit_order), AUDIT_COLUMNS),  # the filter holds
            [{"label": r.username, "value": r.id} for r in active.itertuples()])


@callback(Output(f"{P}schedule-grid", "rowData"), Input(f"{P}refresh", "data"),
          Input(f"{P}schedule-tick", "n_intervals"))
def refresh_schedule(_version, _tick):
    _admin()
    return _rows(reports.schedule_table(current()), SCHEDULE_COLUMNS)


@callback(Output(f"{P}audit-grid", "rowData", allow_duplicate=True),
          Input(f"{P}audit-order", "value"), prevent_initial_call=True)
def filter_audit(wo_number):
    """The audit log of one work order (every operation on it, not only the newest 500 rows)."""
    _admin()
    return _rows(reports.audit_table(current(), wo_number), AUDIT_COLUMNS)


@callback(Output(f"{P}import-detail", "children"), Input(f"{P}imports-grid", "selectedRows"),
          prevent_initial_call=True)
def show_import(selected):
    _admin()
    if not selected:
        return None
    detail = reports.import_detail(current(), selected[0]["id"])
    if detail is None:
        return dbc.Alert("That import is no longer in the history.", color="warning")
    return result_view(detail["status"] == "ok", f"{detail['source']} ({detail['kind']})",
                       detail["errors"], detail["row_counts"], import_id=detail["id"],
                       error_count=detail["error_count"], errors_id=f"{P}detail-errors")


def result_view(ok: bool, message: str, errors: list[str], row_counts: dict, *,
                import_id: int | None = None, error_count: int = 0,
                errors_id: str = f"{P}errors") -> html.Div:
    """The outcome of a reload or import: rows per file and its errors, one row each in a paged
    grid that asks the server for a page at a time (the stored list, at most 1,000)."""
    counts = ", ".join(f"{name}: {n:,}" for name, n in row_counts.items()) or "no files read"
    parts = [dbc.Alert(message, color="success" if ok else "danger", className="mb-2 py-2"),
             html.Div(f"Rows read — {counts}", className="small text-muted mb-1")]
    error_count = max(error_count, len(errors))
    if error_count > len(errors):
        parts.append(html.Div(f"The first {len(errors):,} of {error_count:,} errors are kept; "
                              f"{error_count - len(errors):,} more are not listed.",
                              className="small text-muted mb-1"))
    if errors and import_id is not None:
        parts.append(_errors_grid(errors_id, import_id, len(errors)))
    elif errors:  # not in the history (it could not be written): the few there are, as text
        parts.append(html.Pre("\n".join(errors[:100]), id=errors_id,
                              className="import-errors small p-2 border rounded bg-light"))
    return html.Div(parts)


def _errors_grid(errors_id: str, import_id: int, total: int) -> html.Div:
    """A paged grid of one import's errors; a new render token mounts a new grid, which asks for
    its first page again."""
    pattern_id = {"type": ERRORS_GRID, "import": int(import_id), "render": uuid.uuid4().hex[:8]}
    props = g.grid_props(pattern_id, ERROR_COLUMNS, height=300, csv_name="import-errors",
                         cacheBlockSize=BLOCK_SIZE, pagination=True,
                         paginationPageSize=BLOCK_SIZE, paginationPageSizeSelector=False,
                         infiniteInitialRowCount=max(1, min(total, BLOCK_SIZE)),
                         maxBlocksInCache=5)
    return html.Div(dag.AgGrid(rowModelType="infinite", **props), id=errors_id,
                    className="import-errors")


@callback(Output({"type": ERRORS_GRID, "import": MATCH, "render": MATCH}, "getRowsResponse"),
          Input({"type": ERRORS_GRID, "import": MATCH, "render": MATCH}, "getRowsRequest"),
          State({"type": ERRORS_GRID, "import": MATCH, "render": MATCH}, "id"),
          prevent_initial_call=True)
def import_error_rows(request, grid_id):
    """One page of an import's stored errors, sorted and filtered as the grid asks."""
    _admin()
    if not request or not isinstance(grid_id, dict):
        return no_update
    try:
        errors = reports.import_errors(current(), int(grid_id.get("import")))
        return rows_block(errors, request, [c["field"] for c in ERROR_COLUMNS])
    except (TypeError, ValueError, KeyError, AttributeError):
        return EMPTY_BLOCK


# --- reload --------------------------------------------------------------------------------------

@callback(
    Output(f"{P}reload-folder", "disabled"), Output(f"{P}reload-scale", "disabled"),
    Output(f"{P}reload-days", "disabled"), Input(f"{P}reload-action", "value"),
)
def reload_fields(action):
    """Only the fields of the chosen kind of reload can be filled in."""
    _admin()
    return action != "csv", action != "demo", action != "demo"


@callback(
    Output(f"{P}reload-ticket", "data"),
    Output(f"{P}reload-result", "children", allow_duplicate=True),
    Output(f"{P}refresh", "data", allow_duplicate=True),
    Input(f"{P}reload-start", "n_clicks"),
    State(f"{P}reload-action", "value"), State(f"{P}reload-folder", "value"),
    State(f"{P}reload-scale", "value"), State(f"{P}reload-days", "value"),
    State(f"{P}refresh", "data"),
    prevent_initial_call=True,
)
def start_reload(n_clicks, action, folder, scale, days, version):
    """In the admin's request: check the choice, resolve the user, hand the job a ticket."""
    actor = _admin()
    if not n_clicks:
        raise PreventUpdate
    return _start(lambda ctx: reports.request_reload(ctx, actor, action, folder, scale, days),
                  version)


def _start(request_job, version):
    """Hand the background job its ticket (or say why not)."""
    try:
        ticket = request_job(current())
    except reports.AdminError as err:
        return no_update, dbc.Alert(str(err), color="warning", className="py-2"), no_update
    running = html.Div("Running; the outcome appears here.", className="text-muted small")
    return ticket, running, (version or 0) + 1


@callback(
    Output(f"{P}reload-ticket", "data", allow_duplicate=True),
    Output(f"{P}reload-result", "children", allow_duplicate=True),
    Output(f"{P}refresh", "data", allow_duplicate=True),
    Output(f"{P}upload", "contents"),
    Input(f"{P}upload", "contents"), State(f"{P}upload", "filename"),
    State(f"{P}refresh", "data"),
    prevent_initial_call=True,
)
def start_upload(contents, filenames, version):
    """Files dropped on the upload box: in the admin's request, checked and handed to the same
    background job as a reload (progress, cancel, history). The box is emptied, so the same
    file dropped again after a fix starts again."""
    actor = _admin()
    if not contents:
        raise PreventUpdate
    return (*_start(lambda ctx: reports.request_upload(ctx, actor, contents, filenames),
                    version), None)


@callback(
    Output(f"{P}reload-result", "children"),
    Output(f"{P}refresh", "data", allow_duplicate=True),
    Input(f"{P}reload-ticket", "data"),
    State(f"{P}refresh", "data"),
    background=True,
    progress=[Output(f"{P}reload-progress", "value"), Output(f"{P}reload-progress", "label"),
              Output(f"{P}reload-status", "children")],
    progress_default=[0, "", ""],
    running=[(Output(f"{P}reload-start", "disabled"), True, False),
             (Output(f"{P}upload", "disabled"), True, False),
             (Output(f"{P}reload-cancel", "disabled"), False, True)],
    cancel=[Input(f"{P}reload-cancel", "n_clicks")],
    on_error=lambda err: (result_view(False, str(err).split(": ", 1)[-1].strip(), [], {}),
                          no_update),
    prevent_initial_call=True,
)
def run_reload(set_progress, ticket, version):
    """In a background job (a thread of the server, or a Celery worker with REDIS_URL); the user was
    resolved in start_reload and travels in the ticket. Cancel stops it at its next progress
    report, rolling its transaction back."""
    if not ticket:
        raise PreventUpdate

    def progress(fraction, message):
        jobs.raise_if_cancelled()
        pct = max(0, min(100, round(fraction * 100)))
        set_progress((pct, f"{pct} %", message))

    with jobs.app_context():
        ctx = current()
        with jobs.watched(ctx.cache, reports.RELOAD_SLOT, reports.describe_ticket(ctx, ticket)):
            result = reports.run_reload(ctx, ticket, progress)
    return (result_view(result.ok, f"{result.message} ({result.duration_s:.1f} s)",
                        result.errors, result.row_counts, import_id=result.import_id,
                        error_count=result.error_count), (version or 0) + 1)


@callback(
    Output(f"{P}reload-result", "children", allow_duplicate=True),
    Output(f"{P}refresh", "data", allow_duplicate=True),
    Input(f"{P}reload-cancel", "n_clicks"), State(f"{P}refresh", "data"),
    prevent_initial_call=True,
)
def cancelled(n_clicks, version):
    actor = _admin()
    if not n_clicks:
        raise PreventUpdate
    reports.reload_cancelled(current(), actor)
    return (dbc.Alert("Reload cancelled; the data is as it was before.", color="warning",
                      className="py-2"), (version or 0) + 1)


# --- users and tokens ----------------------------------------------------------------------------

def _message(text, ok=True):
    return dbc.Alert(text, color="success" if ok else "warning", className="py-2 mb-0",
                     dismissable=True)


@callback(
    Output(f"{P}edit-role", "value"), Output(f"{P}edit-lines", "value"),
    Input(f"{P}users-grid", "selectedRows"), prevent_initial_call=True,
)
def pick_user(selected):
    _admin()
    if not selected:
        return None, []
    row = selected[0]
    return row["role"], [x for x in (row.get("lines") or "").split(",") if x]


@callback(
    Output(f"{P}users-message", "children"), Output(f"{P}refresh", "data", allow_duplicate=True),
    Output(f"{P}new-password", "value"), Output(f"{P}edit-password", "value"),
    Input(f"{P}user-create", "n_clicks"), Input(f"{P}user-save", "n_clicks"),
    Input(f"{P}user-password", "n_clicks"), Input(f"{P}user-toggle", "n_clicks"),
    State(f"{P}new-name", "value"), State(f"{P}new-role", "value"),
    State(f"{P}new-lines", "value"), State(f"{P}new-password", "value"),
    State(f"{P}users-grid", "selectedRows"), State(f"{P}edit-role", "value"),
    State(f"{P}edit-lines", "value"), State(f"{P}edit-password", "value"),
    State(f"{P}refresh", "data"),
    prevent_initial_call=True,
)
def change_user(_create, _save, _password, _toggle, name, role, lines, password, selected,
                edit_role, edit_lines, edit_password, version):
    actor = _admin()
    ctx, which = current(), dash_ctx.triggered_id
    try:
        if which == f"{P}user-create":
            user = reports.create_user(ctx, actor, name, password, role, lines or ())
            text = f"Created {user.username} ({user.role})."
        else:
            if not selected:
                raise reports.AdminError("Pick a user in the table first.")
            user_id, username = selected[0]["id"], selected[0]["username"]
            if which == f"{P}user-save":
                user = reports.update_user(ctx, actor, user_id, edit_role, edit_lines or ())
                text = f"{username} is now {user.role.replace('_', ' ')}" + (
                    f" of {', '.join(user.lines)}." if user.scope else ".")
            elif which == f"{P}user-password":
                reports.reset_password(ctx, actor, user_id, edit_password)
                text = f"{username}'s password is reset."
            else:
                user = reports.set_active(ctx, actor, user_id, not selected[0]["active"])
                text = f"{username} is {'enabled' if user.active else 'disabled'}."
    except reports.AdminError as err:
        return _message(str(err), ok=False), no_update, no_update, no_update
    return _message(text), (version or 0) + 1, "", ""


@callback(
    Output(f"{P}tokens-message", "children"), Output(f"{P}refresh", "data", allow_duplicate=True),
    Input(f"{P}token-create", "n_clicks"), Input(f"{P}token-revoke", "n_clicks"),
    State(f"{P}token-user", "value"), State(f"{P}token-name", "value"),
    State(f"{P}token-purpose", "value"), State(f"{P}tokens-grid", "selectedRows"),
    State(f"{P}refresh", "data"),
    prevent_initial_call=True,
)
def change_token(_create, _revoke, user_id, name, purpose, selected, version):
    actor = _admin()
    ctx = current()
    try:
        if dash_ctx.triggered_id == f"{P}token-create":
            if user_id is None:
                raise reports.AdminError("Choose the user the token acts as.")
            token = reports.create_token(ctx, actor, user_id, name, purpose)
            shown = html.Div([
                html.Div("Copy this token now; it is never shown again:", className="small"),
                html.Code(token, id=f"{P}new-token", className="user-select-all fs-6"),
            ])
            return dbc.Alert(shown, color="success", className="py-2 mb-0"), (version or 0) + 1
        if not selected:
            raise reports.AdminError("Pick a token in the table first.")
        reports.revoke_token(ctx, actor, selected[0]["id"])
        return _message(f"Token #{selected[0]['id']} is revoked."), (version or 0) + 1
    except reports.AdminError as err:
        return _message(str(err), ok=False), no_update
