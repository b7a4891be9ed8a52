"""POST /api/v1/punches and GET /api/v1/attendance (SPEC section 7) on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from auth import users
from data import schema
from ingest.attendance import process_attendance
from tests.attendance_plant import NOW, at, attendance_plant
from tests.factories import D

WEEK = f"start={D}&end={D + timedelta(days=4)}"


@pytest.fixture
def clients(engine, database_url, make_app):
    attendance_plant(engine)
    process_attendance(engine, NOW)
    app = make_app(database_url)
    with engine.begin() as conn:
        admin = users.create_user(conn, "admin", "admin-password", role="admin")
        viewer = users.create_user(conn, "viewer", "viewer-password", role="viewer")
        manager = users.create_user(conn, "l2", "manager-password", role="line_manager",
                                    lines=("L02",))
        tokens = {"admin": users.create_token(conn, admin),
                  "ingest": users.create_token(conn, viewer, purpose="ingest"),
                  "viewer": users.create_token(conn, viewer),
                  "manager": users.create_token(conn, manager)}

    def client(who):
        c = app.server.test_client()
        c.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {tokens[who]}"
        return c
    return client


def _count(engine):
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(schema.punches)).scalar()


def test_post_punches_stores_valid_items_and_reports_bad_ones(clients, engine):
    before = _count(engine)
    body = [
        {"emp_code": "E004", "ts": "2026-03-06T08:00:00", "direction": "IN", "device_id": "G1"},
        {"device_user_id": "104", "ts": "2026-03-06T17:00:00", "direction": "out"},
        {"emp_code": "E999", "ts": "2026-03-06T08:00:00", "direction": "IN"},
        {"emp_code": "E004", "ts": "yesterday", "direction": "IN"},
        {"emp_code": "E004", "ts": "2026-03-06T09:00:00", "direction": "SIDEWAYS"},
        {"device_user_id": "999", "ts": "2026-03-06T09:00:00"},
        {"ts": "2026-03-06T09:00:00"},
        "not an object",
        # with an offset: 02:00Z is 08:00 in Dhaka (UTC+6), the same punch as item 0
        {"emp_code": "E004", "ts": "2026-03-06T02:00:00Z", "direction": "IN"},
    ]
    res = clients("ingest").post("/api/v1/punches", json=body)
    assert res.status_code == 200, res.get_json()
    out = res.get_json()
    assert (out["accepted"], out["duplicates"]) == (2, 1)
    reasons = {r["index"]: r["reason"] for r in out["rejected"]}
    assert sorted(reasons) == [2, 3, 4, 5, 6, 7]
    assert "unknown emp_code 'E999'" in reasons[2] and "ISO 8601" in reasons[3]
    assert "direction" in reasons[4] and "unknown device_user_id '999'" in reasons[5]
    assert "required" in reasons[6]
    assert _count(engine) == before + 2
    # idempotent: the same batch again stores nothing
    again = clients("ingest").post("/api/v1/punches", json=body).get_json()
    assert (again["accepted"], again["duplicates"]) == (0, 3)
    assert _count(engine) == before + 2


def test_posted_punches_reach_attendance_after_processing(clients, engine):
    clients("admin").post("/api/v1/punches", json={"punches": [
        {"emp_code": "E003", "ts": at(4, "20:00").isoformat(), "direction": "IN"},
        {"emp_code": "E003", "ts": at(5, "05:00").isoformat(), "direction": "OUT"}]})
    process_attendance(engine, NOW)
    rows = clients("admin").get(f"/api/v1/attendance?{WEEK}&emp=E003").get_json()["rows"]
    last = rows[-1]
    # 20:00 -> 05:00 = 540 - 60 break = 480: P
    assert (last["date"], last["status"], last["work_minutes"]) == (
        str(D + timedelta(days=4)), "P", 480)


def test_only_admins_and_ingest_tokens_may_post(clients):
    res = clients("viewer").post("/api/v1/punches", json={"emp_code": "E001",
                                                          "ts": "2026-03-06T08:00:00"})
    assert res.status_code == 403 and res.get_json()["error"]["code"] == "forbidden"


def test_bad_bodies(clients):
    c = clients("admin")
    assert c.post("/api/v1/punches", data="nope",
                  content_type="application/json").status_code == 400
    assert c.post("/api/v1/punches", json=[]).get_json()["error"]["code"] == "empty_batch"
    big = [{"emp_code": "E001", "ts": "2026-03-06T08:00:00"}] * 10_001
    assert c.post("/api/v1/punches", json=big).get_json()["error"]["code"] == "batch_too_large"


def test_attendance_rows_carry_the_section_5_fields(clients):
    out = clients("admin").get(f"/api/v1/attendance?{WEEK}&emp=E001").get_json()
    assert [r["status"] for r in out["rows"]] == ["P", "P", "A", "PH", "HD"]
    first = out["rows"][0]
    assert first["in_time"] == "2026-03-02T07:50:00" and first["out_time"] == "2026-03-02T17:05:00"
    assert (first["work_minutes"], first["overtime_minutes"], first["late_minutes"],
            first["early_exit_minutes"], first["missing_out"]) == (485, 5, 0, 0, False)
    assert out["rows"][2]["in_time"] is None  # absent without a punch
    # E001: scheduled D, D+1, D+2 -> P 2, A 1 -> 66.67 %
    assert out["total"]["attendance_pct"] == pytest.approx(200 / 3)


def test_attendance_summary_counts_by_status(clients):
    out = clients("admin").get(f"/api/v1/attendance?{WEEK}&summary=1").get_json()
    t = out["total"]
    assert (t["P"], t["HD"], t["A"], t["WO"], t["PH"], t["scheduled_days"]) == (6, 1, 5, 2, 4, 12)
    assert t["attendance_pct"] == pytest.approx(6.5 / 12 * 100)
    by_line = clients("admin").get(
        f"/api/v1/attendance?{WEEK}&summary=1&group_by=line").get_json()["rows"]
    assert {r["line_code"]: round(r["attendance_pct"], 4) for r in by_line} == {
        "L01": 64.2857, "L02": 40.0}
    dept = clients("admin").get(
        f"/api/v1/attendance?{WEEK}&summary=1&department=Finishing").get_json()["total"]
    assert (dept["P"], dept["A"], dept["scheduled_days"]) == (1, 3, 4)  # E003 only


def test_line_manager_sees_only_their_lines(clients):
    rows = clients("manager").get(f"/api/v1/attendance?{WEEK}").get_json()["rows"]
    assert {r["emp_code"] for r in rows} == {"E003", "E004"}
    res = clients("manager").get(f"/api/v1/attendance?{WEEK}&line=L01")
    assert res.status_code == 400  # not their line


def test_bad_filters_are_explained(clients):
    res = clients("admin").get("/api/v1/attendance?start=2026-03-09&end=2026-03-01")
    assert res.status_code == 400 and res.get_json()["error"]["code"] == "bad_filter"
    res = clients("admin").get(f"/api/v1/attendance?{WEEK}&summary=1&group_by=planet")
    assert res.get_json()["error"]["code"] == "bad_group_by"
