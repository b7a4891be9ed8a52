"""The database schema: every table behind SPEC section 2, plus accounts and bookkeeping.

Timestamps are stored as naive plant-local datetimes (SPEC section 3). Facts that are bucketed by
production day, shift or hour carry those as plain columns filled at ingest, so the same portable
SQL runs on SQLite and PostgreSQL without dialect date functions at query time.
"""
from __future__ import annotations

from sqlalchemy import (
    BigInteger, Boolean, Column, Date, DateTime, Float, Index, Integer, MetaData, String, Table,
    Text, UniqueConstraint,
)

metadata = MetaData()

CODE = 64  # length of every code column (line_code, emp_code, ...)


def _code(name: str, **kw) -> Column:
    return Column(name, String(CODE), **kw)


# --- master data -------------------------------------------------------------------------------

lines = Table(
    "lines", metadata,
    _code("line_code", primary_key=True),
    Column("name", String(200)),
    Column("department", String(100)),
    Column("floor", String(50)),
)

shifts = Table(
    "shifts", metadata,
    _code("shift_code", primary_key=True),
    Column("name", String(200)),
    Column("start", String(5), nullable=False),  # HH:MM plant-local
    Column("end", String(5), nullable=False),  # end < start is a night shift
    Column("break_minutes", Integer, nullable=False, default=0),
    Column("late_grace_min", Integer, nullable=False, default=0),
    Column("early_grace_min", Integer, nullable=False, default=0),
    Column("half_day_hours", Float, nullable=False, default=0),
    Column("absent_hours", Float, nullable=False, default=0),
    Column("checkin_before_min", Integer, nullable=False, default=60),
    Column("checkout_after_min", Integer, nullable=False, default=60),
    Column("ot_min_minutes", Integer, nullable=False, default=0),
    Column("weekly_off", String(50)),  # "Fri" or "Sat;Sun"
)

styles = Table(
    "styles", metadata,
    _code("style_code", primary_key=True),
    Column("description", String(200)),
    Column("smv", Float, nullable=False),
)

employees = Table(
    "employees", metadata,
    _code("emp_code", primary_key=True),
    Column("name", String(200)),
    Column("department", String(100)),
    Column("designation", String(100)),
    _code("line_code"),
    _code("shift_code"),
    _code("device_user_id"),
    _code("rfid"),
    Column("date_joined", Date),
    Column("date_left", Date),
    Column("is_placeholder", Boolean, nullable=False, default=False),
    Index("ix_employees_device_user_id", "device_user_id"),
    Index("ix_employees_line_code", "line_code"),
)

holidays = Table(
    "holidays", metadata,
    Column("date", Date, primary_key=True),
    Column("name", String(200)),
)

machines = Table(
    "machines", metadata,
    _code("machine_code", primary_key=True),
    _code("line_code"),
    Column("type", String(100)),
    Column("make", String(100)),
    Column("model", String(100)),
    Column("installed_date", Date),
    Column("last_pm_date", Date),
    Column("pm_interval_days", Integer),
    Index("ix_machines_line_code", "line_code"),
)

stations = Table(
    "stations", metadata,
    _code("station_code", primary_key=True),
    Column("name", String(200)),
    Column("type", String(100)),
    _code("line_code"),
)

# --- production facts ----------------------------------------------------------------------------

line_plans = Table(
    "line_plans", metadata,
    Column("date", Date, primary_key=True),
    _code("shift_code", primary_key=True),
    _code("line_code", primary_key=True),
    _code("style_code"),
    Column("target_qty", Integer, nullable=False),
    Column("operators", Integer, nullable=False),
    Column("helpers", Integer, nullable=False, default=0),
    Column("working_minutes", Integer, nullable=False),
    Index("ix_line_plans_line_date", "line_code", "date"),
)

production = Table(
    "production", metadata,
    Column("date", Date, primary_key=True),
    _code("shift_code", primary_key=True),
    _code("line_code", primary_key=True),
    Column("hour", Integer, primary_key=True),
    _code("style_code", primary_key=True),
    Column("stage", String(16), primary_key=True),  # loading | output | packing
    Column("qty", Integer, nullable=False),
    Index("ix_production_line_date", "line_code", "date"),
    Index("ix_production_stage_date", "stage", "date"),
)

operator_output = Table(
    "operator_output", metadata,
    Column("date", Date, primary_key=True),
    _code("shift_code", primary_key=True),
    _code("emp_code", primary_key=True),
    Column("operation", String(100), primary_key=True),
    _code("line_code"),
    _code("style_code"),
    Column("smv", Float),
    Column("qty", Integer, nullable=False),
    Column("minutes_worked", Float),
    Index("ix_operator_output_line_date", "line_code", "date"),
)

qc_checks = Table(
    "qc_checks", metadata,
    Column("date", Date, primary_key=True),
    _code("shift_code", primary_key=True),
    _code("line_code", primary_key=True),
    Column("hour", Integer, primary_key=True),
    _code("style_code", primary_key=True),
    Column("checked_qty", Integer, nullable=False),
    Column("defective_qty", Integer, nullable=False),
    Index("ix_qc_checks_line_date", "line_code", "date"),
)

defects = Table(
    "defects", metadata,
    _code("defect_id", primary_key=True),
    Column("ts", DateTime, nullable=False),
    _code("line_code"),
    _code("style_code"),
    _code("emp_code"),
    Column("operation", String(100)),
    Column("reason", String(200)),
    Column("qty", Integer, nullable=False, default=1),
    Column("repaired_ts", DateTime),
    # production day / shift / hour of ts, filled at ingest (SPEC section 3)
    Column("date", Date, nullable=False),
    _code("shift_code"),
    Column("hour", Integer),
    Index("ix_defects_line_date", "line_code", "date"),
    Index("ix_defects_date", "date"),
)

breakdowns = Table(
    "breakdowns", metadata,
    _code("breakdown_id", primary_key=True),
    _code("line_code"),
    _code("machine_code"),
    Column("category", String(100)),
    Column("reason", String(200)),
    Column("start_ts", DateTime, nullable=False),
    Column("end_ts", DateTime),
    Column("date", Date, nullable=False),  # production day of start_ts
    _code("shift_code"),
    Index("ix_breakdowns_line_date", "line_code", "date"),
    Index("ix_breakdowns_start_ts", "start_ts"),
)

line_daily = Table(
    "line_daily", metadata,
    Column("date", Date, primary_key=True),
    _code("line_code", primary_key=True),
    Column("department", String(100)),
    Column("smv", Float),
    Column("operators", Float),
    Column("target_productivity", Float),
    Column("actual_productivity", Float),
    Column("overtime_min", Float),
    Column("idle_min", Float),
    Column("idle_men", Float),
    Column("style_changes", Integer),
    Column("wip", Float),
    Column("incentive", Float),
    Index("ix_line_daily_line_date", "line_code", "date"),
)

# --- people and cameras ------------------------------------------------------------------------

punches = Table(
    "punches", metadata,
    _code("emp_code", primary_key=True),
    Column("ts", DateTime, primary_key=True),
    Column("direction", String(4), primary_key=True),  # IN | OUT | BOTH
    _code("device_id"),
    Column("received_at", DateTime),
    # set by process-attendance: null until the punch's days were processed (then true), and
    # whether it fell in no window of its employee's shift (kept and reported, SPEC section 5)
    Column("processed", Boolean),
    Column("unmatched", Boolean),
    # a punch HR entered by hand (SPEC section 10): why, and who entered it
    Column("manual", Boolean),
    Column("manual_reason", Text),
    Column("entered_by", String(100)),
    Index("ix_punches_ts", "ts"),
)
# the Workforce page lists a window's unmatched punches: a few among a year's million
Index("ix_punches_unmatched", punches.c.ts, postgresql_where=punches.c.unmatched.is_(True),
      sqlite_where=punches.c.unmatched.is_(True))

attendance_daily = Table(
    "attendance_daily", metadata,
    _code("emp_code", primary_key=True),
    Column("date", Date, primary_key=True),
    _code("shift_code"),
    Column("status", String(2), nullable=False),  # P | A | HD | WO | PH
    Column("in_time", DateTime),
    Column("out_time", DateTime),
    Column("work_minutes", Float, nullable=False, default=0),
    Column("overtime_minutes", Float, nullable=False, default=0),
    Column("late_minutes", Float, nullable=False, default=0),
    Column("early_exit_minutes", Float, nullable=False, default=0),
    Column("missing_out", Boolean, nullable=False, default=False),
    Column("punch_count", Integer, nullable=False, default=0),
    Column("computed_at", DateTime),
    # the employee's line and department when computed, and W (working day), WO or PH: a worked
    # off day is P but not a scheduled day (attendance_pct)
    _code("line_code"),
    Column("department", String(100)),
    Column("day_type", String(2)),
    Index("ix_attendance_daily_date", "date"),
    Index("ix_attendance_daily_line_date", "line_code", "date"),
)

events = Table(
    "events", metadata,
    Column("event_id", String(128), primary_key=True),
    Column("ts", DateTime, nullable=False),
    _code("emp_code"),
    _code("station_code"),
    Column("event_type", String(16), nullable=False),  # working | idle | absent | product_count
    Column("confidence", Float),
    Column("count", Integer, nullable=False, default=1),
    Column("model_version", String(64)),
    Column("date", Date, nullable=False),
    _code("shift_code"),
    _code("line_code"),  # the station's line at ingest
    Index("ix_events_date_line", "date", "line_code"),
    # in the order utilisation's LEAD reads them (queries/utilisation.py): no sort needed
    Index("ix_events_day_worker", "date", "shift_code", "emp_code", "ts", "event_id"),
)

# --- pre-aggregated daily tables (data/rollups.py) -----------------------------------------------

# Utilisation's state minutes and units per production day, shift, line, station and worker: the
# LEAD pass over the events done once per day instead of on every uncached read.
util_daily = Table(
    "util_daily", metadata,
    Column("date", Date, nullable=False),
    _code("shift_code"),
    _code("line_code"),
    _code("station_code"),
    _code("emp_code"),
    Column("working_min", Float, nullable=False),
    Column("idle_min", Float, nullable=False),
    Column("absent_min", Float, nullable=False),
    Column("units", Integer, nullable=False),
    Index("ix_util_daily_date_line", "date", "line_code"),
)

# Production, end-of-line checks and defects per day, line, shift and style: what the Overview,
# Lines, Quality and Trends read by day (never by hour, reason or operation). A measure is NULL
# where its fact table has no row for the group, so a read finds exactly the groups the facts
# have. Written on load and import (data/rollups.py).
line_day = Table(
    "line_day", metadata,
    Column("date", Date, nullable=False),
    _code("line_code"),
    _code("shift_code"),
    _code("style_code"),
    *[Column(name, Integer) for name in ("prod_rows", "loading", "output", "packing", "checked",
                                          "defective", "defects", "repaired")],
    Index("ix_line_day_date_line", "date", "line_code"),
)

# Attendance counts per day, line, department and shift (the Workforce page's breakdowns, the
# Overview card, the Trends series): written with attendance_daily by process-attendance.
_ATTENDANCE_COUNTS = ("P", "A", "HD", "WO", "PH", "scheduled_days", "no_punch_days",
                      "late_count", "early_exit_count", "missing_out", "records")
_ATTENDANCE_SUMS = ("late_minutes", "early_exit_minutes", "overtime_minutes", "work_minutes")
attendance_day = Table(
    "attendance_day", metadata,
    Column("date", Date, nullable=False),
    _code("line_code"),
    Column("department", String(100)),
    _code("shift_code"),
    *[Column(name, Integer, nullable=False) for name in _ATTENDANCE_COUNTS],
    *[Column(name, Float) for name in _ATTENDANCE_SUMS],
    Index("ix_attendance_day_date", "date", "line_code"),
)

# Month rollups (ingest/rollups.py, read by queries/months.py): the year views read whole months
# here and the partial months at a window's edges from the facts. `month` is the month's first
# day. Each is written wherever its facts are (and built for older databases by migration 0011).

# attendance_daily per employee and month (the Workforce page's people grid), with the employee's
# line, department and shift as on the records (a transfer splits the month into two rows).
attendance_month = Table(
    "attendance_month", metadata,
    Column("month", Date, nullable=False),
    _code("emp_code"),
    _code("line_code"),
    Column("department", String(100)),
    _code("shift_code"),
    *[Column(name, Integer, nullable=False) for name in _ATTENDANCE_COUNTS],
    *[Column(name, Float) for name in _ATTENDANCE_SUMS],
    Index("ix_attendance_month_month", "month", "line_code"),
)

# defects per month, line, shift, style, reason and operation (the Quality page's Paretos).
defect_month = Table(
    "defect_month", metadata,
    Column("month", Date, nullable=False),
    _code("line_code"),
    _code("shift_code"),
    _code("style_code"),
    Column("reason", String(200)),
    Column("operation", String(100)),
    Column("defects", Integer),
    Column("repaired", Integer),
    Index("ix_defect_month_month", "month", "line_code"),
)

# operator_output per month, operator, line, shift, style and operation (the Lines page's
# operator grid): `day_bits` has bit d-1 set for each day d of the month the operator sewed the
# operation there (a fact's key is date, shift, operator and operation, so each day once), so
# the days an operator worked are counted exactly after OR-ing the bits over their rows.
operator_month = Table(
    "operator_month", metadata,
    Column("month", Date, nullable=False),
    _code("emp_code"),
    _code("line_code"),
    _code("shift_code"),
    _code("style_code"),
    Column("operation", String(100), nullable=False),
    Column("qty", Integer, nullable=False),
    Column("earned_minutes", Float),
    Column("minutes_worked", Float),
    Column("day_bits", BigInteger, nullable=False),
    Index("ix_operator_month_month", "month", "line_code"),
)

# Days whose rollup no longer matches the facts (events ingested since it was built): reads take
# them from the facts until `refresh-rollups` (or the next import) builds them again.
rollup_stale = Table(
    "rollup_stale", metadata,
    Column("rollup", String(40), primary_key=True),
    Column("date", Date, primary_key=True),
)

# --- orders --------------------------------------------------------------------------------------

work_orders = Table(
    "work_orders", metadata,
    _code("wo_number", primary_key=True),
    _code("style_code"),
    _code("line_code"),
    Column("order_qty", Integer, nullable=False),
    Column("produced_qty", Integer, nullable=False, default=0),
    Column("status", String(16), nullable=False),
    Column("planned_start", Date),
    Column("due_date", Date),
    Column("released_at", DateTime),
    Column("started_at", DateTime),
    Column("completed_at", DateTime),
    # stamped by the orders API's hold and cancel (SPEC section 13); not in work_orders.csv
    Column("held_at", DateTime),  # when last put on hold
    Column("cancelled_at", DateTime),
    Index("ix_work_orders_line", "line_code"),
)

material_issues = Table(
    "material_issues", metadata,
    _code("wo_number", primary_key=True),
    _code("material_code", primary_key=True),
    Column("required_qty", Float, nullable=False),
    Column("issued_qty", Float, nullable=False, default=0),
    Column("unit", String(20)),
)

# --- accounts and bookkeeping -------------------------------------------------------------------

users = Table(
    "users", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(100), nullable=False, unique=True),
    Column("password_hash", String(300), nullable=False),
    Column("role", String(20), nullable=False, default="viewer"),
    Column("lines", Text),  # comma-separated line scope for line managers; empty = all
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", DateTime),
    # bumped on sign-out and password change: every session cookie signed before is refused
    Column("session_gen", Integer, default=0, server_default="0"),
)

api_tokens = Table(
    "api_tokens", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", Integer, nullable=False),
    Column("token_hash", String(128), nullable=False, unique=True),
    Column("name", String(100)),
    # "read" tokens read the API; "ingest" tokens may also POST events and punches
    Column("purpose", String(20), default="read"),
    Column("created_at", DateTime),
    Column("last_used_at", DateTime),
    Column("revoked_at", DateTime),
)

imports = Table(
    "imports", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", Text),
    Column("kind", String(30)),
    Column("username", String(100)),
    Column("started_at", DateTime),
    Column("finished_at", DateTime),
    Column("status", String(10)),  # ok | failed
    Column("row_counts", Text),  # JSON {file: rows}
    Column("errors", Text),  # JSON list of "file:line: column: reason": the first 1,000
    Column("error_count", Integer),  # every error, kept or not (null before migration 0008)
    # JSON of what a kind records beyond rows and errors: a sync run's read, accepted, duplicates,
    # rejected, watermark before and after, seconds and error (the ETL log)
    Column("details", Text),
)

audit_log = Table(
    "audit_log", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ts", DateTime),
    Column("username", String(100)),
    Column("action", String(100)),
    Column("details", Text),
    # an operation on a work order (SPEC section 13): which order and its status before -> after;
    # the quantities it changed are in details
    _code("wo_number"),
    Column("status_before", String(16)),
    Column("status_after", String(16)),
    Index("ix_audit_log_wo_number", "wo_number"),
)

# --- alerts (SPEC section 11) --------------------------------------------------------------------

alert_rules = Table(
    "alert_rules", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(20), nullable=False),  # behind_target | dhu_above | machine_down | ...
    Column("threshold", Float, nullable=False),
    Column("min_checked", Integer),  # dhu_above: pieces checked before DHU means anything
    Column("lines", Text),  # comma-separated; empty = every line
    Column("for_min", Integer, nullable=False, default=0),
    Column("webhook_url", Text),
    Column("emails", Text),  # comma-separated addresses
    Column("name", String(200)),
    Column("created_at", DateTime),
    Column("created_by", String(100)),
    Column("deleted_at", DateTime),  # kept, not removed: its alerts' history still points here
)

alerts = Table(
    "alerts", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("rule_id", Integer, nullable=False),
    Column("subject", String(CODE), nullable=False),  # the line, machine or order code
    Column("line_code", String(CODE)),  # the subject's line: scopes who sees the alert
    Column("state", String(10), nullable=False),  # pending | firing | resolved
    # "rule_id:subject" while pending or firing, NULL once resolved: one live alert per
    # (rule, subject), enforced by the database on every backend (NULLs never collide)
    Column("live_key", String(100), unique=True),
    Column("since", DateTime, nullable=False),  # when the condition started to hold
    Column("fired_at", DateTime),
    Column("resolved_at", DateTime),
    Column("acked_at", DateTime),
    Column("acked_by", String(100)),
    Column("value", Float),  # the measured value at the last evaluation
    Column("threshold", Float),
    Column("message", Text),
    Column("updated_at", DateTime),
    Index("ix_alerts_state", "state", "line_code"),
)

# Notifications are written in the same transaction as the state change that causes them and sent
# afterwards, so a crash between the two loses nothing, and the unique key means a change is never
# announced twice on one channel.
alert_outbox = Table(
    "alert_outbox", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("alert_id", Integer, nullable=False),
    Column("event", String(10), nullable=False),  # firing | resolved
    Column("channel", String(10), nullable=False),  # webhook | email
    Column("target", Text, nullable=False),  # the URL, or the addresses
    Column("payload", Text, nullable=False),  # the webhook JSON, frozen at the state change
    Column("status", String(10), nullable=False, default="pending"),  # pending | sent | failed
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_try_at", DateTime, nullable=False),
    Column("last_error", Text),
    Column("created_at", DateTime),
    Column("sent_at", DateTime),
    UniqueConstraint("alert_id", "event", "channel", name="uq_alert_outbox_once"),
    Index("ix_alert_outbox_due", "status", "next_try_at"),
)

# One row a scheduled job (ingest/schedule.py): its lock (a lease, so a killed runner frees it)
# and its last run, for the Admin page.
job_state = Table(
    "job_state", metadata,
    Column("name", String(50), primary_key=True),
    Column("running_by", String(100)),  # host:pid:thread of the runner holding the lease
    Column("lease_until", DateTime),  # the lease; renewed while the job runs
    Column("last_started", DateTime),
    Column("last_finished", DateTime),
    Column("last_seconds", Float),
    Column("last_outcome", String(10)),  # ok | error
    Column("last_message", Text),
    Column("next_run", DateTime),
    Column("runs", Integer),
    Column("failures", Integer),
)

# Traffic-light thresholds (metrics/thresholds.py): one row a measure for the plant (line_code
# "") and one a measure for each line that overrides it; set on the Admin page.
thresholds = Table(
    "thresholds", metadata,
    Column("measure", String(30), primary_key=True),
    _code("line_code", primary_key=True),  # "" = the plant
    Column("green_at", Float, nullable=False),
    Column("amber_at", Float, nullable=False),
    Column("updated_at", DateTime),
    Column("updated_by", String(100)),
)

# A user's saved views: a name for a page and its URL filters (auth/saved_views.py).
saved_views = Table(
    "saved_views", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", Integer, nullable=False),
    Column("name", String(100), nullable=False),
    Column("path", String(300), nullable=False),
    Column("query", Text, nullable=False, default=""),  # "?start=...&lines=..." or ""
    Column("created_at", DateTime),
    UniqueConstraint("user_id", "name", name="uq_saved_views_user_name"),
)

meta = Table(
    "meta", metadata,
    Column("key", String(100), primary_key=True),
    Column("value", Text),
)

# Tables that hold plant data (not accounts/bookkeeping): "the database holds no data at all"
# means every one of these is empty.
DATA_TABLES = (
    lines, shifts, styles, employees, holidays, machines, stations, line_plans, production,
    operator_output, qc_checks, defects, breakdowns, line_daily, punches, attendance_daily,
    events, work_orders, material_issues,
)

# Derived from the data tables, never imported: emptied with them and rebuilt from them.
ROLLUP_TABLES = (util_daily, rollup_stale, attendance_day, line_day, attendance_month,
                 defect_month, operator_month)
