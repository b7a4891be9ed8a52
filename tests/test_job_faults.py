"""A stored row outside the plant-plausible window (issue 21: an event at 9999-12-31, a punch at
1677-09-21, stored before the window existed or by hand) never stops a job: the job skips it,
logs and reports it, and does the rest. On SQLite and PostgreSQL."""
from __future__ import annotations

import logging
from datetime import date, datetime

from sqlalchemy import func, select

from data import db, schema
from ingest import rollups, schedule
from ingest.attendance import UNTIL_KEY, process_attendance
from settings import Settings
from tests.attendance_plant import NOW, attendance_plant
from tests.camera_plant import camera_plant


def _settings(url, tmp_path):
    return Settings(database_url=url, cache_dir=str(tmp_path / "cache"), testing=True,
                    secret_key="x", demo_data=False)


def _punch(emp, ts):
    return {"emp_code": emp, "ts": ts, "direction": "IN", "device_id": "hand",
            "received_at": NOW, "processed": None, "unmatched": None}


def _records(engine):
    with engine.connect() as conn:
        return {(r.emp_code, r.date): (r.status, r.work_minutes) for r in conn.execute(
            select(schema.attendance_daily))}


def test_process_attendance_skips_and_reports_punches_out_of_range(engine, caplog):
    attendance_plant(engine)
    good = process_attendance(engine, NOW)
    expected = _records(engine)
    assert expected and good.skipped == 0
    with engine.begin() as conn:
        db.upsert(conn, schema.punches, [_punch("E001", datetime(1677, 9, 21, 0, 12, 44)),
                                         _punch("E002", datetime(9999, 12, 31, 23, 59, 59))])
        conn.execute(schema.attendance_daily.delete())  # start again: every day to compute
        conn.execute(schema.punches.update().values(processed=None))
        db.delete_meta(conn, UNTIL_KEY)
    with caplog.at_level(logging.WARNING):
        report = process_attendance(engine, NOW)
    assert report.skipped == 2
    assert "1677-09-21" in report.skipped_examples[0] and "E001" in report.skipped_examples[0]
    assert "9999-12-31" in report.skipped_examples[1]
    assert "outside the plausible window" in caplog.text and "E002" in caplog.text
    assert _records(engine) == expected  # everybody else's attendance, as before


def test_the_attendance_job_reports_the_skipped_punch_and_succeeds(engine, database_url,
                                                                   tmp_path):
    attendance_plant(engine)
    with engine.begin() as conn:
        db.upsert(conn, schema.punches, [_punch("E001", datetime(1677, 9, 21, 0, 12, 44))])
    settings = _settings(database_url, tmp_path)
    message = schedule.run_job(engine, settings, "attendance", due_only=False)
    assert "skipped 1 punch outside the plausible window" in message
    assert "E001 at 1677-09-21T00:12:44" in message
    with engine.connect() as conn:
        state = conn.execute(select(schema.job_state).where(
            schema.job_state.c.name == "attendance")).mappings().one()
        assert state["last_outcome"] == "ok" and "skipped 1 punch" in state["last_message"]
        assert conn.execute(select(func.count()).select_from(schema.attendance_daily)).scalar()


def _util(engine):
    with engine.connect() as conn:
        return sorted(tuple(r) for r in conn.execute(select(schema.util_daily)))


def _bad_event(conn, ts: datetime):
    db.upsert(conn, schema.events, [{
        "event_id": f"bad-{ts.year}", "ts": ts, "emp_code": "W1", "station_code": "ST1",
        "event_type": "working", "confidence": 0.9, "count": 1, "model_version": "x",
        "date": ts.date(), "shift_code": "A", "line_code": "L01"}])
    rollups.mark_stale(conn, [ts.date()])


def test_refresh_rollups_skips_and_reports_events_out_of_range(engine, database_url,
                                                               tmp_path, caplog):
    camera_plant(engine)
    settings = _settings(database_url, tmp_path)
    schedule.refresh_rollups(engine, settings, everything=True)
    expected = _util(engine)
    assert expected
    with engine.begin() as conn:
        _bad_event(conn, datetime(9999, 12, 31, 23, 59, 59))
        _bad_event(conn, datetime(1677, 9, 21, 0, 12, 44))
    with caplog.at_level(logging.WARNING):
        message = schedule.refresh_rollups(engine, settings)
    assert "skipped 2 events outside the plausible window" in message, message
    assert "bad-9999" in message and "outside the plausible window" in caplog.text
    assert _util(engine) == expected
    message = schedule.refresh_rollups(engine, settings, everything=True)  # every day again
    assert "skipped 2 events" in message and _util(engine) == expected
    with engine.connect() as conn:
        stale = conn.execute(select(schema.rollup_stale.c.date)).scalars().all()
    assert all(date(2000, 1, 1) <= d if isinstance(d, date) else True for d in stale)


def test_an_import_after_a_bad_stored_event_still_works(engine, tmp_path):
    from ingest.importer import import_folder
    camera_plant(engine)
    with engine.begin() as conn:
        _bad_event(conn, datetime(9999, 12, 31, 23, 59, 59))
    folder = tmp_path / "csv"
    folder.mkdir()
    (folder / "events.csv").write_text(
        "event_id,ts,emp_code,station_code,event_type,confidence,count,model_version\n"
        "n1,2026-03-02T11:00:00,W1,ST1,idle,0.9,,v\n")
    report = import_folder(engine, folder)
    assert report.ok, report.errors
