"""Workforce reports: attendance (SPEC sections 4 and 5) for the page, the API and the Overview.

Every count comes from attendance_daily (computed by process-attendance) aggregated in SQL; the
ratios are ratios of sums (metrics.attendance.add_attendance_pct).
"""
from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd

from metrics import attendance as m
from queries import attendance as q, common
from reports.cache import cached_report
from core.filters import Filters, scoped_lines
from reports.kpis import Kpi, kpi
from reports.thresholds import with_light
from reports.series import TrendSeries
from reports.view import View

HEAT_MAX_EMPLOYEES = 60  # the heat map shows the people with the most absences first
API_MAX_ROWS = 100_000
GROUPS = {"line": "line_code", "department": "department", "shift": "shift_code",
          "date": "date", "emp": "emp_code"}


def _summary(conn, filters, keys, scope, emps=(), departments=()) -> pd.DataFrame:
    return m.add_attendance_pct(q.summary_by(conn, filters, keys, scope, emps, departments))


BREAKDOWNS = {"line": "line_code", "department": "department", "shift": "shift_code"}


def _summary_sorted(conn, filters, key: str, scope) -> pd.DataFrame:
    """The measures summed by one key, in its order with a missing value last (a group of its
    own), with the ratios."""
    df = q.summary_by(conn, filters, [key], scope)
    return m.add_attendance_pct(df.sort_values(key, na_position="last", kind="stable",
                                               ignore_index=True))


def _total(df: pd.DataFrame) -> dict:
    """One row of sums as a dict (ratios of the sums), also for an empty window."""
    sums = {c: float(df[c].sum()) if not df.empty else 0.0 for c in q.MEASURES}
    row = m.add_attendance_pct(pd.DataFrame([sums])).iloc[0].to_dict()
    row["overtime_hours"] = row["overtime_minutes"] / 60.0
    return {k: (None if isinstance(v, float) and v != v else v) for k, v in row.items()}


@cached_report("workforce")
def workforce(ctx, filters: Filters, scope=None) -> dict:
    """The Workforce page: totals, daily trend, by line/department/shift, heat map, unmatched."""
    with ctx.engine.connect() as conn:
        # by day and by each group from attendance_day (a few hundred rows in all: a year of a
        # large plant by day, line, department and shift at once is ~40,000), by employee from
        # attendance_month and the window's partial months
        daily = _summary_sorted(conn, filters, "date", scope)
        by = {name: _summary_sorted(conn, filters, key, scope)
              for name, key in BREAKDOWNS.items()}
        per_emp = q.summary_by(conn, filters, ["emp_code"], scope)
        heat_emps = _heat_employees(per_emp)
        cells = q.heat_cells(conn, filters, heat_emps, scope)
        names = q.employee_names(conn, per_emp["emp_code"].tolist()) if not per_emp.empty \
            else pd.DataFrame(columns=["emp_code", "name", "line_code", "department",
                                       "shift_code", "is_placeholder"])
        unmatched = q.unmatched_punches(conn, filters, scope)
    people = per_emp.merge(names, on="emp_code", how="left")
    people = m.add_attendance_pct(people).sort_values(["A", "HD", "late_count"],
                                                      ascending=False)
    by = {name: _with_hours(df) for name, df in by.items()}
    return {"total": _total(daily), "daily": daily, "by": by, "heat": cells,
            "heat_employees": people[people["emp_code"].isin(heat_emps)].reset_index(drop=True),
            "employees": people.reset_index(drop=True), "unmatched": unmatched,
            "groups": _lit(ctx, groups_frame(by))}


def _lit(ctx, groups: pd.DataFrame) -> pd.DataFrame:
    """Attendance's traffic light on each group: a line's own thresholds, else the plant's."""
    if groups.empty:
        return groups
    lines = [g if by == "Line" else None for by, g in zip(groups["by"], groups["group"])]
    return with_light(ctx, groups, "attendance_pct", "attendance_status", lines)


GROUP_LABELS = (("line", "line_code", "Line"), ("department", "department", "Department"),
                ("shift", "shift_code", "Shift"))


def _with_hours(df: pd.DataFrame) -> pd.DataFrame:
    return df.assign(overtime_hours=df["overtime_minutes"] / 60.0)


def groups_frame(by: dict) -> pd.DataFrame:
    """Lines, departments and shifts in one table: a `by` column names the grouping."""
    parts = [by[name].rename(columns={key: "group"}).assign(by=label)
             for name, key, label in GROUP_LABELS if not by[name].empty]
    if not parts:
        return pd.DataFrame()
    df = pd.concat(parts, ignore_index=True)
    df["group"] = df["group"].fillna("—")
    return df[["by", "group"] + [c for c in df.columns if c not in ("by", "group")]]


VIEW = View(
    "workforce", workforce,
    frames={"daily": "daily", "by-line": lambda r: r["by"]["line"], "heatmap": "heat",
            "groups": "groups", "unmatched": "unmatched"},
    values={"summary": "total"})


def _heat_employees(per_emp: pd.DataFrame) -> list[str]:
    if per_emp.empty:
        return []
    ranked = per_emp.assign(trouble=per_emp["A"] * 2 + per_emp["HD"] + per_emp["missing_out"])
    ranked = ranked.sort_values(["trouble", "late_count", "emp_code"],
                                ascending=[False, False, True])
    return ranked["emp_code"].head(HEAT_MAX_EMPLOYEES).tolist()


@cached_report("workforce_employee")
def employee_days(ctx, filters: Filters, emp_code: str, scope=None) -> dict | None:
    """One employee's days in the window and their punches as the engine read them (which day,
    which direction, doubled or unmatched). None when the employee is unknown or out of scope."""
    with ctx.engine.connect() as conn:
        person = q.employees(conn, [emp_code])
        if person.empty:
            return None
        lines = scoped_lines((), scope)
        if lines is not None and person.iloc[0]["line_code"] not in lines:
            return None
        days = q.daily(conn, Filters(filters.start, filters.end), None, emps=[emp_code])
        lo = datetime.combine(filters.start - timedelta(days=2), datetime.min.time())
        hi = datetime.combine(filters.end + timedelta(days=3), datetime.min.time())
        raw = q.punches_between(conn, lo, hi, [emp_code], manual=True)
        shifts = common.shifts(conn)
        holidays = q.holidays(conn, filters.start, filters.end)
    _records, punches = m.daily_records(raw, person, shifts, holidays, filters.start,
                                        filters.end, ctx.settings.default_shift)
    if not punches.empty:
        punches = punches.merge(raw[["ts", "direction", "device_id", *q.MANUAL_COLUMNS]].assign(
            ts=pd.to_datetime(raw["ts"])), on=["ts", "direction"], how="left")
        # a punch entered by hand reads "by <who>: <reason>"; a device's is blank
        punches["manual"] = punches["manual"].fillna(False).astype(bool)
        punches["entered"] = [f"by {who or '?'}: {why}" if by_hand else ""
                              for by_hand, who, why in zip(punches["manual"],
                                                           punches["entered_by"],
                                                           punches["manual_reason"])]
        lo_day, hi_day = pd.Timestamp(filters.start), pd.Timestamp(filters.end)
        shown = punches["ts"].dt.normalize().between(lo_day, hi_day)
        in_window = pd.to_datetime(punches["date"]).between(lo_day, hi_day)
        punches = punches[shown | in_window].reset_index(drop=True)
    totals = _total(_emp_sums(days))
    return {"employee": person.iloc[0].to_dict(), "days": days, "punches": punches,
            "total": totals}


def _emp_sums(days: pd.DataFrame) -> pd.DataFrame:
    """The summary measures of one employee's records (the same rules as the SQL)."""
    working = days["day_type"].fillna("W") == "W"
    row = {s: int(((days["status"] == s) & working).sum()) for s in ("P", "A", "HD")}
    row.update({s: int((days["status"] == s).sum()) for s in ("WO", "PH")})
    row.update(scheduled_days=int(working.sum()),
               no_punch_days=int(((days["status"] == "A") & days["in_time"].isna()).sum()),
               late_count=int((days["late_minutes"] > 0).sum()),
               late_minutes=float(days["late_minutes"].sum()),
               early_exit_count=int((days["early_exit_minutes"] > 0).sum()),
               early_exit_minutes=float(days["early_exit_minutes"].sum()),
               overtime_minutes=float(days["overtime_minutes"].sum()),
               missing_out=int(days["missing_out"].astype(bool).sum()),
               work_minutes=float(days["work_minutes"].sum()), records=len(days))
    return pd.DataFrame([row])


# --- the API -----------------------------------------------------------------------------------

class TooManyRows(ValueError):
    pass


@cached_report("attendance_rows")
def attendance_rows(ctx, filters: Filters, scope=None, emps=(), departments=()) -> pd.DataFrame:
    """The daily records (SPEC section 7 /api/v1/attendance)."""
    with ctx.engine.connect() as conn:
        n = q.count_daily(conn, filters, scope, emps, departments)
        if n > API_MAX_ROWS:
            raise TooManyRows(f"{n:,} records match; narrow the dates, lines or employees "
                              f"to at most {API_MAX_ROWS:,}.")
        return q.daily(conn, filters, scope, emps, departments)


@cached_report("attendance_summary")
def attendance_summary(ctx, filters: Filters, keys: tuple[str, ...] = (), scope=None, emps=(),
                       departments=()) -> dict:
    """Counts by status and attendance_pct, grouped by keys, with a total."""
    with ctx.engine.connect() as conn:
        rows = _summary(conn, filters, list(keys), scope, emps, departments) if keys else None
        total = _total(_summary(conn, filters, [], scope, emps, departments))
    return {"rows": rows, "total": total}


# --- Overview and Trends -------------------------------------------------------------------------

def attendance_kpis(ctx, filters: Filters, scope) -> list[Kpi]:
    """The Overview's attendance card."""
    cur = attendance_summary(ctx, filters, (), scope)["total"]
    prev = attendance_summary(ctx, filters.previous(), (), scope)["total"]
    return [kpi("attendance_pct", "Attendance", cur["attendance_pct"], prev["attendance_pct"],
                " %", digits=1)]


@cached_report("attendance_parts")
def attendance_parts(ctx, filters: Filters, scope=None) -> pd.DataFrame:
    """Per date and line: present_days (P + 0.5 x HD) and scheduled_days, for the Trends page:
    attendance_pct of any group = Σ present_days / Σ scheduled_days x 100."""
    with ctx.engine.connect() as conn:
        df = q.summary_by(conn, filters, ["date", "line_code"], scope,
                          sums=("P", "HD", "scheduled_days"))
    df["present_days"] = df["P"] + 0.5 * df["HD"]
    return df[["date", "line_code", "present_days", "scheduled_days"]]


@cached_report("workforce_people")
def employee_options(ctx, scope=None) -> pd.DataFrame:
    """Employees the user may drill to (their lines only for a line manager), by name."""
    with ctx.engine.connect() as conn:
        people = q.employees(conn)
    lines = scoped_lines((), scope)
    if lines is not None:
        people = people[people["line_code"].isin(lines)]
    return people.sort_values(["name", "emp_code"], na_position="last")[
        ["emp_code", "name", "line_code"]].reset_index(drop=True)


ATTENDANCE_SERIES = TrendSeries("attendance_pct", "Attendance", unit=" %", better="up", order=50,
                                num="present_days", den="scheduled_days", scale=100.0,
                                fn=attendance_parts)


MANUAL_PUNCH_ROLES = ("admin", "plant_head")


class PunchRefused(ValueError):
    """A manual punch that was not stored; the message is for the user."""


def enter_manual_punch(ctx, user, emp_code, ts, direction, reason) -> dict:
    """The drill's form: a punch HR enters by hand, as POST /api/v1/punches/manual does."""
    from ingest import punches
    if user is None or user.role not in MANUAL_PUNCH_ROLES:
        raise PunchRefused("Only admins and plant heads may enter punches by hand.")
    try:
        return punches.enter_manual(ctx.engine, {"emp_code": emp_code, "ts": ts,
                                                 "direction": direction, "reason": reason},
                                    username=user.username, plant_tz=ctx.settings.plant_tz,
                                    now=ctx.now(), default_shift=ctx.settings.default_shift)
    except punches.ManualPunchError as err:
        raise PunchRefused(err.message) from None
