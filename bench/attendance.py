"""Attendance benchmark: process-attendance for 2,000 employees x 30 days of punches.

    python bench/attendance.py                                  # a temporary SQLite file
    python bench/attendance.py --database-url postgresql+psycopg2://postgres@127.0.0.1:5432/fp_bench
    python bench/attendance.py --employees 200 --days 7         # quick

The PostgreSQL database given is emptied first. The plant: a day shift 08:00-17:00 (80 % of
people) and a night shift 20:00-05:00, both with a 60-minute break, grace 5/5, half day 4 h,
absent 2 h, windows 120/240 min, weekly off Friday. Each scheduled day 6 % are absent; the rest
punch IN about 15 minutes early (8 % late), OUT after the shift (3 % leave early, 1 % half
days), 1.2 % forget the OUT, 2 % punch twice within a minute, one terminal in ten sends BOTH.
It times: the engine alone on frames in memory; the first run of process-attendance (read,
compute, write every record); a second run (nothing changed: nothing written); and an
incremental run after a day of late punches arrives.
"""
from __future__ import annotations

import argparse
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from sqlalchemy import text  # noqa: E402

from harness import table, temp_sqlite_url  # noqa: E402
from data import db, schema  # noqa: E402
from ingest.attendance import process_attendance
from metrics import attendance as att  # noqa: E402

FIRST = date(2026, 3, 1)
RULES = dict(break_minutes=60, late_grace_min=5, early_grace_min=5, half_day_hours=4,
             absent_hours=2, checkin_before_min=120, checkout_after_min=240, ot_min_minutes=30,
             weekly_off="Fri")


def plant(employees: int, days: int, seed: int = 7):
    rng = np.random.default_rng(seed)
    shifts = pd.DataFrame([dict(shift_code="A", name="Day", start="08:00", end="17:00", **RULES),
                           dict(shift_code="B", name="Night", start="20:00", end="05:00",
                                **RULES)])
    codes = [f"W{i:05d}" for i in range(employees)]
    shift = np.where(rng.random(employees) < 0.8, "A", "B")
    staff = pd.DataFrame({"emp_code": codes, "name": codes, "department": "Sewing",
                          "line_code": [f"L{i % 40 + 1:02d}" for i in range(employees)],
                          "shift_code": shift, "date_joined": None, "date_left": None,
                          "is_placeholder": False})
    rows = []
    start_min = {"A": 8 * 60, "B": 20 * 60}
    for d in range(days):
        day = FIRST + timedelta(days=d)
        if day.weekday() == 4:
            continue
        base = pd.Timestamp(day)
        n = employees
        came = rng.random(n) >= 0.06
        late = rng.random(n) < 0.08
        in_off = np.where(late, rng.uniform(6, 60, n), rng.normal(-15, 7, n))
        q = rng.random(n)
        out_off = np.select([q < 0.01, q < 0.04], [rng.uniform(200, 230, n),
                                                   540 - rng.uniform(20, 150, n)],
                            540 + rng.uniform(1, 90, n))
        starts = np.array([start_min[s] for s in shift])
        for direction, off, keep in (("IN", in_off, came),
                                     ("OUT", out_off, came & (rng.random(n) >= 0.012))):
            ts = base + pd.to_timedelta((starts + off) * 60 + rng.uniform(0, 59, n), unit="s")
            part = pd.DataFrame({"emp_code": codes, "ts": ts.round("s"), "direction": direction})
            part = part[keep]
            twice = part[rng.random(len(part)) < 0.02].assign(
                ts=lambda f: f["ts"] + pd.Timedelta(seconds=20))
            rows += [part, twice]
    punches = pd.concat(rows, ignore_index=True)
    both = punches["emp_code"].str[-1] == "7"  # their terminal cannot tell IN from OUT
    punches.loc[both, "direction"] = "BOTH"
    punches["device_id"] = "T1"
    punches["received_at"] = punches["ts"]
    return shifts, staff, punches.drop_duplicates(["emp_code", "ts", "direction"])


def load(engine, shifts, staff, punches):
    db.create_schema(engine)
    with engine.begin() as conn:
        for tbl in (schema.attendance_daily, schema.punches, schema.employees, schema.shifts,
                    schema.holidays, schema.meta):
            conn.execute(tbl.delete())
        conn.execute(schema.shifts.insert(), shifts.to_dict("records"))
        conn.execute(schema.employees.insert(), staff.to_dict("records"))
        records = [{"emp_code": e, "ts": t.to_pydatetime(), "direction": d, "device_id": v,
                    "received_at": r.to_pydatetime()}
                   for e, t, d, v, r in punches.itertuples(index=False)]
        for i in range(0, len(records), 20_000):
            conn.execute(schema.punches.insert(), records[i:i + 20_000])


COLUMNS = [("run", "run", ""), ("days", "days", "d"), ("records", "records", ",d"),
           ("written", "written", ",d"), ("seconds", "seconds", ".2f")]


def run(url: str, employees: int, days: int) -> list[dict]:
    """Time the engine alone and three runs of process-attendance on `url` (its attendance,
    punch, employee and shift tables are emptied first and left empty on PostgreSQL)."""
    engine = db.get_engine(url)
    shifts, staff, punches = plant(employees, days)
    last = FIRST + timedelta(days=days - 1)
    now = datetime.combine(last + timedelta(days=2), datetime.min.time())
    print(f"attendance: {employees:,} employees x {days} days: {len(punches):,} punches on "
          f"{engine.dialect.name}", flush=True)

    t0 = time.perf_counter()
    records, _ = att.daily_records(punches, staff, shifts, [], FIRST, last)
    engine_s = time.perf_counter() - t0
    load(engine, shifts, staff, punches)

    first = process_attendance(engine, now)
    second = process_attendance(engine, now)
    late_day = FIRST + timedelta(days=days // 2)
    late = punches[punches["ts"].dt.date == late_day].assign(
        ts=lambda f: f["ts"] + pd.Timedelta(seconds=90))  # a terminal resending, 90 s later
    with engine.begin() as conn:
        conn.execute(schema.punches.insert(), [
            {"emp_code": e, "ts": t.to_pydatetime(), "direction": d, "device_id": "T2"}
            for e, t, d in zip(late["emp_code"], late["ts"], late["direction"])])
    third = process_attendance(engine, now)
    rows = [{"run": "engine only (in memory)", "days": days, "records": len(records),
             "written": None, "seconds": engine_s}]
    for name, r in (("process-attendance, first run", first),
                    ("second run (nothing changed)", second),
                    (f"{len(late):,} late punches on one day", third)):
        rows.append({"run": name, "days": r.day_count, "records": r.records,
                     "written": r.written, "seconds": r.seconds})
    if url.startswith("postgresql"):
        with engine.begin() as conn:
            conn.execute(text("TRUNCATE attendance_daily, punches, employees, shifts, meta"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--employees", type=int, default=2000)
    parser.add_argument("--days", type=int, default=30)
    args = parser.parse_args()
    url = args.database_url or temp_sqlite_url("fp-bench-att-")
    print(table(COLUMNS, run(url, args.employees, args.days)))


if __name__ == "__main__":
    main()
