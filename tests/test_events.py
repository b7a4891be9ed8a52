"""POST /api/v1/events (SPEC sections 6 and 7) on SQLite and PostgreSQL: validation per item,
idempotency by event_id or content hash, the batch limit, auth, and concurrent posters."""
from __future__ import annotations

import json
import threading
from datetime import datetime

import pytest
from sqlalchemy import func, select

from auth import users
from data import db, schema
from ingest import csv_rules, events
from tests.camera_plant import cameras
from tests.factories import recorded_sql


@pytest.fixture
def client(api_client, engine):
    cameras(engine)
    return api_client


def ev(i=0, **kw):
    item = {"event_id": f"e{i}", "ts": f"2026-03-02T08:{i % 60:02d}:00", "emp_code": "W1",
            "station_code": "ST1", "event_type": "working", "confidence": 0.9,
            "model_version": "fpv-1"}
    item.update(kw)
    return {k: v for k, v in item.items() if v is not ...}


def post(client, body, **kw):
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post("/api/v1/events", data=data, content_type="application/json", **kw)


def stored(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(schema.events)).scalar()


def test_one_event_is_stored_with_its_day_shift_and_line(client, engine):
    r = post(client, ev(1, ts="2026-03-02T08:01:00+06:00", count=None))
    assert r.status_code == 200, r.get_json()
    assert r.get_json() == {"accepted": 1, "updated": 0, "duplicates": 0, "rejected": []}
    with engine.connect() as conn:
        row = conn.execute(select(schema.events)).one()
    assert row.event_id == "e1" and row.ts == datetime(2026, 3, 2, 8, 1)
    assert (str(row.date), row.shift_code, row.line_code, row.count) == ("2026-03-02", "A",
                                                                          "L01", 1)


def test_offset_is_converted_to_plant_local_time(client, engine):
    # 02:30 UTC is 08:30 in Asia/Dhaka (+06:00)
    assert post(client, [ev(1, ts="2026-03-02T02:30:00Z")]).get_json()["accepted"] == 1
    with engine.connect() as conn:
        assert conn.execute(select(schema.events.c.ts)).scalar() == datetime(2026, 3, 2, 8, 30)


def test_bad_items_are_listed_and_good_ones_stored(client, engine):
    batch = [ev(0), ev(1, ts="yesterday"), ev(2, station_code="NOPE"), ev(3, event_type="nap"),
             "not an object", ev(5, emp_code=...), ev(6, confidence=1.5), ev(7, count=-2),
             ev(8, ts=None), ev(9, emp_code="W404"), ev(10, count={"n": 1}), ev(11)]
    body = post(client, batch).get_json()
    assert body["accepted"] == 2 and body["duplicates"] == 0
    reasons = {r["index"]: r["reason"] for r in body["rejected"]}
    assert sorted(reasons) == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    assert reasons[1] == "ts: not an ISO 8601 timestamp: 'yesterday'"
    assert reasons[2] == "station_code: unknown station_code 'NOPE'"
    assert reasons[3].startswith("event_type: not one of working, idle, absent, product_count")
    assert reasons[4] == "an event must be a JSON object"
    assert reasons[5] == "emp_code: missing value"
    assert reasons[6] == "confidence: must be at most 1: '1.5'"
    assert reasons[7] == "count: must not be negative: '-2'"
    assert reasons[8] == "ts: missing value"
    assert reasons[9] == "emp_code: unknown emp_code 'W404'"
    assert reasons[10] == "count: not a single value"
    assert stored(engine) == 2


def test_duplicates_inside_one_batch_and_across_batches(client, engine):
    first = post(client, [ev(1), ev(2), ev(1), ev(3)]).get_json()
    assert (first["accepted"], first["duplicates"]) == (3, 1)
    again = post(client, [ev(3), ev(4), ev(2)]).get_json()
    assert (again["accepted"], again["duplicates"]) == (1, 2)
    assert stored(engine) == 4


def test_events_without_id_are_keyed_by_their_content(client, engine):
    a = ev(event_id=..., ts="2026-03-02T08:05:00", event_type="product_count", count=3)
    first = post(client, [a, dict(a), dict(a, count=4)]).get_json()
    assert (first["accepted"], first["duplicates"]) == (2, 1)
    # the same hash the CSV importer gives an id-less row
    expected = csv_rules.event_id_for(datetime(2026, 3, 2, 8, 5), "W1", "ST1", "product_count", 3)
    with engine.connect() as conn:
        ids = set(conn.execute(select(schema.events.c.event_id)).scalars())
    assert expected in ids
    # a different confidence does not make it a different event
    assert post(client, dict(a, confidence=0.5)).get_json()["duplicates"] == 1


def test_empty_batch_stores_nothing(client, engine):
    assert post(client, []).get_json() == {"accepted": 0, "updated": 0, "duplicates": 0,
                                         "rejected": []}
    assert stored(engine) == 0


def test_oversize_batch_is_refused_whole_with_413(client, engine):
    batch = [ev(i, event_id=f"big{i}") for i in range(events.MAX_BATCH + 1)]
    r = post(client, batch)
    assert r.status_code == 413
    err = r.get_json()["error"]
    assert err["code"] == "batch_too_large" and "10,001" in err["message"]
    assert "10,000" in err["message"] and "Nothing was stored" in err["message"]
    assert stored(engine) == 0


def test_a_full_batch_of_ten_thousand_is_accepted(client, engine):
    batch = [ev(i, event_id=f"full{i}") for i in range(events.MAX_BATCH)]
    assert post(client, batch).get_json()["accepted"] == events.MAX_BATCH
    assert stored(engine) == events.MAX_BATCH


def test_non_json_body_and_wrong_shapes_are_400(client, engine):
    r = post(client, "{not json")
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "bad_json"
    r = post(client, '"just a string"')
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "bad_batch"
    assert post(client, {"events": [ev(1)]}).get_json()["accepted"] == 1


def test_only_admins_and_ingest_tokens_may_post(client, engine):
    with engine.begin() as conn:
        viewer = users.create_user(conn, "viewer", "viewer-password", role="viewer")
        read = users.create_token(conn, viewer)
        ingest = users.create_token(conn, viewer, purpose="ingest")
    r = post(client, [ev(1)], headers={"Authorization": f"Bearer {read}"})
    assert r.status_code == 403
    r = post(client, [ev(1)], headers={"Authorization": "Bearer nonsense"})
    assert r.status_code == 401
    r = post(client, [ev(1)], headers={"Authorization": f"Bearer {ingest}"})
    assert r.status_code == 200 and r.get_json()["accepted"] == 1


def test_ingestion_bumps_the_data_version_only_when_rows_go_in(client, engine):
    with engine.connect() as conn:
        before = db.get_data_version(conn)
    post(client, [ev(1)])
    with engine.connect() as conn:
        after = db.get_data_version(conn)
    post(client, [ev(1)])  # a duplicate changes nothing
    with engine.connect() as conn:
        assert db.get_data_version(conn) == after == before + 1


def test_four_threads_posting_overlapping_batches_store_each_event_once(client, engine,
                                                                        database_url):
    # batch k holds ids 300k .. 300k + 599: each overlaps the next by half
    batches = [[ev(i, event_id=f"c{i:05d}", ts=f"2026-03-02T{8 + i // 3600:02d}:"
                   f"{i // 60 % 60:02d}:{i % 60:02d}") for i in range(300 * k, 300 * k + 600)]
               for k in range(8)]
    results, errors = [], []

    def worker(mine):
        try:
            for batch in mine:
                results.append(events.ingest(engine, list(reversed(batch)) if len(results) % 2
                                             else batch, "Asia/Dhaka"))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(batches[t::4],)) for t in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    distinct = 300 * 7 + 600
    assert stored(engine) == distinct
    assert sum(r.accepted for r in results) == distinct
    assert sum(r.duplicates for r in results) == 8 * 600 - distinct


def test_plain_items_and_text_valued_items_are_read_alike(client, engine):
    # the first goes the fast way, the second (text numbers, capitals, spaces) by the CSV rules:
    # both must give the same event, hence the same content hash
    plain = ev(event_id=..., event_type="product_count", count=3, ts="2026-03-02T02:00:00Z")
    text = dict(plain, count=" 3", confidence="0.9", event_type="Product_Count",
                ts=" 2026-03-02T08:00:00+06:00 ")
    body = post(client, [plain, text]).get_json()
    assert (body["accepted"], body["duplicates"], body["rejected"]) == (1, 1, [])
    with engine.connect() as conn:
        row = conn.execute(select(schema.events)).one()
    assert (row.ts, row.count, row.event_type) == (datetime(2026, 3, 2, 8, 0), 3, "product_count")


def _master_reads(statements) -> list[str]:
    return [s for s in statements if s.startswith("SELECT")
            and any(f"FROM {t}" in s for t in ("stations", "employees", "shifts"))]


def test_a_stream_of_batches_reads_the_master_data_once_and_again_when_it_changes(client, engine):
    db.create_schema(engine)  # the instance id the tests' reset empties with the meta table
    assert post(client, [ev(1)]).get_json()["accepted"] == 1
    with recorded_sql(engine) as seen:
        assert post(client, [ev(2), ev(3, station_code="ST2")]).get_json()["accepted"] == 2
    assert _master_reads(seen) == []  # the first batch's reads carried to the version it made
    # a new station, through the data API (the version moves): the next batch sees it
    added = client.post("/api/v1/data/stations", json=[
        {"station_code": "ST9", "line_code": "L02"}]).get_json()
    assert added["accepted"] == 1, added
    with recorded_sql(engine) as seen:
        answer = post(client, [ev(4, station_code="ST9")]).get_json()
    assert (answer["accepted"], answer["rejected"]) == (1, [])
    assert _master_reads(seen)
    with engine.connect() as conn:
        line = conn.execute(select(schema.events.c.line_code).where(
            schema.events.c.event_id == "e4")).scalar()
    assert line == "L02"
    # a station gone by any path that moves the version: its events are refused again
    with engine.begin() as conn:
        conn.execute(schema.stations.delete().where(schema.stations.c.station_code == "ST9"))
        db.bump_data_version(conn)
    answer = post(client, [ev(5, station_code="ST9")]).get_json()
    assert answer["accepted"] == 0
    assert "unknown station_code 'ST9'" in answer["rejected"][0]["reason"]


def test_a_batch_rolled_back_leaves_the_master_data_it_read_at_its_own_version(client, engine):
    """What a batch read is carried to the version it made only once it has committed: a batch
    whose commit fails never made that version, and a change of master data may take it next."""
    from sqlalchemy import event
    db.create_schema(engine)
    assert post(client, [ev(1)]).get_json()["accepted"] == 1

    def commit_fails(conn):
        raise RuntimeError("the disk filled up")

    event.listen(engine, "commit", commit_fails)
    try:
        with pytest.raises(RuntimeError):
            events.ingest(engine, [ev(2)], "Asia/Dhaka")
    finally:
        event.remove(engine, "commit", commit_fails)
    assert stored(engine) == 1  # rolled back
    with engine.begin() as conn:  # takes the version the failed batch would have made
        conn.execute(schema.events.delete().where(schema.events.c.station_code == "ST2"))
        conn.execute(schema.stations.delete().where(schema.stations.c.station_code == "ST2"))
        db.bump_data_version(conn)
    answer = post(client, [ev(3, station_code="ST2")]).get_json()
    assert answer["accepted"] == 0
    assert "unknown station_code 'ST2'" in answer["rejected"][0]["reason"]
