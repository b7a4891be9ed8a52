"""A hand-made plant for the Engineering page and its endpoints (SPEC section 15).

Shift A, every day 480 working minutes, 5 operators, no helpers: 2,400 available minutes a day.
- Line E1 on 2 Mar (D1) runs S1 (smv 1.0): target 480, and the operator output of SPEC 15's
  example: O1 (smv 1.0) 500 pieces in 960 minutes by two operators, O2 (smv 2.0) 400 in 960 by
  two, O3 (smv 0.5) 520 in 480 by one -> 62.5, 50, 65 pieces an hour against 60; bottleneck O2;
  standard capacity 120, 60, 120; LBE 70 %.
- From 3 Mar E1 changes over to S2 (smv 2.0) and runs it for nine days: day k's output is
  600, 720, 840, 960, 1020, 1080, 1080, 1140, 1200 -> SMV efficiency 50, 60, 70, 80, 85, 90, 90,
  95, 100 %; steady (days 8-9) = 4,680 / 4,800 = 97.5 %; 90 % of it is 87.75 -> days_to_90 = 6;
  ramp targets 50, 60, 70, 80, 85, 90, 90, 95, 105 %.
- Line E2 runs S1 on D1 only, with one operator on O1 (100 pieces in 480 minutes): another line
  whose numbers must never leak into E1's.
- Line E3 has operator output on D1 but no plan rows (H = 0: every per-hour number is null).
"""
from __future__ import annotations

from datetime import date, timedelta

from data import db, schema
from ingest import rollups

D1 = date(2026, 3, 2)
S2_OUTPUT = [600, 720, 840, 960, 1020, 1080, 1080, 1140, 1200]
LAST = D1 + timedelta(days=len(S2_OUTPUT))


def _plan(day, line, style, target):
    return {"date": day, "shift_code": "A", "line_code": line, "style_code": style,
            "target_qty": target, "operators": 5, "helpers": 0, "working_minutes": 480}


def _out(day, line, style, qty):
    return {"date": day, "shift_code": "A", "line_code": line, "hour": 9, "style_code": style,
            "stage": "output", "qty": qty}


def _op(emp, line, operation, smv, qty, minutes, day=D1, style="S1"):
    return {"date": day, "shift_code": "A", "emp_code": emp, "operation": operation,
            "line_code": line, "style_code": style, "smv": smv, "qty": qty,
            "minutes_worked": minutes}


def engineering_plant(engine) -> None:
    days = [D1 + timedelta(days=i + 1) for i in range(len(S2_OUTPUT))]
    rows = {
        schema.lines: [{"line_code": c, "name": f"Line {c}"} for c in ("E1", "E2", "E3")],
        schema.shifts: [{"shift_code": "A", "name": "Day", "start": "08:00", "end": "17:00",
                         "break_minutes": 60}],
        schema.styles: [{"style_code": "S1", "description": "Tee", "smv": 1.0},
                        {"style_code": "S2", "description": "Polo", "smv": 2.0}],
        schema.line_plans: [_plan(D1, "E1", "S1", 480), _plan(D1, "E2", "S1", 480)]
        + [_plan(d, "E1", "S2", 1100) for d in days],
        schema.production: [_out(D1, "E1", "S1", 400), _out(D1, "E2", "S1", 100),
                            _out(D1, "E3", "S1", 50)]
        + [_out(d, "E1", "S2", q) for d, q in zip(days, S2_OUTPUT)],
        schema.operator_output: [
            _op("E01", "E1", "O1", 1.0, 250, 480), _op("E02", "E1", "O1", 1.0, 250, 480),
            _op("E03", "E1", "O2", 2.0, 200, 480), _op("E04", "E1", "O2", 2.0, 200, 480),
            _op("E05", "E1", "O3", 0.5, 520, 480),
            _op("E11", "E2", "O1", 1.0, 100, 480),
            _op("E21", "E3", "O1", 1.0, 50, 480),
        ],
    }
    with engine.begin() as conn:
        for table, data in rows.items():
            db.upsert(conn, table, data)
        rollups.rebuild_line_day(conn)  # as every write of production does
        db.bump_data_version(conn)
