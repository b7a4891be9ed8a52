"""process-attendance on SQLite and PostgreSQL: the hand-worked plant of tests/attendance_plant.py,
idempotence, incremental recomputation, unmatched punches, and the Workforce report numbers."""
from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest
from sqlalchemy import select

from data import db, schema
from ingest.attendance import process_attendance
from ingest.datasets import ingest_items
from core.context import Context
from reports import workforce
from core.filters import Filters
from settings import Settings
from tests.attendance_plant import NOW, at, attendance_plant
from tests.factories import D

WEEK = Filters(start=D, end=D + timedelta(days=4))


def _records(engine) -> pd.DataFrame:
    with engine.connect() as conn:
        rows = conn.execute(select(schema.attendance_daily)).mappings().all()
    df = pd.DataFrame([dict(r) for r in rows])
    df["date"] = pd.to_datetime(df["date"]).dt.date
    return df.set_index(["emp_code", "date"]).sort_index()


@pytest.fixture
def plant(engine):
    attendance_plant(engine)
    report = process_attendance(engine, NOW)
    return engine, report


def test_records_match_the_hand_worked_plant(plant):
    engine, report = plant
    r = _records(engine)
    day = lambda n: D + timedelta(days=n)  # noqa: E731
    status = r["status"].to_dict()
    assert [status[("E001", day(i))] for i in range(5)] == ["P", "P", "A", "PH", "HD"]
    assert [status[("E002", day(i))] for i in range(5)] == ["HD", "A", "P", "PH", "WO"]
    assert [status[("E003", day(i))] for i in range(5)] == ["P", "A", "A", "PH", "A"]
    assert [status[("E004", day(i))] for i in (2, 3, 4)] == ["P", "PH", "WO"]
    assert ("E004", day(1)) not in status and ("E005", day(1)) not in status
    assert status[("E005", day(0))] == "P"
    e1 = r.loc["E001"]
    assert (e1.loc[day(0), "work_minutes"], e1.loc[day(0), "overtime_minutes"]) == (485, 5)
    assert (e1.loc[day(1), "work_minutes"], e1.loc[day(1), "late_minutes"]) == (460, 20)
    assert pd.isna(e1.loc[day(2), "in_time"])  # absent without a punch
    assert (e1.loc[day(4), "work_minutes"], e1.loc[day(4), "overtime_minutes"],
            e1.loc[day(4), "day_type"]) == (180, 180, "WO")
    e2 = r.loc["E002"]
    assert (e2.loc[day(0), "work_minutes"], e2.loc[day(0), "early_exit_minutes"]) == (120, 420)
    assert bool(e2.loc[day(1), "missing_out"]) and e2.loc[day(1), "punch_count"] == 1
    e3 = r.loc["E003"].loc[day(0)]
    assert (e3["work_minutes"], e3["overtime_minutes"], e3["line_code"], e3["department"]) == (
        490, 10, "L02", "Finishing")
    assert report.unmatched == 1 and report.closed_until == day(4)


def test_running_twice_changes_nothing(plant):
    engine, _ = plant
    before = _records(engine)
    with engine.connect() as conn:
        version = db.get_data_version(conn)
    again = process_attendance(engine, NOW)
    assert (again.written, again.deleted, again.day_count) == (0, 0, 0)
    pd.testing.assert_frame_equal(_records(engine), before)
    with engine.connect() as conn:
        assert db.get_data_version(conn) == version  # caches stay valid


def test_a_late_punch_recomputes_only_its_days(plant):
    engine, _ = plant
    punches = [{"emp_code": "E001", "ts": at(2, "08:00").isoformat(), "direction": "IN"},
               {"emp_code": "E001", "ts": at(2, "17:00").isoformat(), "direction": "OUT"}]
    result = ingest_items(engine, "punches", punches, plant_tz="Asia/Dhaka", now=NOW)
    assert (result.accepted, result.duplicates, result.rejected) == (2, 0, [])
    report = process_attendance(engine, NOW)
    # days D+1..D+3 around the punches' day are recomputed; only E001 on D+2 changes
    assert report.days == [(D + timedelta(days=1), D + timedelta(days=3))]
    assert report.written == 1
    r = _records(engine).loc[("E001", D + timedelta(days=2))]
    assert (r["status"], r["work_minutes"]) == ("P", 480)
    assert process_attendance(engine, NOW).written == 0


def test_days_whose_windows_have_not_closed_wait(engine):
    attendance_plant(engine)
    # at D+1 06:30 shift B of D (until D+1 05:00 + 60) has closed: D is done, D+1 is not
    report = process_attendance(engine, at(1, "06:30"))
    assert report.closed_until == D
    assert set(_records(engine).reset_index()["date"]) == {D}
    # the next run picks up the days that closed, and D again: the night shift's OUT of
    # D+1 05:10 was not processed yet (it could have changed D); D itself does not change
    later = process_attendance(engine, NOW)
    assert later.days == [(D, D + timedelta(days=4))]
    # 5 + 5 + 5 + 3 (E004 from D+2) + 1 (E005 until D) = 19; 4 of them (D) existed
    assert len(_records(engine)) == 19 and later.written == 19 - 4


def test_unmatched_punch_is_kept_and_flagged(plant):
    engine, _ = plant
    with engine.connect() as conn:
        rows = conn.execute(select(schema.punches.c.emp_code, schema.punches.c.ts)
                            .where(schema.punches.c.unmatched.is_(True))).all()
        total = conn.execute(select(schema.punches.c.ts)).all()
    assert [(e, pd.Timestamp(t)) for e, t in rows] == [("E003", pd.Timestamp(at(2, "13:00")))]
    assert len(total) == 19  # nothing dropped


def test_forced_range_recomputes_after_a_rule_change(plant):
    engine, _ = plant
    from sqlalchemy import update
    with engine.begin() as conn:  # half day lowered to 1 h: E002's 120-minute day becomes P
        conn.execute(update(schema.shifts).where(schema.shifts.c.shift_code == "A")
                     .values(half_day_hours=1))
    assert process_attendance(engine, NOW).written == 0  # incremental: nothing new to see
    forced = process_attendance(engine, NOW, start=D, end=D)
    assert forced.days == [(D, D)] and forced.written >= 1
    assert _records(engine).loc[("E002", D), "status"] == "P"


@pytest.fixture
def ctx(engine, database_url, tmp_path):
    return Context.create(Settings(database_url=database_url, cache_dir=str(tmp_path / "c"),
                                   testing=True, secret_key="x", demo_data=False))


def test_workforce_report_numbers(plant, ctx):
    data = workforce.workforce(ctx, WEEK)
    t = data["total"]
    assert (t["P"], t["HD"], t["A"], t["scheduled_days"], t["WO"], t["PH"]) == (6, 1, 5, 12, 2, 4)
    assert t["attendance_pct"] == pytest.approx(6.5 / 12 * 100)
    assert (t["no_punch_days"], t["missing_out"], t["late_count"], t["early_exit_count"],
            t["overtime_minutes"]) == (4, 1, 1, 1, 195)
    by_line = data["by"]["line"].set_index("line_code")["attendance_pct"]
    assert by_line["L01"] == pytest.approx(4.5 / 7 * 100)
    assert by_line["L02"] == pytest.approx(40.0)
    assert list(data["unmatched"]["emp_code"]) == ["E003"]
    # a line manager of L02 sees only L02's people
    scoped = workforce.workforce(ctx, WEEK, ("L02",))["total"]
    assert scoped["scheduled_days"] == 5
    parts = workforce.attendance_parts(ctx, WEEK)
    assert parts["present_days"].sum() == 6.5 and parts["scheduled_days"].sum() == 12


def test_employee_drill(plant, ctx):
    data = workforce.employee_days(ctx, WEEK, "E002")
    assert list(data["days"]["status"]) == ["HD", "A", "P", "PH", "WO"]
    p = data["punches"]
    assert len(p) == 6 and int(p["duplicate"].sum()) == 1  # the doubled IN is shown, flagged
    assert workforce.employee_days(ctx, WEEK, "E002", ("L02",)) is None  # out of scope
    assert workforce.employee_days(ctx, WEEK, "NOPE") is None


def test_attendance_kpi_compares_with_the_previous_period(plant, ctx):
    card = workforce.attendance_kpis(ctx, WEEK, None)[0]
    assert card["value"] == pytest.approx(54.1667, abs=1e-3)
    assert card["previous"] is None and card["change_pts"] is None  # nothing the week before


def test_trends_carry_the_attendance_series(plant, ctx):
    from reports import trends
    data = trends._trends.uncached(ctx, WEEK, None, None)
    daily = data["daily"].set_index("date")["attendance_pct"]
    # D: E001 P, E002 HD, E003 P, E005 P (E004 not joined yet) -> (3 + 0.5) / 4 = 87.5 %
    assert daily[D] == pytest.approx(87.5)
    lines = data["lines"].set_index("line_code")["attendance_pct"]
    assert lines["L02"] == pytest.approx(40.0)
