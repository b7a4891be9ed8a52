"""Baseline: the schema of release 1 (before migrations), frozen here.

Databases made by that release have these tables without an alembic_version table: data/migrate.py
tops them up to this (missing tables, and columns added since, as nullable, which is what the
release itself did) and stamps this revision. Never edit it: changes go in a new revision.

Revision ID: 0001
Revises:
Create Date: 2026-12-04
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

metadata = sa.MetaData()

CODE = 64


def _code(name: str, **kw) -> sa.Column:
    return sa.Column(name, sa.String(CODE), **kw)


# --- master data -------------------------------------------------------------------------------

lines = sa.Table(
    "lines", metadata,
    _code("line_code", primary_key=True),
    sa.Column("name", sa.String(200)),
    sa.Column("department", sa.String(100)),
    sa.Column("floor", sa.String(50)),
)

shifts = sa.Table(
    "shifts", metadata,
    _code("shift_code", primary_key=True),
    sa.Column("name", sa.String(200)),
    sa.Column("start", sa.String(5), nullable=False),  # HH:MM plant-local
    sa.Column("end", sa.String(5), nullable=False),  # end < start is a night shift
    sa.Column("break_minutes", sa.Integer, nullable=False, default=0),
    sa.Column("late_grace_min", sa.Integer, nullable=False, default=0),
    sa.Column("early_grace_min", sa.Integer, nullable=False, default=0),
    sa.Column("half_day_hours", sa.Float, nullable=False, default=0),
    sa.Column("absent_hours", sa.Float, nullable=False, default=0),
    sa.Column("checkin_before_min", sa.Integer, nullable=False, default=60),
    sa.Column("checkout_after_min", sa.Integer, nullable=False, default=60),
    sa.Column("ot_min_minutes", sa.Integer, nullable=False, default=0),
    sa.Column("weekly_off", sa.String(50)),  # "Fri" or "Sat;Sun"
)

styles = sa.Table(
    "styles", metadata,
    _code("style_code", primary_key=True),
    sa.Column("description", sa.String(200)),
    sa.Column("smv", sa.Float, nullable=False),
)

employees = sa.Table(
    "employees", metadata,
    _code("emp_code", primary_key=True),
    sa.Column("name", sa.String(200)),
    sa.Column("department", sa.String(100)),
    sa.Column("designation", sa.String(100)),
    _code("line_code"),
    _code("shift_code"),
    _code("device_user_id"),
    _code("rfid"),
    sa.Column("date_joined", sa.Date),
    sa.Column("date_left", sa.Date),
    sa.Column("is_placeholder", sa.Boolean, nullable=False, default=False),
    sa.Index("ix_employees_device_user_id", "device_user_id"),
    sa.Index("ix_employees_line_code", "line_code"),
)

holidays = sa.Table(
    "holidays", metadata,
    sa.Column("date", sa.Date, primary_key=True),
    sa.Column("name", sa.String(200)),
)

machines = sa.Table(
    "machines", metadata,
    _code("machine_code", primary_key=True),
    _code("line_code"),
    sa.Column("type", sa.String(100)),
    sa.Column("make", sa.String(100)),
    sa.Column("model", sa.String(100)),
    sa.Column("installed_date", sa.Date),
    sa.Column("last_pm_date", sa.Date),
    sa.Column("pm_interval_days", sa.Integer),
    sa.Index("ix_machines_line_code", "line_code"),
)

stations = sa.Table(
    "stations", metadata,
    _code("station_code", primary_key=True),
    sa.Column("name", sa.String(200)),
    sa.Column("type", sa.String(100)),
    _code("line_code"),
)

# --- production facts ----------------------------------------------------------------------------

line_plans = sa.Table(
    "line_plans", metadata,
    sa.Column("date", sa.Date, primary_key=True),
    _code("shift_code", primary_key=True),
    _code("line_code", primary_key=True),
    _code("style_code"),
    sa.Column("target_qty", sa.Integer, nullable=False),
    sa.Column("operators", sa.Integer, nullable=False),
    sa.Column("helpers", sa.Integer, nullable=False, default=0),
    sa.Column("working_minutes", sa.Integer, nullable=False),
    sa.Index("ix_line_plans_line_date", "line_code", "date"),
)

production = sa.Table(
    "production", metadata,
    sa.Column("date", sa.Date, primary_key=True),
    _code("shift_code", primary_key=True),
    _code("line_code", primary_key=True),
    sa.Column("hour", sa.Integer, primary_key=True),
    _code("style_code", primary_key=True),
    sa.Column("stage", sa.String(16), primary_key=True),  # loading | output | packing
    sa.Column("qty", sa.Integer, nullable=False),
    sa.Index("ix_production_line_date", "line_code", "date"),
    sa.Index("ix_production_stage_date", "stage", "date"),
)

operator_output = sa.Table(
    "operator_output", metadata,
    sa.Column("date", sa.Date, primary_key=True),
    _code("shift_code", primary_key=True),
    _code("emp_code", primary_key=True),
    sa.Column("operation", sa.String(100), primary_key=True),
    _code("line_code"),
    _code("style_code"),
    sa.Column("smv", sa.Float),
    sa.Column("qty", sa.Integer, nullable=False),
    sa.Column("minutes_worked", sa.Float),
    sa.Index("ix_operator_output_line_date", "line_code", "date"),
)

qc_checks = sa.Table(
    "qc_checks", metadata,
    sa.Column("date", sa.Date, primary_key=True),
    _code("shift_code", primary_key=True),
    _code("line_code", primary_key=True),
    sa.Column("hour", sa.Integer, primary_key=True),
    _code("style_code", primary_key=True),
    sa.Column("checked_qty", sa.Integer, nullable=False),
    sa.Column("defective_qty", sa.Integer, nullable=False),
    sa.Index("ix_qc_checks_line_date", "line_code", "date"),
)

defects = sa.Table(
    "defects", metadata,
    _code("defect_id", primary_key=True),
    sa.Column("ts", sa.DateTime, nullable=False),
    _code("line_code"),
    _code("style_code"),
    _code("emp_code"),
    sa.Column("operation", sa.String(100)),
    sa.Column("reason", sa.String(200)),
    sa.Column("qty", sa.Integer, nullable=False, default=1),
    sa.Column("repaired_ts", sa.DateTime),
    # production day / shift / hour of ts, filled at ingest (SPEC section 3)
    sa.Column("date", sa.Date, nullable=False),
    _code("shift_code"),
    sa.Column("hour", sa.Integer),
    sa.Index("ix_defects_line_date", "line_code", "date"),
    sa.Index("ix_defects_date", "date"),
)

breakdowns = sa.Table(
    "breakdowns", metadata,
    _code("breakdown_id", primary_key=True),
    _code("line_code"),
    _code("machine_code"),
    sa.Column("category", sa.String(100)),
    sa.Column("reason", sa.String(200)),
    sa.Column("start_ts", sa.DateTime, nullable=False),
    sa.Column("end_ts", sa.DateTime),
    sa.Column("date", sa.Date, nullable=False),  # production day of start_ts
    _code("shift_code"),
    sa.Index("ix_breakdowns_line_date", "line_code", "date"),
    sa.Index("ix_breakdowns_start_ts", "start_ts"),
)

line_daily = sa.Table(
    "line_daily", metadata,
    sa.Column("date", sa.Date, primary_key=True),
    _code("line_code", primary_key=True),
    sa.Column("department", sa.String(100)),
    sa.Column("smv", sa.Float),
    sa.Column("operators", sa.Float),
    sa.Column("target_productivity", sa.Float),
    sa.Column("actual_productivity", sa.Float),
    sa.Column("overtime_min", sa.Float),
    sa.Column("idle_min", sa.Float),
    sa.Column("idle_men", sa.Float),
    sa.Column("style_changes", sa.Integer),
    sa.Column("wip", sa.Float),
    sa.Column("incentive", sa.Float),
    sa.Index("ix_line_daily_line_date", "line_code", "date"),
)

# --- people and cameras ------------------------------------------------------------------------

punches = sa.Table(
    "punches", metadata,
    _code("emp_code", primary_key=True),
    sa.Column("ts", sa.DateTime, primary_key=True),
    sa.Column("direction", sa.String(4), primary_key=True),  # IN | OUT | BOTH
    _code("device_id"),
    sa.Column("received_at", sa.DateTime),
    # set by process-attendance: null until the punch's days were processed (then true), and
    # whether it fell in no window of its employee's shift (kept and reported, SPEC section 5)
    sa.Column("processed", sa.Boolean),
    sa.Column("unmatched", sa.Boolean),
    sa.Index("ix_punches_ts", "ts"),
)

attendance_daily = sa.Table(
    "attendance_daily", metadata,
    _code("emp_code", primary_key=True),
    sa.Column("date", sa.Date, primary_key=True),
    _code("shift_code"),
    sa.Column("status", sa.String(2), nullable=False),  # P | A | HD | WO | PH
    sa.Column("in_time", sa.DateTime),
    sa.Column("out_time", sa.DateTime),
    sa.Column("work_minutes", sa.Float, nullable=False, default=0),
    sa.Column("overtime_minutes", sa.Float, nullable=False, default=0),
    sa.Column("late_minutes", sa.Float, nullable=False, default=0),
    sa.Column("early_exit_minutes", sa.Float, nullable=False, default=0),
    sa.Column("missing_out", sa.Boolean, nullable=False, default=False),
    sa.Column("punch_count", sa.Integer, nullable=False, default=0),
    sa.Column("computed_at", sa.DateTime),
    # the employee's line and department when computed, and W (working day), WO or PH: a worked
    # off day is P but not a scheduled day (attendance_pct)
    _code("line_code"),
    sa.Column("department", sa.String(100)),
    sa.Column("day_type", sa.String(2)),
    sa.Index("ix_attendance_daily_date", "date"),
    sa.Index("ix_attendance_daily_line_date", "line_code", "date"),
)

events = sa.Table(
    "events", metadata,
    sa.Column("event_id", sa.String(128), primary_key=True),
    sa.Column("ts", sa.DateTime, nullable=False),
    _code("emp_code"),
    _code("station_code"),
    sa.Column("event_type", sa.String(16), nullable=False),  # working | idle | absent | product_count
    sa.Column("confidence", sa.Float),
    sa.Column("count", sa.Integer, nullable=False, default=1),
    sa.Column("model_version", sa.String(64)),
    sa.Column("date", sa.Date, nullable=False),
    _code("shift_code"),
    _code("line_code"),  # the station's line at ingest
    sa.Index("ix_events_date_line", "date", "line_code"),
    # in the order utilisation's LEAD reads them (queries/utilisation.py): no sort needed
    sa.Index("ix_events_day_worker", "date", "shift_code", "emp_code", "ts", "event_id"),
)

# --- pre-aggregated daily tables (data/rollups.py) -----------------------------------------------

util_daily = sa.Table(
    "util_daily", metadata,
    sa.Column("date", sa.Date, nullable=False),
    _code("shift_code"),
    _code("line_code"),
    _code("station_code"),
    _code("emp_code"),
    sa.Column("working_min", sa.Float, nullable=False),
    sa.Column("idle_min", sa.Float, nullable=False),
    sa.Column("absent_min", sa.Float, nullable=False),
    sa.Column("units", sa.Integer, nullable=False),
    sa.Index("ix_util_daily_date_line", "date", "line_code"),
)

line_day = sa.Table(
    "line_day", metadata,
    sa.Column("date", sa.Date, nullable=False),
    _code("line_code"),
    _code("shift_code"),
    _code("style_code"),
    *[sa.Column(name, sa.Integer) for name in ("prod_rows", "loading", "output", "packing", "checked",
                                          "defective", "defects", "repaired")],
    sa.Index("ix_line_day_date_line", "date", "line_code"),
)

_ATTENDANCE_COUNTS = ("P", "A", "HD", "WO", "PH", "scheduled_days", "no_punch_days",
                      "late_count", "early_exit_count", "missing_out", "records")
_ATTENDANCE_SUMS = ("late_minutes", "early_exit_minutes", "overtime_minutes", "work_minutes")
attendance_day = sa.Table(
    "attendance_day", metadata,
    sa.Column("date", sa.Date, nullable=False),
    _code("line_code"),
    sa.Column("department", sa.String(100)),
    _code("shift_code"),
    *[sa.Column(name, sa.Integer, nullable=False) for name in _ATTENDANCE_COUNTS],
    *[sa.Column(name, sa.Float) for name in _ATTENDANCE_SUMS],
    sa.Index("ix_attendance_day_date", "date", "line_code"),
)

rollup_stale = sa.Table(
    "rollup_stale", metadata,
    sa.Column("rollup", sa.String(40), primary_key=True),
    sa.Column("date", sa.Date, primary_key=True),
)

# --- orders --------------------------------------------------------------------------------------

work_orders = sa.Table(
    "work_orders", metadata,
    _code("wo_number", primary_key=True),
    _code("style_code"),
    _code("line_code"),
    sa.Column("order_qty", sa.Integer, nullable=False),
    sa.Column("produced_qty", sa.Integer, nullable=False, default=0),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("planned_start", sa.Date),
    sa.Column("due_date", sa.Date),
    sa.Column("released_at", sa.DateTime),
    sa.Column("started_at", sa.DateTime),
    sa.Column("completed_at", sa.DateTime),
    sa.Index("ix_work_orders_line", "line_code"),
)

material_issues = sa.Table(
    "material_issues", metadata,
    _code("wo_number", primary_key=True),
    _code("material_code", primary_key=True),
    sa.Column("required_qty", sa.Float, nullable=False),
    sa.Column("issued_qty", sa.Float, nullable=False, default=0),
    sa.Column("unit", sa.String(20)),
)

# --- accounts and bookkeeping -------------------------------------------------------------------

users = sa.Table(
    "users", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("username", sa.String(100), nullable=False, unique=True),
    sa.Column("password_hash", sa.String(300), nullable=False),
    sa.Column("role", sa.String(20), nullable=False, default="viewer"),
    sa.Column("lines", sa.Text),  # comma-separated line scope for line managers; empty = all
    sa.Column("active", sa.Boolean, nullable=False, default=True),
    sa.Column("created_at", sa.DateTime),
)

api_tokens = sa.Table(
    "api_tokens", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("user_id", sa.Integer, nullable=False),
    sa.Column("token_hash", sa.String(128), nullable=False, unique=True),
    sa.Column("name", sa.String(100)),
    # "read" tokens read the API; "ingest" tokens may also POST events and punches
    sa.Column("purpose", sa.String(20), default="read"),
    sa.Column("created_at", sa.DateTime),
    sa.Column("last_used_at", sa.DateTime),
    sa.Column("revoked_at", sa.DateTime),
)

imports = sa.Table(
    "imports", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("source", sa.Text),
    sa.Column("kind", sa.String(30)),
    sa.Column("username", sa.String(100)),
    sa.Column("started_at", sa.DateTime),
    sa.Column("finished_at", sa.DateTime),
    sa.Column("status", sa.String(10)),  # ok | failed
    sa.Column("row_counts", sa.Text),  # JSON {file: rows}
    sa.Column("errors", sa.Text),  # JSON list of "file:line: column: reason"
)

audit_log = sa.Table(
    "audit_log", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("ts", sa.DateTime),
    sa.Column("username", sa.String(100)),
    sa.Column("action", sa.String(100)),
    sa.Column("details", sa.Text),
)

meta = sa.Table(
    "meta", metadata,
    sa.Column("key", sa.String(100), primary_key=True),
    sa.Column("value", sa.Text),
)


def upgrade() -> None:
    metadata.create_all(op.get_bind())


def downgrade() -> None:
    metadata.drop_all(op.get_bind())
