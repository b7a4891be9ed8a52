"""A plant that is working right now: a shift that began three hours before the current
plant-local hour, so "the current shift" and "today" are whatever hour a test runs at.

Six lines, each planned 900 pcs over 540 working minutes (100 an hour, SMV 6.0, 30 operators),
with the output of the three hours gone in LINES (L01: 100 + 90 + 110 = 300).
"""
from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from data import db, schema
from ingest import rollups
from ingest.importer import import_folder

PLANT_TZ = "Asia/Dhaka"
# per line: output of the three hours gone, target 900 over 540 minutes (100 an hour)
LINES = {"L01": (100, 90, 110), "L02": (120, 100, 95), "L03": (80, 85, 70),
         "L04": (100, 100, 100), "L05": (60, 110, 105), "L06": (95, 99, 101)}


def live_plant(engine, lines: dict | None = None) -> datetime:
    """Lines L01-L06 (or `lines`: code -> three hourly counts) on a 9-hour shift that began 3
    hours before the current plant-local hour; returns that start."""
    lines = lines or LINES
    now = datetime.now(ZoneInfo(PLANT_TZ)).replace(tzinfo=None)
    start = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=3)
    end = start + timedelta(hours=9)
    day = start.date()
    rows = {
        schema.lines: [{"line_code": c, "name": f"Line {c[1:]}", "department": "Sewing"}
                       for c in lines],
        schema.shifts: [{"shift_code": "A", "name": "Day", "start": f"{start:%H:%M}",
                         "end": f"{end:%H:%M}", "break_minutes": 0}],
        schema.styles: [{"style_code": "S1", "description": "Polo", "smv": 6.0}],
        schema.line_plans: [{"date": day, "shift_code": "A", "line_code": c, "style_code": "S1",
                             "target_qty": 900, "operators": 30, "helpers": 0,
                             "working_minutes": 540} for c in lines],
        schema.production: [
            {"date": day, "shift_code": "A", "line_code": c,
             "hour": (start + timedelta(hours=i)).hour, "style_code": "S1", "stage": "output",
             "qty": qty} for c, counts in lines.items() for i, qty in enumerate(counts)],
    }
    with engine.begin() as conn:
        for table, data in rows.items():
            db.upsert(conn, table, data)
        rollups.rebuild_line_day(conn, [day])  # as every write of production does
        db.bump_data_version(conn)
    return start


def post_count(engine, tmp: Path, start: datetime, line: str, hours_in: int, qty: int) -> None:
    """A line-end counter sends an hour's count: the CSV importer's upsert (the real write path,
    which bumps the data version)."""
    folder = tmp / f"counts-{line}-{hours_in}-{qty}"
    folder.mkdir()
    hour = start + timedelta(hours=hours_in)
    (folder / "production.csv").write_text(
        "date,shift_code,line_code,hour,style_code,stage,qty\n"
        f"{start.date()},A,{line},{hour.hour},S1,output,{qty}\n")
    report = import_folder(engine, folder, plant_tz=PLANT_TZ)
    assert not report.errors, report.errors
