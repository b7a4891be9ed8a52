"""POST /api/v1/data/<name> (SPEC section 10) on SQLite and PostgreSQL: per dataset a good item, a
bad item and an upsert; the line-end counter; unknown names, oversize bodies and who may post."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from auth import users
from data import schema
from ingest import datasets
from tests.factories import D

DAY = D.isoformat()  # 2026-03-02, shift A 08:00-17:00 on lines L01/L02, styles S1/S2


def post(client, name, body, **kw):
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(f"/api/v1/data/{name}", data=data, content_type="application/json", **kw)


def rows_of(engine, table, **where):
    with engine.connect() as conn:
        stmt = select(table).where(*[table.c[k] == v for k, v in where.items()])
        return [r._asdict() for r in conn.execute(stmt)]


def count(engine, table) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar()


def test_line_end_counter_posting_one_hour_three_times_ends_with_the_last_count(api_client):
    # L01 has no output at 12:00 (the break) in the small plant: 1,600 over the day
    hour = {"date": DAY, "shift_code": "A", "line_code": "L01", "hour": 12, "style_code": "S1",
            "stage": "output"}
    answers = [post(api_client, "production", dict(hour, qty=qty)).get_json()
               for qty in (40, 95, 150)]
    assert [(a["accepted"], a["updated"], a["duplicates"]) for a in answers] == [
        (1, 0, 0), (1, 1, 0), (1, 1, 0)]
    again = post(api_client, "production", dict(hour, qty=150)).get_json()
    assert (again["accepted"], again["duplicates"]) == (0, 1)
    body = api_client.get(f"/api/v1/production?start={DAY}&end={DAY}&group_by=line,hour"
                          "&line=L01").get_json()
    by_hour = {r["hour"]: r["output"] for r in body["rows"]}
    assert by_hour[12] == 150
    assert body["total"]["output"] == 1600 + 150


def test_a_breakdown_posted_open_then_closed_is_one_breakdown(api_client, engine):
    open_ = {"breakdown_id": "BD-7", "line_code": "L02", "category": "Mechanical",
             "reason": "Needle broken", "start_ts": f"{DAY}T10:00:00"}
    assert post(api_client, "breakdowns", open_).get_json()["accepted"] == 1
    closed = post(api_client, "breakdowns", dict(open_, end_ts=f"{DAY}T10:45:00")).get_json()
    assert (closed["accepted"], closed["updated"]) == (1, 1)
    (row,) = rows_of(engine, schema.breakdowns)
    assert row["end_ts"].isoformat() == f"{DAY}T10:45:00"
    assert (str(row["date"]), row["shift_code"]) == (DAY, "A")


def test_bad_items_are_rejected_with_index_and_reason_and_the_rest_stored(api_client, engine):
    good = {"style_code": "S9", "description": "Tee", "smv": 4.5}
    batch = [good, {"style_code": "S8", "smv": -1}, "a string", {"style_code": "S7", "smv": 3,
             "colour": "red"}, {"smv": 2}, dict(good, style_code="S6", smv=[1])]
    out = post(api_client, "styles", batch).get_json()
    assert (out["accepted"], out["duplicates"]) == (1, 0)
    assert out["rejected"] == [
        {"index": 1, "reason": "smv: must be greater than 0: '-1'"},
        {"index": 2, "reason": "an item must be a JSON object"},
        {"index": 3, "reason": "colour: unknown column"},
        {"index": 4, "reason": "style_code: missing value"},
        {"index": 5, "reason": "smv: not a single value"},
    ]
    assert [r["style_code"] for r in rows_of(engine, schema.styles, style_code="S9")] == ["S9"]
    assert count(engine, schema.styles) == 3  # S1, S2 and S9


def test_unknown_dataset_is_404(api_client):
    r = post(api_client, "widgets", [{"a": 1}])
    assert r.status_code == 404
    err = r.get_json()["error"]
    assert err["code"] == "unknown_dataset" and "production" in err["details"]["datasets"]


def test_more_than_ten_thousand_items_is_413_and_stores_nothing(api_client, engine):
    batch = [{"line_code": f"X{i}"} for i in range(datasets.MAX_ITEMS + 1)]
    r = post(api_client, "lines", batch)
    assert r.status_code == 413 and r.get_json()["error"]["code"] == "batch_too_large"
    assert "10,001" in r.get_json()["error"]["message"]
    assert count(engine, schema.lines) == 2


def test_a_body_over_twenty_megabytes_is_413_and_stores_nothing(api_client, engine):
    filler = "x" * 3000
    batch = [{"line_code": f"X{i}", "name": filler} for i in range(7200)]  # ~21.7 MB
    body = json.dumps(batch)
    assert len(body) > datasets.MAX_BYTES
    r = post(api_client, "lines", body)
    assert r.status_code == 413 and r.get_json()["error"]["code"] == "batch_too_large"
    assert count(engine, schema.lines) == 2


@pytest.mark.parametrize("body, code", [("{not json", "bad_json"), ('"a string"', "bad_batch"),
                                        ("[" * 100_000 + "]" * 100_000, "bad_json")])
def test_bodies_that_are_not_batches_are_400(api_client, body, code):
    r = post(api_client, "lines", body)
    assert r.status_code == 400 and r.get_json()["error"]["code"] == code


def test_only_admins_and_ingest_tokens_may_post(api_client, engine):
    with engine.begin() as conn:
        viewer = users.create_user(conn, "viewer", "viewer-password", role="viewer")
        read = users.create_token(conn, viewer)
        ingest = users.create_token(conn, viewer, purpose="ingest")
    item = {"line_code": "L09"}
    r = post(api_client, "lines", item, headers={"Authorization": f"Bearer {read}"})
    assert r.status_code == 403 and count(engine, schema.lines) == 2
    r = post(api_client, "lines", item, headers={"Authorization": f"Bearer {ingest}"})
    assert r.status_code == 200 and r.get_json()["accepted"] == 1


def test_the_data_version_moves_only_when_rows_are_written(api_client, engine):
    from data import db
    with engine.connect() as conn:
        before = db.get_data_version(conn)
    post(api_client, "lines", {"line_code": "L01", "name": "Line 1", "department": "Sewing",
                               "floor": "1"})  # identical to the stored row
    with engine.connect() as conn:
        assert db.get_data_version(conn) == before
    post(api_client, "lines", {"line_code": "L01", "name": "Line One", "department": "Sewing",
                               "floor": "1"})
    with engine.connect() as conn:
        assert db.get_data_version(conn) == before + 1
