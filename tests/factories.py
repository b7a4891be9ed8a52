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

from datetime import date, timedelta

from data import db, schema

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
        db.bump_data_version(conn)


def _p(day, line, hour, style, stage, qty):
    return {"date": day, "shift_code": "A", "line_code": line, "hour": hour, "style_code": style,
            "stage": stage, "qty": qty}
