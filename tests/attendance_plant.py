"""Punches for the small plant (tests/factories.py), with the attendance worked out by hand.

Days D (Mon 2026-03-02) .. D+4 (Fri, the weekly off of shift A); D+3 is a plant holiday.
Shift A 08:00-17:00, break 60 (mid-point 12:30), grace 5/5, half day 4 h, absent 2 h, windows
60/60, weekly off Fri. Shift B 20:00-05:00 (night), break 60, no thresholds, no weekly off.

E001 L01/A  D:   IN 07:50, OUT 17:05 -> from 08:00: 545 - 60 = 485, overtime 5, P
            D+1: IN 08:20, OUT 17:00 -> 460, late 20 (> 5 grace), P
            D+2: nothing -> A (no in_time); D+3: PH
            D+4 (WO): IN 09:00, OUT 13:00 -> 240 - 60 (covers 12:30) = 180, HD, all overtime
E002 L01/A  D:   IN 08:00, OUT 10:00 -> 120: not < 120 (absent) but < 240 -> HD; early 420
            D+1: IN 08:00, IN 08:00:30 (doubled), no OUT -> missing_out, 0 min -> A
            D+2: IN 08:00, OUT 17:00 -> 480 P; D+3 PH; D+4 WO
E003 L02/B  D:   IN 19:55, OUT D+1 05:10 -> 20:00..05:10 = 550 - 60 = 490, overtime 10, P
            D+1, D+2, D+4: no punch -> A; D+3 PH; D+2 13:00 IN: in no window -> unmatched
E004 L02/A  joined D+2: D+2 IN 08:00, OUT 17:00 -> P; D+3 PH; D+4 WO; nothing before D+2
E005 L01/A  last day D: BOTH 08:00, BOTH 17:00 -> IN/OUT, 480, P; nothing after D

Totals D..D+4 (scheduled = working days): P 6, HD 1, A 5, scheduled 12, WO 2, PH 4
-> attendance (6 + 0.5) / 12 = 54.1667 %; absent without punch 4; missing OUT 1; late 1;
early exits 1; overtime 5 + 180 + 10 = 195 min.
L01: scheduled 7, P 4, HD 1, A 2 -> 64.2857 %. L02: scheduled 5, P 2, A 3 -> 40 %.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import update

from data import db, schema
from tests.factories import D, small_plant

NOW = datetime(2026, 3, 7, 12, 0)  # D+4's windows (night shift: until D+5 06:00) have closed
HOLIDAY = D + timedelta(days=3)


def at(day_offset: int, hhmm: str) -> datetime:
    day = D + timedelta(days=day_offset)
    parts = [int(x) for x in hhmm.split(":")]
    return datetime(day.year, day.month, day.day, *parts)


PUNCHES = [
    ("E001", 0, "07:50", "IN"), ("E001", 0, "17:05", "OUT"),
    ("E001", 1, "08:20", "IN"), ("E001", 1, "17:00", "OUT"),
    ("E001", 4, "09:00", "IN"), ("E001", 4, "13:00", "OUT"),
    ("E002", 0, "08:00", "IN"), ("E002", 0, "10:00", "OUT"),
    ("E002", 1, "08:00", "IN"), ("E002", 1, "08:00:30", "IN"),
    ("E002", 2, "08:00", "IN"), ("E002", 2, "17:00", "OUT"),
    ("E003", 0, "19:55", "IN"), ("E003", 1, "05:10", "OUT"), ("E003", 2, "13:00", "IN"),
    ("E004", 2, "08:00", "IN"), ("E004", 2, "17:00", "OUT"),
    ("E005", 0, "08:00", "BOTH"), ("E005", 0, "17:00", "BOTH"),
]


def people(day_from: date = D) -> list[dict]:
    def emp(code, name, line, shift, device, joined=None, left=None, dept="Sewing"):
        return {"emp_code": code, "name": name, "department": dept, "designation": "Operator",
                "line_code": line, "shift_code": shift, "device_user_id": device,
                "date_joined": joined, "date_left": left, "is_placeholder": False}
    return [emp("E001", "Asha", "L01", "A", "101"), emp("E002", "Bina", "L01", "A", "102"),
            emp("E003", "Chandra", "L02", "B", "103", dept="Finishing"),
            emp("E004", "Dipa", "L02", "A", "104", joined=D + timedelta(days=2)),
            emp("E005", "Esha", "L01", "A", "105", left=D)]


def attendance_plant(engine, punches: bool = True) -> None:
    small_plant(engine)
    with engine.begin() as conn:
        conn.execute(update(schema.shifts).where(schema.shifts.c.shift_code == "A").values(
            late_grace_min=5, early_grace_min=5, half_day_hours=4, absent_hours=2,
            checkin_before_min=60, checkout_after_min=60, ot_min_minutes=0, weekly_off="Fri"))
        conn.execute(update(schema.shifts).where(schema.shifts.c.shift_code == "B").values(
            checkin_before_min=60, checkout_after_min=60, weekly_off=None))
        db.upsert(conn, schema.employees, people())
        db.upsert(conn, schema.holidays, [{"date": HOLIDAY, "name": "Test holiday"}])
        if punches:
            db.upsert(conn, schema.punches, [
                {"emp_code": e, "ts": at(day, hhmm), "direction": d, "device_id": "T1",
                 "received_at": at(day, hhmm)} for e, day, hhmm, d in PUNCHES])
        db.bump_data_version(conn)
