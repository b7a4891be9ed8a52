"""/api/v1/attendance and POST /api/v1/punches (SPEC section 7)."""
from __future__ import annotations

from flask import jsonify, request

from api.common import bp, filters_from_request, group_by, require_ingest, scope
from core.errors import ApiError
from core.serialize import mapping, records
from ingest import punches
from reports import workforce as reports
from core.context import current
from core.filters import as_list

RECORD_FIELDS = ["emp_code", "date", "name", "line_code", "department", "shift_code",
                 "day_type", "status", "in_time", "out_time", "work_minutes", "overtime_minutes",
                 "late_minutes", "early_exit_minutes", "missing_out", "punch_count"]
SUMMARY_FIELDS = ["P", "A", "HD", "WO", "PH", "scheduled_days", "attendance_pct",
                  "absenteeism_pct", "no_punch_days", "late_count", "late_minutes",
                  "early_exit_count", "early_exit_minutes", "overtime_minutes", "missing_out"]
TRUE = ("1", "true", "yes")


@bp.get("/v1/attendance")
def attendance():
    filters = filters_from_request()
    emps = tuple(as_list(request.args.getlist("emp")))
    departments = tuple(as_list(request.args.getlist("department")))
    ctx = current()
    if request.args.get("summary", "").strip().lower() in TRUE:
        keys = group_by(reports.GROUPS, "date") if request.args.getlist("group_by") else ()
        result = reports.attendance_summary(ctx, filters, keys, scope(), emps, departments)
        rows = records(result["rows"], list(keys) + SUMMARY_FIELDS) if keys else []
        return jsonify({"rows": rows,
                        "total": mapping({k: result["total"][k] for k in SUMMARY_FIELDS})})
    try:
        rows = reports.attendance_rows(ctx, filters, scope(), emps, departments)
    except reports.TooManyRows as err:
        raise ApiError(422, "too_many_rows", str(err))
    summary = reports.attendance_summary(ctx, filters, (), scope(), emps, departments)["total"]
    return jsonify({"rows": records(rows, [c for c in RECORD_FIELDS if c in rows.columns]),
                    "total": mapping({k: summary[k] for k in SUMMARY_FIELDS})})


@bp.post("/v1/punches")
def post_punches():
    require_ingest()
    body = request.get_json(silent=True)
    if isinstance(body, dict) and isinstance(body.get("punches"), list):
        items = body["punches"]
    elif isinstance(body, dict):
        items = [body]
    elif isinstance(body, list):
        items = body
    else:
        raise ApiError(400, "bad_json", "Send a JSON punch, a list of punches or "
                       "{\"punches\": [...]}.")
    if not items:
        raise ApiError(400, "empty_batch", "The batch holds no punches.")
    if len(items) > punches.MAX_BATCH:
        raise ApiError(400, "batch_too_large", f"A batch may hold at most {punches.MAX_BATCH:,} "
                       f"punches, not {len(items):,}.", {"max": punches.MAX_BATCH})
    ctx = current()
    result = punches.ingest(ctx.engine, items, plant_tz=ctx.settings.plant_tz, now=ctx.now())
    return jsonify(result), 200
