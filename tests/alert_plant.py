"""A small plant for the alert rules, numbers worked out by hand (SPEC sections 4 and 11).

Day D = 2026-03-02. Shift A 08:00-17:00 with a 60-minute break (taken 12:00-13:00), shift B
20:00-05:00 (a night shift).
- L01, shift A: plan 900 pcs over 480 working minutes; output 100 at 08, 80 at 09, 70 at 10.
  At 11:00, 180 working minutes have passed: target so far 900 x 180 / 480 = 337.5, and 250 /
  337.5 = 74.07 % -> behind_target fires at threshold 80, not at 70.
- L02, shift A: plan 480 over 480 minutes; output 60 at 08, 60 at 09, 60 at 10 -> at 11:00
  180 / 180 = 100 %: never behind.
- QC on D: L01 40 checked at 08 with defects 10 (DHU 25, but only 40 pieces checked).
- Machine L02-M01 broke at D 23:30 (night shift B) and is still open: at D+1 00:40 it has been
  down 70 minutes.
- Order WO1 (L01, S1): 1,000 pcs, 400 produced, due D+5. Output of S1 on L01 the 7 days before
  D: 200 a day -> 600 / 200 = 3 days -> projected D+3: on track.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from ingest import rollups
from data import db, schema

D = date(2026, 3, 2)


def at(hh: int, mm: int = 0, days: int = 0) -> datetime:
    return datetime(D.year, D.month, D.day, hh, mm) + timedelta(days=days)


def _p(day, line, hour, style, qty, stage="output", shift="A"):
    return {"date": day, "shift_code": shift, "line_code": line, "hour": hour,
            "style_code": style, "stage": stage, "qty": qty}


def alert_plant(engine) -> None:
    production = [_p(D, "L01", 8, "S1", 100), _p(D, "L01", 9, "S1", 80),
                  _p(D, "L01", 10, "S1", 70)]
    production += [_p(D, "L02", h, "S2", 60) for h in (8, 9, 10)]
    production += [_p(D - timedelta(days=k), "L01", 9, "S1", 200) for k in range(1, 8)]
    rows = {
        schema.lines: [{"line_code": "L01", "name": "Line 1"}, {"line_code": "L02",
                                                                "name": "Line 2"}],
        schema.shifts: [
            {"shift_code": "A", "name": "Day", "start": "08:00", "end": "17:00",
             "break_minutes": 60},
            {"shift_code": "B", "name": "Night", "start": "20:00", "end": "05:00",
             "break_minutes": 60},
        ],
        schema.styles: [{"style_code": "S1", "smv": 7.32}, {"style_code": "S2", "smv": 10.0}],
        schema.line_plans: [
            {"date": D, "shift_code": "A", "line_code": "L01", "style_code": "S1",
             "target_qty": 900, "operators": 30, "helpers": 2, "working_minutes": 480},
            {"date": D, "shift_code": "A", "line_code": "L02", "style_code": "S2",
             "target_qty": 480, "operators": 20, "helpers": 0, "working_minutes": 480},
        ],
        schema.production: production,
        schema.qc_checks: [{"date": D, "shift_code": "A", "line_code": "L01", "hour": 8,
                            "style_code": "S1", "checked_qty": 40, "defective_qty": 8}],
        schema.defects: [{"defect_id": "DF1", "ts": at(8, 30), "line_code": "L01",
                          "style_code": "S1", "reason": "Broken stitch", "qty": 10, "date": D,
                          "shift_code": "A", "hour": 8}],
        schema.machines: [{"machine_code": "L02-M01", "line_code": "L02", "type": "Overlock"}],
        schema.breakdowns: [{"breakdown_id": "BD1", "line_code": "L02",
                             "machine_code": "L02-M01", "category": "Machine breakdown",
                             "reason": "Motor fault", "start_ts": at(23, 30), "end_ts": None,
                             "date": D, "shift_code": "B"}],
        schema.work_orders: [{"wo_number": "WO1", "style_code": "S1", "line_code": "L01",
                              "order_qty": 1000, "produced_qty": 400, "status": "IN_PROGRESS",
                              "planned_start": D - timedelta(days=10),
                              "due_date": D + timedelta(days=5),
                              "released_at": at(8, days=-10), "started_at": at(8, days=-9)}],
    }
    with engine.begin() as conn:
        for table, data in rows.items():
            db.upsert(conn, table, data)
        db.bump_data_version(conn)


def upsert(engine, table, rows) -> None:
    with engine.begin() as conn:
        db.upsert(conn, table, rows)
        if table.name in rollups.LINE_DAY_FACTS:  # as every write of these facts does
            rollups.rebuild_line_day(conn, {r["date"] for r in rows})
        db.bump_data_version(conn)
