"""/api/v1/attendance and POST /api/v1/punches (SPEC section 7)."""
from __future__ import annotations

from typing import Literal

from flask import jsonify, request
from pydantic import BaseModel, Field

from api.answers import Ingested, rows_answer
from api.bodies import batch_schema, item_schema, read_batch
from api.common import filters_from, require_ingest, scope
from auth.gate import request_user
from api.declare import route
from core.errors import ApiError
from api.params import Codes, Flag, grouped
from core.serialize import mapping, records
from ingest import datasets, punches
from reports import workforce as reports
from core.context import current

RECORD_FIELDS = ["emp_code", "date", "name", "line_code", "department", "shift_code",
                 "day_type", "status", "in_time", "out_time", "work_minutes", "overtime_minutes",
                 "late_minutes", "early_exit_minutes", "missing_out", "punch_count"]
SUMMARY_FIELDS = ["P", "A", "HD", "WO", "PH", "scheduled_days", "attendance_pct",
                  "absenteeism_pct", "no_punch_days", "late_count", "late_minutes",
                  "early_exit_count", "early_exit_minutes", "overtime_minutes", "missing_out"]


class AttendanceQuery(grouped("AttendanceWindow", reports.GROUPS, default="date")):
    emp: Codes = Field((), description="Employee codes (repeatable or comma-separated).")
    department: Codes = Field((), description="Departments.")
    summary: Flag = Field(False, description="1: counts by status and attendance % instead of "
                          "the daily records; rows only with group_by.")


# A punch names its employee by emp_code or by the device's user id (SPEC section 7).
PUNCH = item_schema("punches")
PUNCH["properties"]["device_user_id"] = {"type": "string",
                                         "description": "the employee's user id on the device"}
PUNCH["required"] = ["ts"]
PUNCH["anyOf"] = [{"required": ["emp_code"]}, {"required": ["device_user_id"]}]


@route("GET", "/v1/attendance", tag="workforce", query=AttendanceQuery,
       summary="Daily attendance records (SPEC section 5), or their summary",
       answers={200: rows_answer("Attendance", keys=reports.GROUPS.values(),
                                 columns=[], extra=RECORD_FIELDS + SUMMARY_FIELDS,
                                 total=SUMMARY_FIELDS, types={"missing_out": bool | float})},
       errors={400: ("bad_filter",), 422: ("too_many_rows",)})
def attendance(query: AttendanceQuery):
    filters = filters_from(query)
    emps, departments = query.emp, query.department
    ctx = current()
    if query.summary:
        keys = (query.group_by or ("date",)) if query.group_by is not None else ()
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


@route("POST", "/v1/punches", tag="workforce",
       summary="Ingest biometric punches (admins and ingest tokens)",
       body=batch_schema(PUNCH, "punches", datasets.MAX_ITEMS, min_items=1),
       answers={200: Ingested},
       errors={400: ("bad_json", "bad_batch", "empty_batch"), 413: ("batch_too_large",)})
def post_punches():
    require_ingest()
    items = read_batch("punches", max_items=datasets.MAX_ITEMS, max_bytes=datasets.MAX_BYTES,
                       noun="punches")
    if not items:
        raise ApiError(400, "empty_batch", "The batch holds no punches.")
    ctx = current()
    result = datasets.ingest_items(ctx.engine, "punches", items, plant_tz=ctx.settings.plant_tz,
                                   now=ctx.now(), source="punches")
    return jsonify(result.as_dict())


class ManualPunch(BaseModel):
    """A punch HR enters by hand (documented here; the view checks it with the ingestion rules
    after the role check)."""
    emp_code: str
    ts: str = Field(description="ISO 8601; without an offset it is plant-local time")
    direction: Literal["IN", "OUT"]
    reason: str = Field(min_length=1, max_length=punches.MAX_REASON,
                        description="why it is entered by hand (shown with the punch)")


class ManualPunchEntered(BaseModel):
    punch: dict
    recomputed_days: list[str] = Field(description="days of attendance computed again (closed "
                                       "days only; later days are computed when they close)")


MANUAL_ROLES = ("admin", "plant_head")


@route("POST", "/v1/punches/manual", tag="workforce", body=ManualPunch,
       summary="Enter a forgotten punch by hand (admins and plant heads)",
       answers={201: ManualPunchEntered},
       errors={400: ("bad_json", "bad_punch"), 404: ("unknown_employee",),
               409: ("punch_exists",)})
def post_manual_punch():
    """Stored marked manual with its reason and who entered it; the employee drill shows it
    apart, the audit log has it, and its day is computed again at once."""
    user = request_user()
    if user.role not in MANUAL_ROLES:
        raise ApiError(403, "forbidden", "Only admins and plant heads may enter punches by hand.")
    ctx = current()
    try:
        result = punches.enter_manual(ctx.engine, request.get_json(silent=True),
                                      username=user.username, plant_tz=ctx.settings.plant_tz,
                                      now=ctx.now(), default_shift=ctx.settings.default_shift)
    except punches.ManualPunchError as err:
        raise ApiError(err.status, err.code, err.message) from None
    return jsonify(result), 201
