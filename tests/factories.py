"""A small hand-made plant whose numbers are worked out by hand in the tests.

Day D = 2026-03-02 (Monday), shift A 08:00-17:00 with a 60-minute break.
- L01 runs style S1 (SMV 7.32): plan 2,000 pcs, 36 operators + 2 helpers, 540 min;
  output 200 an hour for 8 working hours = 1,600 -> efficiency 1600*7.32/(38*540) = 57.08 %,
  achievement 80 %. Loading: 100 the day before (nothing out), 1,700 on D -> WIP 200 at D's end.
- L02 runs style S2 (SMV 10): plan 400 pcs, 20 operators, 480 min; output 100 at 08, 09, 10
  = 300 -> efficiency 3000/9600 = 31.25 %, achievement 75 %. Loading 350 at 08 -> WIP 50.
Plant: output 1,900 of 2,400 = 79.1667 %; efficiency 14,712 / 30,120 = 48.8446 %.
Operator E001 on L01: 120 pcs of Side seam (SMV 1.5) in 300 min and 40 of Hemming (SMV 3.0) in
180 min -> (180 + 120) / 480 = 62.5 %, main operation Side seam (most minutes).
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta

from data import db, schema
from ingest import rollups

D = date(2026, 3, 2)


def small_plant(engine) -> None:
    rows = {
        schema.lines: [{"line_code": "L01", "name": "Line 1", "department": "Sewing", "floor": "1"},
                       {"line_code": "L02", "name": "Line 2", "department": "Sewing", "floor": "1"}],
        schema.shifts: [
            {"shift_code": "A", "name": "Day", "start": "08:00", "end": "17:00",
             "break_minutes": 60},
            {"shift_code": "B", "name": "Night", "start": "20:00", "end": "05:00",
             "break_minutes": 60},
        ],
        schema.styles: [{"style_code": "S1", "description": "Polo", "smv": 7.32},
                        {"style_code": "S2", "description": "Jacket", "smv": 10.0}],
        schema.line_plans: [
            {"date": D, "shift_code": "A", "line_code": "L01", "style_code": "S1",
             "target_qty": 2000, "operators": 36, "helpers": 2, "working_minutes": 540},
            {"date": D, "shift_code": "A", "line_code": "L02", "style_code": "S2",
             "target_qty": 400, "operators": 20, "helpers": 0, "working_minutes": 480},
        ],
    }
    production = [_p(D - timedelta(days=1), "L01", 8, "S1", "loading", 100),
                  _p(D, "L01", 8, "S1", "loading", 1700), _p(D, "L02", 8, "S2", "loading", 350)]
    production += [_p(D, "L01", h, "S1", "output", 200) for h in (8, 9, 10, 11, 13, 14, 15, 16)]
    production += [_p(D, "L02", h, "S2", "output", 100) for h in (8, 9, 10)]
    rows[schema.production] = production
    rows[schema.employees] = [{"emp_code": "E001", "name": "Asha", "line_code": "L01",
                               "shift_code": "A"}]
    rows[schema.operator_output] = [
        {"date": D, "shift_code": "A", "emp_code": "E001", "operation": "Side seam",
         "line_code": "L01", "style_code": "S1", "smv": 1.5, "qty": 120, "minutes_worked": 300},
        {"date": D, "shift_code": "A", "emp_code": "E001", "operation": "Hemming",
         "line_code": "L01", "style_code": "S1", "smv": 3.0, "qty": 40, "minutes_worked": 180},
    ]
    with engine.begin() as conn:
        for table, data in rows.items():
            db.upsert(conn, table, data)
        rollups.rebuild_line_day(conn)  # as every write of production, checks or defects does
        db.bump_data_version(conn)


def _p(day, line, hour, style, stage, qty):
    return {"date": day, "shift_code": "A", "line_code": line, "hour": hour, "style_code": style,
            "stage": stage, "qty": qty}


# --- quality and downtime (issue 4) --------------------------------------------------------------


def quality_downtime(engine) -> None:
    """Adds, on day D (shift A 08:00-17:00), numbers worked out by hand:

    QC checks: L01 150 checked / 12 defective at 08 and 100 / 8 at 09 (250 / 20); L02 50 / 10.
    Defects: L01 DF1 Broken stitch, Side seam, 20, repaired; DF2 Skip stitch, Hemming, 10, repaired;
    DF3 Broken stitch, Hemming, 5, open -> L01 35 defects in 250 checked: DHU 14.0 (SPEC's example),
    % defective 8.0, FPY 92.0, repaired 30 / 35 = 85.714 %. L02 DF4 Stain, Collar attach, 6, open ->
    DHU 12.0, % defective 20.0, FPY 80.0, repaired 0 %. Plant: 41 / 300 -> DHU 13.667, % defective
    10.0, FPY 90.0, repaired 30 / 41 = 73.171 %. Pareto by reason: Broken stitch 25 (60.98 %), Skip
    stitch 10 (85.37 %), Stain 6 (100 %).

    Machines: L01-M01 (PM D-80 + 90 d: due D+10), L01-M02 (D-70 + 60: due D-10, overdue),
    L01-M03 (no breakdowns; D-5 + 30: due D+25), L02-M01 (D-30 + 30: due D, today, not overdue).
    Breakdowns (production day D runs 08:00 to 08:00 the next morning, shift A being the earliest):
    BD1 L01-M01 D 09:00-09:30 = 30 min; BD2 L01-M02 from D-1 16:30 to D 08:24: 24 min in the window;
    BD3 L02-M01 from D 16:00, still open (at "now" D 16:45: 45 min); BD4 L02 style changeover
    D 10:00-11:00 = 60 min; BD5 L01-M01 D+2 (outside the window).
    L01 54 min, 2 breakdowns, MTTR 27; L02 105 min, 2, MTTR 60 (the open one is not repaired yet);
    plant 159 min, 4, MTTR 114 / 3 = 38.0, 1 open. Availability L01 (540 - 54) / 540 = 90 %,
    L02 (480 - 105) / 480 = 78.125 %, plant 861 / 1020 = 84.412 %. MTBF L01-M01 (540 - 30) / 1 = 510,
    L01-M02 516, L02-M01 435, L01-M03 none (no breakdowns).
    OEE = availability x performance x quality, performance = earned minutes / (manpower x
    (working minutes - downtime)): L01 0.9 x 11,712 / (38 x 486) x 0.92 = 52.510 %; L02 0.78125 x
    3,000 / (20 x 375) x 0.80 = 25.0 %; plant 861/1020 x 14,712 / 25,968 x 0.90 = 43.041 %.
    """
    def qc(line, hour, style, checked, defective):
        return {"date": D, "shift_code": "A", "line_code": line, "hour": hour,
                "style_code": style, "checked_qty": checked, "defective_qty": defective}

    def defect(did, line, style, hh, mm, reason, op, qty, repaired=None):
        ts = datetime(D.year, D.month, D.day, hh, mm)
        return {"defect_id": did, "ts": ts, "line_code": line, "style_code": style,
                "emp_code": "E001" if line == "L01" else None, "operation": op,
                "reason": reason, "qty": qty, "date": D, "shift_code": "A", "hour": hh,
                "repaired_ts": ts + timedelta(minutes=repaired) if repaired else None}

    def machine(code, line, kind, since, interval):
        return {"machine_code": code, "line_code": line, "type": kind, "make": "Juki",
                "model": "DDL-8700", "installed_date": date(2024, 1, 1),
                "last_pm_date": D - timedelta(days=since), "pm_interval_days": interval}

    def bd(bid, line, code, category, reason, start, end, day=D):
        return {"breakdown_id": bid, "line_code": line, "machine_code": code,
                "category": category, "reason": reason, "start_ts": start, "end_ts": end,
                "date": day, "shift_code": "A"}

    at = datetime(D.year, D.month, D.day)
    rows = {
        schema.qc_checks: [qc("L01", 8, "S1", 150, 12), qc("L01", 9, "S1", 100, 8),
                           qc("L02", 8, "S2", 50, 10)],
        schema.defects: [
            defect("DF1", "L01", "S1", 8, 10, "Broken stitch", "Side seam", 20, repaired=30),
            defect("DF2", "L01", "S1", 9, 5, "Skip stitch", "Hemming", 10, repaired=25),
            defect("DF3", "L01", "S1", 9, 20, "Broken stitch", "Hemming", 5),
            defect("DF4", "L02", "S2", 8, 30, "Stain", "Collar attach", 6),
        ],
        schema.machines: [machine("L01-M01", "L01", "Single needle lockstitch", 80, 90),
                          machine("L01-M02", "L01", "Overlock", 70, 60),
                          machine("L01-M03", "L01", "Flatlock", 5, 30),
                          machine("L02-M01", "L02", "Single needle lockstitch", 30, 30)],
        schema.breakdowns: [
            bd("BD1", "L01", "L01-M01", "Machine breakdown", "Needle breakage",
               at + timedelta(hours=9), at + timedelta(hours=9, minutes=30)),
            bd("BD2", "L01", "L01-M02", "Machine breakdown", "Motor fault",
               at - timedelta(hours=7, minutes=30), at + timedelta(hours=8, minutes=24),
               day=D - timedelta(days=1)),
            bd("BD3", "L02", "L02-M01", "Machine breakdown", "Oil leakage",
               at + timedelta(hours=16), None),
            bd("BD4", "L02", None, "Style changeover", "New style setup",
               at + timedelta(hours=10), at + timedelta(hours=11)),
            bd("BD5", "L01", "L01-M01", "Machine breakdown", "Thread breakage",
               at + timedelta(days=2, hours=10), at + timedelta(days=2, hours=10, minutes=20),
               day=D + timedelta(days=2)),
        ],
    }
    with engine.begin() as conn:
        for table, data in rows.items():
            db.upsert(conn, table, data)
        rollups.rebuild_line_day(conn)  # as every write of production, checks or defects does
        db.bump_data_version(conn)


@contextmanager
def recorded_sql(engine) -> Iterator[list[str]]:
    """The statements `engine` runs inside the block, whitespace collapsed."""
    from sqlalchemy import event
    seen: list[str] = []

    def record(conn, cursor, statement, *args):
        seen.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)
