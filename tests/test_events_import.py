"""The CSV importer and the ingestion API agree on camera events: an id-less event that repeats
an earlier one is a duplicate (left out), not an error, and both give it the same id."""
from __future__ import annotations

from sqlalchemy import select

from data import schema
from ingest import events
from ingest.importer import import_folder
from tests.camera_plant import cameras
from tests.test_importer import write_folder

CSV = """
    event_id,ts,emp_code,station_code,event_type,confidence,count,model_version
    ,2026-03-02T08:20:00,W1,ST1,idle,0.8,,v1
    ,2026-03-02T08:20:00,W1,ST1,idle,0.7,,v1
    ,2026-03-02T08:30:00,W1,ST1,product_count,,5,v1
    EV9,2026-03-02T08:40:00,W1,ST1,working,0.9,1,v1
"""


def ids(engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(select(schema.events.c.event_id)).scalars())


def test_identical_id_less_rows_in_a_csv_are_duplicates_not_errors(engine, tmp_path):
    cameras(engine)
    report = import_folder(engine, write_folder(tmp_path, {"events.csv": CSV}))
    assert report.ok, report.errors
    assert len(ids(engine)) == 3
    # the API gives the same events the same ids: all three are duplicates there
    posted = events.ingest(engine, [
        {"ts": "2026-03-02T08:20:00", "emp_code": "W1", "station_code": "ST1",
         "event_type": "idle"},
        {"ts": "2026-03-02T08:30:00", "emp_code": "W1", "station_code": "ST1",
         "event_type": "product_count", "count": 5},
        {"event_id": "EV9", "ts": "2026-03-02T08:40:00", "emp_code": "W1", "station_code": "ST1",
         "event_type": "working"},
    ], "Asia/Dhaka")
    assert (posted.accepted, posted.duplicates) == (0, 3)


def test_repeated_explicit_ids_in_a_csv_are_still_an_error(engine, tmp_path):
    cameras(engine)
    text = CSV + "    EV9,2026-03-02T08:50:00,W1,ST1,idle,0.9,1,v1\n"
    report = import_folder(engine, write_folder(tmp_path, {"events.csv": text}))
    assert not report.ok
    assert report.errors == ["events.csv:6: event_id: duplicate key EV9 (first on line 5)"]
