"""Cameras on the small plant (tests/factories.py): three stations, three workers, and camera
events on day D (2026-03-02, shift A 08:00-17:00) whose utilisation is worked out by hand.

EVENT_MAX_GAP_MIN = 30 (the default). Each state event lasts until the worker's next state event,
capped at 30 minutes and at the shift end (17:00).

W1 at ST1 (L01), SPEC section 6's example: working 08:00, idle 08:20, working 08:30, idle 09:00,
  working 10:00 (last) -> working 20 + 30 + 30 = 80, idle 10 + 30 (60 capped) = 40,
  utilisation 80 / 120 = 66.667 %. Units 5 (08:10, between two states) + 3 (08:45) = 8,
  8 / (80 / 60) = 6.0 an hour.
W2 at ST2 (L01): working 09:00, working 09:25 (a repeated state: a heartbeat), idle 09:40,
  absent 12:00, working 13:00, idle 13:10 (confidence 0.3), working 16:50 (10 min before the end).
  All events: working 25 + 15 + 10 + 10 (16:50 -> 17:00) = 60, idle 30 (09:40 -> 12:00 capped)
  + 30 (13:10 -> 16:50 capped) = 60, absent 30 (12:00 -> 13:00 capped); 60 / 120 = 50 %.
  Units 4 (09:10) + 10 (13:20, confidence 0.2) = 14.
  With EVENT_MIN_CONFIDENCE = 0.5 the 13:10 idle and the 13:20 count drop out: working 13:00 runs
  to 16:50, capped at 30 -> working 25 + 15 + 30 + 10 = 80, idle 30, absent 30, 80 / 110 =
  72.727 %, units 4.
W3 at ST3 (L02): idle 08:00, working 08:10 (last) -> idle 10, working 30, 75 %; units 6 (08:20),
  6 / 0.5 h = 12 an hour.

Plant, all events: working 80 + 60 + 30 = 170, idle 40 + 60 + 10 = 110, absent 30,
  170 / 280 = 60.714 %, units 28, 28 / (170 / 60) = 9.882 an hour.
  With EVENT_MIN_CONFIDENCE = 0.5: working 190, idle 80, 190 / 270 = 70.370 %, units 18.
Lines: L01 (W1, W2) working 140, idle 100 -> 58.333 %; L02 75 %.
Stations: ST1 occupancy 120, 66.667 %, 8 units / 2 h = 4.0 an hour; ST2 occupancy 120, 50 %,
  14 / 2 h = 7.0; ST3 occupancy 40, 75 %, 6 / (40 / 60) h = 9.0.
"""
from __future__ import annotations

from data import db, schema
from ingest import events
from tests.factories import D, small_plant

PLANT_TZ = "Asia/Dhaka"


def _ev(emp, station, hhmm, kind, count=None, confidence=0.9):
    item = {"ts": f"{D.isoformat()}T{hhmm}:00", "emp_code": emp, "station_code": station,
            "event_type": kind, "confidence": confidence}
    if count is not None:
        item["count"] = count
    return item


CAMERA_EVENTS = [
    _ev("W1", "ST1", "08:00", "working"), _ev("W1", "ST1", "08:10", "product_count", 5),
    _ev("W1", "ST1", "08:20", "idle"), _ev("W1", "ST1", "08:30", "working"),
    _ev("W1", "ST1", "08:45", "product_count", 3), _ev("W1", "ST1", "09:00", "idle"),
    _ev("W1", "ST1", "10:00", "working"),
    _ev("W2", "ST2", "09:00", "working"), _ev("W2", "ST2", "09:10", "product_count", 4),
    _ev("W2", "ST2", "09:25", "working"), _ev("W2", "ST2", "09:40", "idle"),
    _ev("W2", "ST2", "12:00", "absent"), _ev("W2", "ST2", "13:00", "working"),
    _ev("W2", "ST2", "13:10", "idle", confidence=0.3),
    _ev("W2", "ST2", "13:20", "product_count", 10, confidence=0.2),
    _ev("W2", "ST2", "16:50", "working"),
    _ev("W3", "ST3", "08:00", "idle"), _ev("W3", "ST3", "08:10", "working"),
    _ev("W3", "ST3", "08:20", "product_count", 6),
]


def cameras(engine) -> None:
    """Stations and camera workers on the small plant (no events)."""
    small_plant(engine)
    with engine.begin() as conn:
        db.upsert(conn, schema.stations, [
            {"station_code": "ST1", "name": "Station 1", "type": "Lockstitch", "line_code": "L01"},
            {"station_code": "ST2", "name": "Station 2", "type": "Overlock", "line_code": "L01"},
            {"station_code": "ST3", "name": "Station 3", "type": "Lockstitch", "line_code": "L02"},
        ])
        db.upsert(conn, schema.employees, [
            {"emp_code": "W1", "name": "Rina", "line_code": "L01", "shift_code": "A"},
            {"emp_code": "W2", "name": "Mita", "line_code": "L01", "shift_code": "A"},
            {"emp_code": "W3", "name": "Joya", "line_code": "L02", "shift_code": "A"},
        ])
        db.bump_data_version(conn)


def camera_plant(engine, items=None) -> None:
    """The small plant with cameras and CAMERA_EVENTS (in reverse: arrival order is no matter)."""
    cameras(engine)
    result = events.ingest(engine, list(reversed(items or CAMERA_EVENTS)), PLANT_TZ)
    assert result.rejected == [] and result.accepted == len(items or CAMERA_EVENTS)
