"""POST /api/v1/punches/manual (SPEC section 10): HR enters a forgotten punch. It is stored marked
manual with its reason and who entered it, its day is computed again at once, the Workforce drill
shows it apart, and the audit log has it. Admins and plant heads only. SQLite and PostgreSQL."""
from __future__ import annotations

import json
import sys
from datetime import timedelta

import pytest
from flask_login import login_user
from plotly.utils import PlotlyJSONEncoder
from sqlalchemy import select

from auth import users
from data import schema
from ingest.attendance import process_attendance
from tests.attendance_plant import NOW, at, attendance_plant
from tests.clients import clients_by_role
from tests.factories import D

D2 = D + timedelta(days=2)  # E001 has no punch that day: absent


@pytest.fixture
def plant(engine, database_url, make_app):
    attendance_plant(engine)
    process_attendance(engine, NOW)
    app = make_app(database_url)
    return app, clients_by_role(app, engine)


def _enter(client, **punch):
    body = {"emp_code": "E001", "ts": at(2, "08:00").isoformat(), "direction": "IN",
            "reason": "forgot the card at home", **punch}
    return client.post("/api/v1/punches/manual", json=body)


def _day(engine, emp_code, day):
    AD = schema.attendance_daily
    with engine.connect() as conn:
        return conn.execute(select(AD.c.status, AD.c.work_minutes, AD.c.missing_out).where(
            AD.c.emp_code == emp_code, AD.c.date == day)).one()


def test_a_manual_punch_is_stored_marked_and_its_day_recomputed(plant, engine):
    _app, client = plant
    assert _day(engine, "E001", D2).status == "A"
    res = _enter(client("plant_head"))
    assert res.status_code == 201, res.get_json()
    out = res.get_json()
    assert out["punch"] == {"emp_code": "E001", "ts": "2026-03-04T08:00:00", "direction": "IN",
                            "manual": True, "reason": "forgot the card at home",
                            "entered_by": "u-plant_head"}
    assert str(D2) in out["recomputed_days"]
    # an IN alone: there, but no OUT yet (0 minutes worked)
    assert tuple(_day(engine, "E001", D2)) == ("A", 0, True)
    res = _enter(client("admin"), ts=at(2, "17:00").isoformat(), direction="OUT",
                 reason="left through the back gate")
    assert res.status_code == 201, res.get_json()
    assert tuple(_day(engine, "E001", D2)) == ("P", 480, False)  # 08:00-17:00 less the break
    P = schema.punches
    with engine.connect() as conn:
        stored = conn.execute(select(P.c.ts, P.c.direction, P.c.manual, P.c.manual_reason,
                                     P.c.entered_by, P.c.processed)
                              .where(P.c.emp_code == "E001", P.c.manual.is_(True))
                              .order_by(P.c.ts)).all()
        device = conn.execute(select(P.c.manual).where(P.c.emp_code == "E001",
                                                       P.c.ts == at(0, "07:50"))).scalar()
    assert [(r.direction, r.manual_reason, r.entered_by, bool(r.processed)) for r in stored] == [
        ("IN", "forgot the card at home", "u-plant_head", True),
        ("OUT", "left through the back gate", "u-admin", True)]
    assert not device  # the device's punches are not manual
    rows = client("viewer").get(f"/api/v1/attendance?start={D2}&end={D2}&emp=E001"
                                ).get_json()["rows"]
    assert (rows[0]["status"], rows[0]["work_minutes"]) == ("P", 480)  # every page sees it


def test_the_audit_log_has_each_manual_punch(plant, engine):
    _app, client = plant
    _enter(client("plant_head"))
    A = schema.audit_log
    with engine.connect() as conn:
        row = conn.execute(select(A.c.username, A.c.action, A.c.details)
                           .where(A.c.action == "manual punch")).one()
    assert row.username == "u-plant_head"
    assert json.loads(row.details) == {"emp_code": "E001", "ts": "2026-03-04T08:00:00",
                                       "direction": "IN", "reason": "forgot the card at home"}


def test_the_employee_drill_shows_manual_punches_apart(plant, engine):
    app, client = plant
    _enter(client("plant_head"))
    workforce = sys.modules["pages.workforce"]
    with engine.connect() as conn:
        head = users.get_user_by_name(conn, "u-plant_head")
    with app.server.test_request_context("/"):
        login_user(head)
        view = workforce.drill_content("E001", (str(D), str(D + timedelta(days=4)), [], [], []))
    tree = json.loads(json.dumps(view, cls=PlotlyJSONEncoder))
    assert "1 punch entered by hand" in json.dumps(tree)
    grid = _find(tree, "workforce-punches")
    manual = [r for r in grid["rowData"] if r["manual"]]
    assert [(r["ts"][:16], r["entered"]) for r in manual] == [
        ("2026-03-04T08:00", "by u-plant_head: forgot the card at home")]
    assert all(r["entered"] == "" for r in grid["rowData"] if not r["manual"])
    assert grid["dashGridOptions"]["rowClassRules"] == {"punch-manual": "params.data.manual"}


def _find(node, component_id):
    if isinstance(node, dict):
        props = node.get("props", node)
        if props.get("id") == component_id:
            return props
        node = list(props.values()) if "props" in node else list(node.values())
    if isinstance(node, list):
        for child in node:
            found = _find(child, component_id)
            if found:
                return found
    return None


@pytest.mark.parametrize("who", ["line_manager", "viewer", "ingest"])
def test_only_admins_and_plant_heads_may_enter_punches(plant, engine, who):
    _app, client = plant
    res = _enter(client(who))
    assert res.status_code == 403 and res.get_json()["error"]["code"] == "forbidden"
    assert _day(engine, "E001", D2).status == "A"


@pytest.mark.parametrize("change, status, code, says", [
    ({"emp_code": "E999"}, 404, "unknown_employee", "unknown emp_code 'E999'"),
    ({"reason": "  "}, 400, "bad_punch", "reason"),
    ({"reason": None}, 400, "bad_punch", "reason"),
    ({"reason": "x" * 501}, 400, "bad_punch", "500"),
    ({"direction": "BOTH"}, 400, "bad_punch", "IN or OUT"),
    ({"ts": "yesterday"}, 400, "bad_punch", "ISO 8601"),
    ({"ts": "2099-01-01T08:00:00"}, 400, "bad_punch", "one day ahead of now"),
    ({"ts": at(0, "07:50").isoformat()}, 409, "punch_exists", "already"),  # the device's
])
def test_bad_manual_punches_are_refused_and_store_nothing(plant, engine, change, status, code,
                                                          says):
    _app, client = plant
    res = _enter(client("admin"), **change)
    assert res.status_code == status, res.get_json()
    error = res.get_json()["error"]
    assert error["code"] == code and says in error["message"]
    with engine.connect() as conn:
        assert conn.execute(select(schema.punches.c.emp_code).where(
            schema.punches.c.manual.is_(True))).first() is None


def test_the_same_manual_punch_twice_is_refused(plant):
    _app, client = plant
    assert _enter(client("admin")).status_code == 201
    again = _enter(client("admin"))
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "punch_exists"
    assert client("admin").post("/api/v1/punches/manual", data="x",
                                content_type="application/json").status_code == 400


def test_the_drill_form_enters_a_punch_for_plant_heads_only(plant, engine):
    app, _client = plant
    workforce = sys.modules["pages.workforce"]
    window = (str(D), str(D + timedelta(days=4)), [], [], [])
    with engine.connect() as conn:
        head = users.get_user_by_name(conn, "u-plant_head")
        viewer = users.get_user_by_name(conn, "u-viewer")
    with app.server.test_request_context("/"):
        login_user(viewer)
        assert "workforce-manual-form" not in json.dumps(workforce.layout(),
                                                         cls=PlotlyJSONEncoder)
        message, drill = workforce.enter_manual_punch(1, "E001", "2026-03-04T08:00", "IN",
                                                      "forgot", *window)
        assert "Only admins and plant heads" in json.dumps(message, cls=PlotlyJSONEncoder)
    with app.server.test_request_context("/"):
        login_user(head)
        assert "workforce-manual-form" in json.dumps(workforce.layout(), cls=PlotlyJSONEncoder)
        message, _ = workforce.enter_manual_punch(1, "E001", "2026-03-04T08:00", "IN", "",
                                                  *window)
        assert "reason" in json.dumps(message, cls=PlotlyJSONEncoder)
        message, drill = workforce.enter_manual_punch(1, "E001", "2026-03-04T08:00", "IN",
                                                      "forgot the card", *window)
    assert "IN at 2026-03-04 08:00:00 entered for E001" in json.dumps(message,
                                                                      cls=PlotlyJSONEncoder)
    assert "by u-plant_head: forgot the card" in json.dumps(drill, cls=PlotlyJSONEncoder)
    assert tuple(_day(engine, "E001", D2))[:1] == ("A",)  # an IN alone: still no OUT
