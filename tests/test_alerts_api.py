"""The alerts API (SPEC section 11) on SQLite and PostgreSQL: rule CRUD for admins with 422s that
name the bad field, the alert list by state and line scope, acknowledgement, and the CLI."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from auth import users
from data import db, schema
from ingest import alerts as ia
from settings import Settings
from tests.factories import D
from tests.test_alerts import Receiver

NOW = datetime(D.year, D.month, D.day, 11, 0)


def _open_breakdown(engine, bid, line, machine, start):
    with engine.begin() as conn:
        db.upsert(conn, schema.machines, [{"machine_code": machine, "line_code": line}])
        db.upsert(conn, schema.breakdowns, [{"breakdown_id": bid, "line_code": line,
                                             "machine_code": machine, "start_ts": start,
                                             "end_ts": None, "date": start.date(),
                                             "shift_code": "A"}])


def _token(engine, name, role, lines=()):
    with engine.begin() as conn:
        user = users.create_user(conn, name, "long-password", role=role, lines=lines)
        return {"Authorization": f"Bearer {users.create_token(conn, user)}"}


def _evaluate(engine, now=NOW):
    settings = Settings(database_url=engine.url.render_as_string(hide_password=False),
                        testing=True, secret_key="x", demo_data=False)
    return ia.evaluate_alerts(settings, now)


RULE = {"kind": "machine_down", "threshold": 30, "lines": ["L02"], "for_min": 5,
        "webhook": "https://hooks.example.com/floor", "email": ["maint@example.com"],
        "name": "Machines down on L02"}


def test_rule_crud(api_client):
    resp = api_client.post("/api/v1/alert-rules", json=RULE)
    assert resp.status_code == 201, resp.get_json()
    rule = resp.get_json()
    assert rule["kind"] == "machine_down" and rule["threshold"] == 30
    assert rule["lines"] == ["L02"] and rule["email"] == ["maint@example.com"]
    assert rule["webhook"] == RULE["webhook"] and rule["for_min"] == 5
    assert rule["created_by"] == "admin" and rule["min_checked"] is None
    dhu = api_client.post("/api/v1/alert-rules", json={"kind": "dhu_above", "threshold": 8})
    assert dhu.status_code == 201 and dhu.get_json()["min_checked"] == 50
    assert dhu.get_json()["lines"] == [] and dhu.get_json()["for_min"] == 0
    listed = api_client.get("/api/v1/alert-rules").get_json()["rows"]
    assert [r["id"] for r in listed] == [rule["id"], dhu.get_json()["id"]]
    assert api_client.delete(f"/api/v1/alert-rules/{rule['id']}").get_json() == \
        {"deleted": rule["id"]}
    assert [r["id"] for r in api_client.get("/api/v1/alert-rules").get_json()["rows"]] == \
        [dhu.get_json()["id"]]
    again = api_client.delete(f"/api/v1/alert-rules/{rule['id']}")
    assert again.status_code == 404 and again.get_json()["error"]["code"] == "not_found"
    assert api_client.delete("/api/v1/alert-rules/abc").status_code == 404
    assert api_client.delete(f"/api/v1/alert-rules/{10 ** 20}").status_code == 404
    assert api_client.post(f"/api/v1/alerts/{2 ** 31}/ack").status_code == 404
    # a digit that is not 0-9 (the schema fuzzer found '³') is no id either, not a 500
    assert api_client.post("/api/v1/alerts/³/ack").status_code == 404
    assert api_client.delete("/api/v1/alert-rules/٣").status_code == 404


@pytest.mark.parametrize("change, field", [
    ({"kind": "coffee_low"}, "kind"), ({"kind": None}, "kind"),
    ({"threshold": -5}, "threshold"), ({"threshold": "lots"}, "threshold"),
    ({"threshold": None}, "threshold"), ({"threshold": float("inf")}, "threshold"),
    ({"webhook": "ftp://example.com/x"}, "webhook"), ({"webhook": "not a url"}, "webhook"),
    ({"webhook": "http://"}, "webhook"), ({"lines": ["L99"]}, "lines"),
    ({"lines": "L01,nope"}, "lines"), ({"lines": [1, 2]}, "lines"),
    ({"email": ["no-at-sign"]}, "email"), ({"for_min": -1}, "for_min"),
    ({"for_min": 2.5}, "for_min"), ({"for_min": 10 ** 12}, "for_min"),
    ({"kind": "dhu_above", "min_checked": 10 ** 12}, "min_checked"),
    ({"kind": "dhu_above", "min_checked": -1}, "min_checked"),
    ({"threshold": 1e300}, "threshold"), ({"colour": "red"}, "colour"),
])
def test_bad_rules_are_422_naming_the_field(api_client, change, field):
    body = {**RULE, **change}
    resp = api_client.post("/api/v1/alert-rules", json=body)
    assert resp.status_code == 422, (change, resp.get_json())
    error = resp.get_json()["error"]
    assert error["code"] == "invalid_rule" and error["details"] == {"field": field}
    assert field in error["message"] or "line" in error["message"].lower() or \
        "address" in error["message"]
    assert api_client.get("/api/v1/alert-rules").get_json()["rows"] == []  # nothing kept


def test_not_json_is_400(api_client):
    resp = api_client.post("/api/v1/alert-rules", data="kind=machine_down",
                           content_type="text/plain")
    assert resp.status_code == 400 and resp.get_json()["error"]["code"] == "bad_json"
    assert api_client.post("/api/v1/alert-rules", json=[1]).status_code == 422


def test_alerts_list_ack_and_scope(api_client, engine):
    _open_breakdown(engine, "BD1", "L01", "L01-M01", NOW - timedelta(minutes=45))
    _open_breakdown(engine, "BD2", "L02", "L02-M01", NOW - timedelta(minutes=90))
    rule = api_client.post("/api/v1/alert-rules",
                           json={"kind": "machine_down", "threshold": 30}).get_json()
    assert _evaluate(engine)["fired"] == 2
    firing = api_client.get("/api/v1/alerts", query_string={"state": "firing"}).get_json()
    assert firing["total"] == {"firing": 2, "resolved": 0}
    by_subject = {r["subject"]: r for r in firing["rows"]}
    assert by_subject["L02-M01"]["value"] == pytest.approx(90)
    assert by_subject["L02-M01"]["url"] == "/downtime?line=L02"
    assert by_subject["L01-M01"]["fired_at"] == NOW.isoformat()
    assert by_subject["L01-M01"]["rule_id"] == rule["id"]

    # a line manager of L01 sees L01's alert and acknowledging is for admins
    manager = _token(engine, "lm", "line_manager", ("L01",))
    seen = api_client.get("/api/v1/alerts", headers=manager).get_json()["rows"]
    assert [r["subject"] for r in seen] == ["L01-M01"]
    alert_id = by_subject["L01-M01"]["id"]
    refused = api_client.post(f"/api/v1/alerts/{alert_id}/ack", headers=manager)
    assert refused.status_code == 403

    acked = api_client.post(f"/api/v1/alerts/{alert_id}/ack")
    assert acked.status_code == 200, acked.get_json()
    assert acked.get_json()["acked_by"] == "admin" and acked.get_json()["state"] == "firing"
    first = acked.get_json()["acked_at"]
    assert api_client.post(f"/api/v1/alerts/{alert_id}/ack").get_json()["acked_at"] == first
    assert api_client.post("/api/v1/alerts/9999/ack").status_code == 404
    assert api_client.post("/api/v1/alerts/x/ack").status_code == 404
    bad = api_client.get("/api/v1/alerts", query_string={"state": "sleeping"})
    assert bad.status_code == 400 and bad.get_json()["error"]["code"] == "bad_state"

    # deleting the rule resolves what it fired; a resolved alert cannot be acknowledged
    assert api_client.delete(f"/api/v1/alert-rules/{rule['id']}").status_code == 200
    resolved = api_client.get("/api/v1/alerts", query_string={"state": "resolved"}).get_json()
    assert resolved["total"]["resolved"] == 2
    assert all("the rule was deleted" in r["message"] for r in resolved["rows"])
    late = api_client.post(f"/api/v1/alerts/{alert_id}/ack")
    assert late.status_code == 409 and late.get_json()["error"]["code"] == "not_firing"


def test_rules_of_other_lines_are_hidden_from_a_line_manager(api_client, engine):
    api_client.post("/api/v1/alert-rules", json={**RULE, "lines": ["L02"]})
    api_client.post("/api/v1/alert-rules", json={**RULE, "lines": ["L01", "L02"]})
    api_client.post("/api/v1/alert-rules", json={**RULE, "lines": []})
    manager = _token(engine, "lm", "line_manager", ("L01",))
    rows = api_client.get("/api/v1/alert-rules", headers=manager).get_json()["rows"]
    assert [r["lines"] for r in rows] == [["L01"], []]
    viewer = _token(engine, "v", "viewer")
    assert api_client.post("/api/v1/alert-rules", json=RULE, headers=viewer).status_code == 403
    assert api_client.delete("/api/v1/alert-rules/1", headers=viewer).status_code == 403


def test_evaluate_alerts_command(sqlite_url, make_app):
    """The CLI on the real clock: a machine down for two hours (plant time) fires once."""
    from ingest.deliver import plant_now

    app = make_app(sqlite_url)
    engine = db.get_engine(sqlite_url)
    now = plant_now(app.server.extensions["floorpulse"].settings)
    receiver = Receiver()
    try:
        with engine.begin() as conn:
            db.upsert(conn, schema.lines, [{"line_code": "L01"}])
        _open_breakdown(engine, "BD1", "L01", "L01-M01", now - timedelta(hours=2))
        with engine.begin() as conn:
            ia.create_rule(conn, {"kind": "machine_down", "threshold": 60,
                                  "webhook": receiver.url}, "cli", now)
        runner = app.server.test_cli_runner()
        first = runner.invoke(args=["evaluate-alerts"])
        assert first.exit_code == 0, first.output
        assert "1 fired" in first.output and "1 sent" in first.output
        second = runner.invoke(args=["evaluate-alerts"])
        assert "0 fired" in second.output and "1 firing" in second.output
        assert "0 sent" in second.output
        assert receiver.states() == ["firing"]
    finally:
        receiver.server.shutdown()
        receiver.server.server_close()
