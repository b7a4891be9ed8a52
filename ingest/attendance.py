"""process-attendance: raw punches -> attendance_daily, idempotent and incremental.

A day is computed once the punch windows of every shift of that day have closed (before that an
employee still on their way would read as absent). Without a range, a run recomputes
- the days that closed since the last run (meta `attendance_until`), and
- the days around punches not processed yet (`punches.processed` is null: new from the API, an
  attlog or a CSV import), since a late punch can change its day, the day before (a night shift)
  or the day after (an early check-in window).
With --start/--end every closed day of the range is recomputed (after a shift or holiday change).
Only records that differ are written and stale ones deleted, so a second run changes nothing.
Each run of consecutive days is processed in chunks of CHUNK_DAYS, one transaction each.
"""
from __future__ import annotations

import logging
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import and_, bindparam, delete, or_, select, tuple_, update

from data import db, schema
from ingest import rollups
from ingest.csv_rules import ts_window
from metrics import attendance as att
from metrics.calendar import date_runs
from queries import attendance as q, common

log = logging.getLogger(__name__)

CHUNK_DAYS = 31
UNTIL_KEY = "attendance_until"
VALUE_COLUMNS = ["shift_code", "status", "in_time", "out_time", "work_minutes",
                 "overtime_minutes", "late_minutes", "early_exit_minutes", "missing_out",
                 "punch_count", "line_code", "department", "day_type"]
AD = schema.attendance_daily
P = schema.punches


@dataclass
class ProcessReport:
    days: list[tuple[date, date]] = field(default_factory=list)  # ranges recomputed
    records: int = 0  # records computed
    written: int = 0  # new or changed
    deleted: int = 0
    punches: int = 0  # punches read
    unmatched: int = 0  # of those, in no window
    closed_until: date | None = None
    seconds: float = 0.0
    skipped: int = 0  # punches stored outside the plant-plausible window, left out
    skipped_examples: list[str] = field(default_factory=list)  # the first few, "E001 at <ts>"

    @property
    def day_count(self) -> int:
        return sum((b - a).days + 1 for a, b in self.days)


def process_attendance(engine, now: datetime, *, start: date | None = None,
                       end: date | None = None, default_shift: str | None = None,
                       conn=None) -> ProcessReport:
    """Recompute what changed (see the module doc); `now` is naive plant-local.

    With `conn`, everything happens in the caller's transaction and the caller bumps the data
    version; otherwise each chunk is its own transaction and bumps it when something changed.
    """
    t0 = time.perf_counter()
    report = ProcessReport()
    window = ts_window(now)  # a punch stored outside it (by hand, or before it was checked)
    with _tx(engine, conn) as c:
        shifts = common.shifts(c)
        if shifts.empty:
            return report
        closed = att.last_closed_day(now, shifts)
        report.closed_until = closed
        forced = start is not None or end is not None
        if forced:
            first = start or q.first_punch_day(c, window) or closed
            days = _days(first, min(end or closed, closed))
        else:
            days = _dirty_days(c, closed, window)
        _report_outside(c, window, report)
        employees = q.employees(c)
        keep_rollup(c)
    for a, b in date_runs(days):
        chunk = a
        while chunk <= b:
            last = min(b, chunk + timedelta(days=CHUNK_DAYS - 1))
            with _tx(engine, conn) as c:
                _process_chunk(c, chunk, last, shifts, employees, default_shift, now, report,
                               bump=conn is None)
            report.days.append((chunk, last))
            chunk = last + timedelta(days=1)
    if not forced:
        with _tx(engine, conn) as c:
            db.set_meta(c, UNTIL_KEY, closed.isoformat())
    report.seconds = time.perf_counter() - t0
    log.info("attendance: %d days, %d records (%d written, %d deleted), %d punches (%d "
             "unmatched) in %.2f s", report.day_count, report.records, report.written,
             report.deleted, report.punches, report.unmatched, report.seconds)
    return report


def as_processed(punches: pd.DataFrame, shifts: pd.DataFrame, now: datetime) -> pd.DataFrame:
    """The punches with the flags a first run at `now` leaves before it flags the unmatched ones:
    processed and matched up to the last closed day, inside the plausible window; unset after.
    A bulk load writes them so, and its run then has no million-row UPDATE to make."""
    lo, hi = ts_window(now)
    closed = att.last_closed_day(now, shifts) if not shifts.empty else None
    ts = pd.to_datetime(punches["ts"])
    done = pd.Series(False, index=punches.index)
    if closed is not None:
        done = (ts >= pd.Timestamp(lo)) & (ts <= pd.Timestamp(hi)) \
            & (ts < pd.Timestamp(_midnight(closed + timedelta(days=1))))
    flag = pd.Series(None, index=punches.index, dtype=object)
    return punches.assign(processed=flag.where(~done, True), unmatched=flag.where(~done, False))


def keep_rollup(conn) -> None:
    """Build attendance_day from every record if it has not been kept so far (a database made
    before it existed); from then on each processed chunk writes its own days."""
    if not q.day_rollup_kept(conn):
        rollups.rebuild_attendance(conn)


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _report_outside(conn, window, report: ProcessReport) -> None:
    """Count and log the punches left out for being outside the plausible window."""
    report.skipped, rows = q.punches_outside(conn, window)
    report.skipped_examples = [f"{emp} at {ts.isoformat()}" for emp, ts in rows]
    if report.skipped:
        log.warning("attendance: %d punch(es) outside the plausible window (%s to %s) left out:"
                    " %s", report.skipped, window[0], window[1],
                    ", ".join(report.skipped_examples))


def _dirty_days(conn, closed: date, window) -> list[date]:
    until = db.get_meta(conn, UNTIL_KEY)
    dirty: set[date] = set()
    floor = date.min
    if until is None:  # the first run starts at the first punch: nothing is known before it
        floor = q.first_punch_day(conn, window) or closed + timedelta(days=1)
        dirty.update(_days(floor, closed))
    else:
        dirty.update(_days(date.fromisoformat(until) + timedelta(days=1), closed))
    for day in q.unprocessed_days(conn, window):
        dirty.update(d for d in (day - timedelta(days=1), day, day + timedelta(days=1))
                     if floor <= d <= closed)
    return sorted(dirty)


def _midnight(d: date) -> datetime:
    return datetime(d.year, d.month, d.day)


@contextmanager
def _tx(engine, conn):
    """The caller's connection when given, else a transaction of our own."""
    if conn is not None:
        yield conn
    else:
        with engine.begin() as own:
            yield own


def _process_chunk(conn, first: date, last: date, shifts, employees, default_shift, now,
                   report: ProcessReport, *, bump: bool = True) -> None:
    # punches of the day before and after too: windows reach across midnight both ways
    lo, hi = _midnight(first - timedelta(days=2)), _midnight(last + timedelta(days=3))
    raw = q.punches_between(conn, lo, hi)
    holidays = q.holidays(conn, first, last)
    records, assigned = att.daily_records(raw, employees, shifts, holidays, first, last,
                                          default_shift)
    info = employees.set_index("emp_code")[["line_code", "department"]]
    records["line_code"] = records["emp_code"].map(info["line_code"])
    records["department"] = records["emp_code"].map(info["department"])
    existing = q.records_between(conn, first, last)
    changed, stale, replaced = _diff(records, existing)
    # changed records are deleted and inserted again rather than upserted row by row: on
    # PostgreSQL the bench's first run took 20.5 s with ON CONFLICT DO UPDATE, 7.9 s with COPY
    gone = stale + replaced
    for i in range(0, len(gone), 500):
        part = gone[i:i + 500]
        conn.execute(delete(AD).where(tuple_(AD.c.emp_code, AD.c.date).in_(part)))
    if len(changed):
        _insert(conn, changed.assign(computed_at=now))
    if len(changed) or gone:
        rollups.rebuild_attendance_days(conn, first, last)
    # punches whose candidate days all lie in this chunk are now decided
    mine = assigned[(assigned["ts"] >= _midnight(first))
                    & (assigned["ts"] < _midnight(last + timedelta(days=1)))]
    in_range = and_(P.c.ts >= _midnight(first), P.c.ts < _midnight(last + timedelta(days=1)))
    marked = conn.execute(update(P).where(in_range, or_(P.c.processed.is_(None),
                                                        P.c.processed.is_(False)))
                          .values(processed=True, unmatched=False)).rowcount
    lost = mine[mine["unmatched"]]
    was = set(conn.execute(select(P.c.emp_code, P.c.ts, P.c.direction)
                           .where(in_range, P.c.unmatched.is_(True))).all())
    now_lost = {(e, pd.Timestamp(t).to_pydatetime(), d)
                for e, t, d in zip(lost["emp_code"], lost["ts"], lost["direction"])}
    was = {(e, pd.Timestamp(t).to_pydatetime(), d) for e, t, d in was}
    flips = [(k, True) for k in now_lost - was] + [(k, False) for k in was - now_lost]
    if flips:
        conn.execute(update(P).where(P.c.emp_code == bindparam("e"), P.c.ts == bindparam("t"),
                                     P.c.direction == bindparam("d"))
                     .values(unmatched=bindparam("u")),
                     [{"e": e, "t": t, "d": d, "u": u} for (e, t, d), u in flips])
    if bump and (len(changed) or stale or flips or marked):
        db.bump_data_version(conn)
    report.records += len(records)
    report.written += len(changed)
    report.deleted += len(stale)
    report.punches += len(mine)
    report.unmatched += len(lost)


def _insert(conn, df: pd.DataFrame) -> None:
    """Insert records in bulk (COPY on PostgreSQL: row-by-row upserts were the machine's
    bottleneck at ~170 us a row)."""
    db.bulk_insert(conn, AD, df)


def _comparable(df: pd.DataFrame) -> pd.DataFrame:
    """Values in one representation whatever the backend returned (floats to 1e-6)."""
    out = pd.DataFrame({"emp_code": df["emp_code"].astype(str),
                        "date": pd.to_datetime(df["date"]).dt.strftime("%Y-%m-%d")})
    for col in VALUE_COLUMNS:
        s = df[col] if col in df else pd.Series(None, index=df.index, dtype=object)
        if col in ("in_time", "out_time"):
            s = pd.to_datetime(s).dt.strftime("%Y-%m-%dT%H:%M:%S.%f")
        elif col in ("work_minutes", "overtime_minutes", "late_minutes", "early_exit_minutes"):
            s = pd.to_numeric(s, errors="coerce").round(6)
        elif col == "missing_out":
            s = s.astype("boolean").fillna(False).astype(bool)
        elif col == "punch_count":
            s = pd.to_numeric(s, errors="coerce").fillna(0).astype(int)
        else:
            s = s.astype(object).where(s.notna(), None)
        out[col] = s.astype(object).where(pd.notna(s), None).to_numpy()
    return out


def _diff(new: pd.DataFrame, old: pd.DataFrame
          ) -> tuple[pd.DataFrame, list[tuple], list[tuple]]:
    """(records of `new` that are new or differ from `old`, keys of `old` not in `new`, keys of
    `old` whose record changed)."""
    a = _comparable(new)
    if old.empty:
        return new, [], []
    b = _comparable(old)
    merged = a.merge(b, on=["emp_code", "date"], how="outer", suffixes=("", "_old"),
                     indicator=True)
    stale = merged[merged["_merge"] == "right_only"]
    stale_keys = [(e, date.fromisoformat(d)) for e, d in zip(stale["emp_code"], stale["date"])]
    both = merged[merged["_merge"] != "right_only"]
    differs = np.zeros(len(both), dtype=bool)
    for col in VALUE_COLUMNS:
        x, y = both[col].to_numpy(dtype=object), both[f"{col}_old"].to_numpy(dtype=object)
        differs |= np.array([not _same(u, v) for u, v in zip(x, y)], dtype=bool)
    keys = set(zip(both.loc[differs, "emp_code"], both.loc[differs, "date"]))
    mask = [(e, d) in keys for e, d in zip(a["emp_code"], a["date"])]
    was_there = both["_merge"] == "both"
    again = both[differs & was_there]
    replaced = [(e, date.fromisoformat(d)) for e, d in zip(again["emp_code"], again["date"])]
    return new[mask], stale_keys, replaced


def _same(u, v) -> bool:
    if u is None or (isinstance(u, float) and u != u):
        return v is None or (isinstance(v, float) and v != v)
    return u == v


def forget_progress(conn) -> None:
    """After the plant data is replaced: the next run starts from the first punch again."""
    db.delete_meta(conn, UNTIL_KEY)
