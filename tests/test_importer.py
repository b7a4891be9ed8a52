"""CSV folder import (SPEC section 2): every file, every kind of bad row, all-or-nothing, re-import,
time zones and production days. The folders are written here, to tmp_path."""
from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from textwrap import dedent

import pandas as pd
import pytest
from sqlalchemy import select

from data import db, schema
from ingest.csv_rules import FILES
from ingest.importer import import_folder
from metrics.calendar import to_plant_local

# One small plant that touches every file. Shift N runs 22:00-06:00 (a night shift).
GOOD = {
    "lines.csv": """
        line_code,name,department,floor
        L01,Line 1,Sewing,1
        L02,Line 2,Sewing,1
    """,
    "shifts.csv": """
        shift_code,name,start,end,break_minutes,late_grace_min,early_grace_min,half_day_hours,absent_hours,checkin_before_min,checkout_after_min,ot_min_minutes,weekly_off
        A,Day,08:00,17:00,60,5,5,4,2,60,60,30,Fri
        N,Night,22:00,06:00,30,5,5,4,2,,,30,Sat;Sun
    """,
    "styles.csv": """
        style_code,description,smv
        S1,Polo shirt,7.32
        S2,T-shirt,4.5
    """,
    "employees.csv": """
        emp_code,name,department,designation,line_code,shift_code,device_user_id,rfid,date_joined,date_left
        E001,Asha,Sewing,Operator,L01,A,1,RF1,2025-01-01,
        E002,Bina,Sewing,Operator,L02,N,2,RF2,2025-02-01,2026-02-28
    """,
    "holidays.csv": """
        date,name
        2026-03-26,Independence Day
    """,
    "machines.csv": """
        machine_code,line_code,type,make,model,installed_date,last_pm_date,pm_interval_days
        M01,L01,Lockstitch,Juki,DDL-8700,2024-01-01,2026-02-01,30
    """,
    "stations.csv": """
        station_code,name,type,line_code
        ST1,Station 1,sewing,L01
        ST2,Station 2,sewing,L02
    """,
    "work_orders.csv": """
        wo_number,style_code,line_code,order_qty,produced_qty,status,planned_start,due_date,released_at,started_at,completed_at
        WO1,S1,L01,5000,1200,IN_PROGRESS,2026-03-01,2026-03-20,2026-02-28T09:00:00,2026-03-01T08:00:00,
        WO2,S2,L02,1000,1000,COMPLETED,2026-02-01,2026-02-20,2026-01-30T09:00:00,2026-02-01T08:00:00,2026-02-18T16:00:00
        WO3,S2,L02,2000,0,DRAFT,,2026-04-30,,,
    """,
    "line_plans.csv": """
        date,shift_code,line_code,style_code,target_qty,operators,helpers,working_minutes
        2026-03-02,A,L01,S1,1200,36,2,540
        2026-03-02,N,L02,S2,800,30,,450
    """,
    "production.csv": """
        date,shift_code,line_code,hour,style_code,stage,qty
        2026-03-02,A,L01,8,S1,loading,150
        2026-03-02,A,L01,8,S1,output,120
        2026-03-02,A,L01,9,S1,output,130
        2026-03-02,A,L01,9,S1,packing,100
    """,
    "operator_output.csv": """
        date,shift_code,emp_code,operation,line_code,style_code,smv,qty,minutes_worked
        2026-03-02,A,E001,Collar attach,L01,S1,0.8,450,480
    """,
    "qc_checks.csv": """
        date,shift_code,line_code,hour,style_code,checked_qty,defective_qty
        2026-03-02,A,L01,9,S1,250,20
    """,
    "defects.csv": """
        defect_id,ts,line_code,style_code,emp_code,operation,reason,qty,repaired_ts
        D1,2026-03-02T09:15:00,L01,S1,E001,Collar attach,Broken stitch,2,2026-03-02T10:00:00
        D2,2026-03-03T02:00:00,L02,S2,E002,Hem,Skip stitch,1,
    """,
    "breakdowns.csv": """
        breakdown_id,line_code,machine_code,category,reason,start_ts,end_ts
        B1,L01,M01,Machine breakdown,Needle broken,2026-03-02T10:00:00,2026-03-02T10:25:00
        B2,L01,M01,Machine breakdown,Motor,2026-03-02T05:00:00+00:00,
    """,
    "punches.csv": """
        emp_code,ts,direction,device_id
        E001,2026-03-02T07:55:00,IN,DEV1
        E001,2026-03-02T17:05:00,OUT,DEV1
        E002,2026-03-02T21:50:00,BOTH,DEV1
    """,
    "events.csv": """
        event_id,ts,emp_code,station_code,event_type,confidence,count,model_version
        EV1,2026-03-02T08:00:00,E001,ST1,working,0.9,1,v1
        ,2026-03-02T08:20:00,E001,ST1,idle,0.8,,v1
        EV3,2026-03-02T08:30:00,E001,ST1,product_count,,5,v1
    """,
    "material_issues.csv": """
        wo_number,material_code,required_qty,issued_qty,unit
        WO1,FAB-01,7500,5000,m
        WO1,BTN-02,20000,,pcs
    """,
    "line_daily.csv": """
        date,line_code,department,smv,operators,target_productivity,actual_productivity,overtime_min,idle_min,idle_men,style_changes,wip,incentive
        2026-03-02,L01,sewing,7.32,38,0.8,0.57,960,0,0,0,1108,98
    """,
}

GOOD_COUNTS = {name: len(dedent(text).strip().splitlines()) - 1 for name, text in GOOD.items()}


def write_folder(path, files: dict[str, str], **changes: str | None):
    """Write `files` as CSVs into `path`; a keyword (lines_csv=...) replaces or (None) drops one."""
    files = dict(files)
    for key, text in changes.items():
        name = key.replace("_csv", ".csv")
        if text is None:
            files.pop(name, None)
        else:
            files[name] = text
    path.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (path / name).write_text(dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def table_counts(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return db.count_rows(conn, schema.DATA_TABLES)


def data_version(engine) -> int:
    with engine.connect() as conn:
        return db.get_data_version(conn)


def rows(engine, table, *where):
    with engine.connect() as conn:
        return conn.execute(select(table).where(*where)).mappings().all()


def test_every_file_of_the_spec_is_in_the_good_folder():
    assert set(GOOD) == {spec.filename for spec in FILES}


def test_good_folder_imports_every_file(engine, tmp_path):
    steps = []
    report = import_folder(engine, write_folder(tmp_path / "good", GOOD), username="admin",
                           progress=lambda fraction, message: steps.append((fraction, message)))

    assert report.errors == []
    assert report.ok
    assert steps[-1] == (1.0, "done")
    assert [f for f, _ in steps] == sorted(f for f, _ in steps)
    assert report.row_counts == GOOD_COUNTS
    assert table_counts(engine) == {f[:-4]: n for f, n in GOOD_COUNTS.items()} | {
        "attendance_daily": 0}  # computed from punches later, never imported
    assert data_version(engine) == 1

    (shift_n,) = rows(engine, schema.shifts, schema.shifts.c.shift_code == "N")
    assert (shift_n["weekly_off"], shift_n["checkin_before_min"]) == ("Sat;Sun", 60)  # default
    (plan,) = rows(engine, schema.line_plans, schema.line_plans.c.shift_code == "N")
    assert plan["helpers"] == 0 and plan["date"] == date(2026, 3, 2)
    (e002,) = rows(engine, schema.employees, schema.employees.c.emp_code == "E002")
    assert e002["date_left"] == date(2026, 2, 28) and e002["is_placeholder"] is False
    (wo3,) = rows(engine, schema.work_orders, schema.work_orders.c.wo_number == "WO3")
    assert wo3["status"] == "DRAFT" and wo3["released_at"] is None
    issued = {r["material_code"]: r["issued_qty"] for r in rows(engine, schema.material_issues)}
    assert issued == {"FAB-01": 5000, "BTN-02": 0}

    with engine.connect() as conn:
        (history,) = conn.execute(select(schema.imports)).mappings().all()
    assert (history["kind"], history["status"], history["username"]) == ("csv", "ok", "admin")
    assert history["source"] == str(tmp_path / "good")
    assert json.loads(history["row_counts"]) == GOOD_COUNTS
    assert json.loads(history["errors"]) == []
    assert history["started_at"] <= history["finished_at"]


def test_events_get_ids_counts_days_shifts_and_lines(engine, tmp_path):
    import_folder(engine, write_folder(tmp_path, GOOD))
    events = {r["ts"].strftime("%H:%M"): r for r in rows(engine, schema.events)}

    generated = events["08:20"]
    assert generated["event_id"] == hashlib.sha1(
        b"2026-03-02T08:20:00|E001|ST1|idle|1").hexdigest()
    assert generated["count"] == 1
    assert events["08:30"]["count"] == 5 and events["08:30"]["confidence"] is None
    for event in events.values():
        assert (event["date"], event["shift_code"], event["line_code"]) == (
            date(2026, 3, 2), "A", "L01")


def test_night_shift_defect_at_two_belongs_to_the_previous_day(engine, tmp_path):
    import_folder(engine, write_folder(tmp_path, GOOD))
    defects = {r["defect_id"]: r for r in rows(engine, schema.defects)}

    assert (defects["D2"]["date"], defects["D2"]["shift_code"], defects["D2"]["hour"]) == (
        date(2026, 3, 2), "N", 2)
    assert (defects["D1"]["date"], defects["D1"]["shift_code"], defects["D1"]["hour"]) == (
        date(2026, 3, 2), "A", 9)
    assert defects["D1"]["repaired_ts"] == datetime(2026, 3, 2, 10, 0)
    assert defects["D2"]["repaired_ts"] is None


def test_timestamp_with_offset_is_converted_to_plant_local(engine, tmp_path):
    import_folder(engine, write_folder(tmp_path, GOOD))
    (b2,) = rows(engine, schema.breakdowns, schema.breakdowns.c.breakdown_id == "B2")

    # 05:00 UTC is 11:00 in Dhaka (UTC+6); stored naive, plant-local
    assert b2["start_ts"] == datetime(2026, 3, 2, 11, 0)
    assert b2["start_ts"] == to_plant_local(pd.Series(["2026-03-02T05:00:00+00:00"]),
                                            "Asia/Dhaka")[0]
    assert (b2["date"], b2["shift_code"], b2["end_ts"]) == (date(2026, 3, 2), "A", None)


def test_reimport_updates_instead_of_duplicating(engine, tmp_path):
    folder = write_folder(tmp_path / "a", GOOD)
    assert import_folder(engine, folder).ok
    before = table_counts(engine)

    assert import_folder(engine, folder).ok
    assert table_counts(engine) == before
    assert data_version(engine) == 2

    changed = GOOD["production.csv"].replace("A,L01,9,S1,output,130", "A,L01,9,S1,output,135")
    assert import_folder(engine, write_folder(tmp_path / "b", GOOD, production_csv=changed)).ok
    assert table_counts(engine) == before
    (row,) = rows(engine, schema.production, schema.production.c.hour == 9,
                  schema.production.c.stage == "output")
    assert row["qty"] == 135


def test_a_bad_file_leaves_the_database_exactly_as_it_was(engine, tmp_path):
    assert import_folder(engine, write_folder(tmp_path / "a", GOOD)).ok
    counts, version = table_counts(engine), data_version(engine)

    bigger = GOOD["production.csv"].replace("output,130", "output,999")
    new_line = GOOD["lines.csv"] + "    L03,Line 3,Sewing,2\n"
    bad_qc = GOOD["qc_checks.csv"] + "    2026-03-02,A,L01,10,S1,ten,0\n"
    report = import_folder(engine, write_folder(
        tmp_path / "b", GOOD, production_csv=bigger, lines_csv=new_line, qc_checks_csv=bad_qc))

    assert not report.ok
    assert report.errors == ["qc_checks.csv:3: checked_qty: not a whole number: 'ten'"]
    assert table_counts(engine) == counts
    assert data_version(engine) == version
    (row,) = rows(engine, schema.production, schema.production.c.hour == 9,
                  schema.production.c.stage == "output")
    assert row["qty"] == 130
    with engine.connect() as conn:
        history = conn.execute(select(schema.imports).order_by(schema.imports.c.id)).mappings()
        statuses = [(h["status"], json.loads(h["errors"])) for h in history]
    assert statuses == [("ok", []), ("failed", report.errors)]


def test_codes_already_in_the_database_may_be_referenced(engine, tmp_path):
    assert import_folder(engine, write_folder(tmp_path / "masters", {
        name: GOOD[name] for name in ("lines.csv", "shifts.csv", "styles.csv")})).ok

    report = import_folder(engine, write_folder(tmp_path / "facts", {
        "production.csv": GOOD["production.csv"]}))

    assert report.errors == []
    assert report.row_counts == {"production.csv": 4}


PRODUCTION_HEAD = "date,shift_code,line_code,hour,style_code,stage,qty\n"
OK_ROW = "2026-03-02,A,L01,8,S1,output,120\n"


@pytest.mark.parametrize("change, expected", [
    ({"production_csv": PRODUCTION_HEAD + OK_ROW + "2026-13-01,A,L01,8,S1,output,120\n"},
     ["production.csv:3: date: not a date (YYYY-MM-DD): '2026-13-01'"]),
    ({"production_csv": PRODUCTION_HEAD + OK_ROW + "2026-03-02,A,L01,8,S1,loading,12.5\n"},
     ["production.csv:3: qty: not a whole number: '12.5'"]),
    ({"production_csv": PRODUCTION_HEAD + OK_ROW + "2026-03-02,A,L01,24,S1,loading,-1\n"},
     ["production.csv:3: hour: must be at most 23: '24'",
      "production.csv:3: qty: must not be negative: '-1'"]),
    ({"production_csv": PRODUCTION_HEAD + OK_ROW + "2026-03-02,A,L99,8,S1,output,1\n"},
     ["production.csv:3: line_code: unknown line_code 'L99'"]),
    ({"production_csv": PRODUCTION_HEAD + OK_ROW + "2026-03-02,A,L01,9,S1,cutting,5\n"},
     ["production.csv:3: stage: not one of loading, output, packing: 'cutting'"]),
    ({"production_csv": PRODUCTION_HEAD + OK_ROW + "2026-03-02,A,L02,8,S1,output,5\n"
                                                   "2026-03-02,A, L01 ,8,S1,output,7\n"},
     ["production.csv:4: date,shift_code,line_code,hour,style_code,stage: duplicate key "
      "2026-03-02/A/L01/8/S1/output (first on line 2)"]),
    ({"production_csv": "date,shift_code,line_code,style_code,qty\n2026-03-02,A,L01,S1,5\n"},
     ["production.csv:1: hour,stage: missing required columns"]),
    ({"styles_csv": "style_code,description,smv\nS1,Polo,0\nS2,Tee,\n"},
     ["styles.csv:2: smv: must be greater than 0: '0'", "styles.csv:3: smv: missing value"]),
    ({"work_orders_csv": GOOD["work_orders.csv"]
      + "    WO4,S1,L01,10,0,SHIPPED,,,,,\n"
      + "    WO5,S1,L01,10,0,COMPLETED,,,2026-03-01T08:00:00,,\n"
      + "    WO6,S1,L01,10,0,IN_PROGRESS,,,2026-03-02T08:00:00,2026-03-01T08:00:00,\n"},
     ["work_orders.csv:5: status: WORK_ORDER_BAD_STATUS: not one of DRAFT, RELEASED, "
      "IN_PROGRESS, ON_HOLD, COMPLETED, CANCELLED: 'SHIPPED'",
      "work_orders.csv:6: completed_at: WORK_ORDER_MISSING_TIMESTAMP: status COMPLETED needs "
      "completed_at",
      "work_orders.csv:7: started_at: WORK_ORDER_TIMESTAMPS_OUT_OF_ORDER: started_at before "
      "released_at"]),
    ({"breakdowns_csv": GOOD["breakdowns.csv"]
      + "    B3,L01,M01,Machine breakdown,Belt,2026-03-02T11:00:00,2026-03-02T10:00:00\n"},
     ["breakdowns.csv:4: end_ts: end_ts before start_ts"]),
    ({"defects_csv": GOOD["defects.csv"]
      + "    D3,2026-03-02T11:00,L01,S1,E001,Hem,Stain,1,2026-03-02T10:59\n"
      + "    D4,yesterday,L01,S1,E404,Hem,Stain,1,\n"},
     ["defects.csv:4: repaired_ts: repaired_ts before ts",
      "defects.csv:5: ts: not an ISO 8601 timestamp: 'yesterday'",
      "defects.csv:5: emp_code: unknown emp_code 'E404'"]),
    ({"punches_csv": GOOD["punches.csv"] + "    E001,2026-03-02T12:00:00,SIDEWAYS,DEV1\n"},
     ["punches.csv:5: direction: not one of IN, OUT, BOTH: 'SIDEWAYS'"]),
    ({"events_csv": GOOD["events.csv"] + "    EV9,2026-03-02T09:00:00,E001,ST1,dancing,1.5,1,v1\n"},
     ["events.csv:5: event_type: not one of working, idle, absent, product_count: 'dancing'",
      "events.csv:5: confidence: must be at most 1: '1.5'"]),
    ({"shifts_csv": "shift_code,start,end,weekly_off\nA,08:00,25:00,Friday\nN,22:00,6:00,Fri\n"},
     ["shifts.csv:2: end: not a time (HH:MM): '25:00'",
      "shifts.csv:2: weekly_off: not weekdays like Fri or Sat;Sun (Mon/Tue/Wed/Thu/Fri/Sat/Sun): "
      "'Friday'"]),
    ({"machines_csv": "machine_code,line_code,colour\nM01,L01,red\n"},
     ["machines.csv:1: colour: unknown column"]),
    ({"notes_csv": "a,b\n1,2\n"},
     ["notes.csv:1: -: unknown file; expected one of "
      + ", ".join(spec.filename for spec in FILES)]),
])
def test_bad_rows_are_reported_with_file_line_and_column(engine, tmp_path, change, expected):
    report = import_folder(engine, write_folder(tmp_path, GOOD, **change))

    assert not report.ok
    assert report.errors == expected
    assert table_counts(engine) == dict.fromkeys(table_counts(engine), 0)


def test_all_errors_of_all_files_are_collected(engine, tmp_path):
    report = import_folder(engine, write_folder(
        tmp_path, GOOD,
        lines_csv="line_code,name\nL01,One\n,No code\n",
        styles_csv="style_code,smv\nS1,x\nS2,4\n",
        qc_checks_csv="date,shift_code,line_code,hour,style_code,checked_qty,defective_qty\n"
                      "2026-03-02,A,L01,9,S1,20,25\n",
    ))

    assert report.errors[:2] == ["lines.csv:3: line_code: missing value",
                                 "styles.csv:2: smv: not a number: 'x'"]
    assert "qc_checks.csv:2: defective_qty: defective_qty greater than checked_qty" \
        in report.errors
    # L02 is gone from lines.csv, so every row naming it is an error too
    assert "employees.csv:3: line_code: unknown line_code 'L02'" in report.errors
    assert "stations.csv:3: line_code: unknown line_code 'L02'" in report.errors


def test_line_numbers_are_physical_lines(engine, tmp_path):
    (tmp_path / "lines.csv").write_text(
        "\ufeffline_code,name\r\n"
        "L01,\"Line one,\r\nthe long one\"\r\n"
        "\r\n"
        "L02,Line 2\r\n"
        "L01,again\r\n", encoding="utf-8")

    report = import_folder(engine, tmp_path)

    assert report.errors == ["lines.csv:6: line_code: duplicate key L01 (first on line 2)"]
    assert report.row_counts == {"lines.csv": 3}


def test_bom_and_padding_are_accepted(engine, tmp_path):
    (tmp_path / "lines.csv").write_text("\ufeff line_code , name\n  L01 , Line 1 \n",
                                        encoding="utf-8")

    assert import_folder(engine, tmp_path).ok
    assert [(r["line_code"], r["name"]) for r in rows(engine, schema.lines)] == [("L01", "Line 1")]


def test_a_folder_that_is_missing_or_not_csv_is_an_error(engine, tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "latin1").mkdir()
    (tmp_path / "latin1" / "lines.csv").write_bytes(b"line_code,name\nL01,Lin\xe9a\n")

    assert import_folder(engine, tmp_path / "nowhere").errors == [
        f"nowhere:0: -: not a folder: {tmp_path / 'nowhere'}"]
    assert import_folder(engine, tmp_path / "empty").errors == [
        "empty:0: -: no CSV files to import"]
    (error,) = import_folder(engine, tmp_path / "latin1").errors
    assert error.startswith("lines.csv:1: -: not UTF-8 text")
