"""The API describes itself (SPEC section 14): /api/openapi.json, /api/docs, and a fuzz run.

The document must hold every /api route the app serves (a route added without `api.declare.route`
fails here), validate as OpenAPI 3.1, and be true: a bounded schemathesis run over every
operation, signed in with a bearer token on the small plant, finds no 5xx and no answer that
breaks the document (status codes, content types, response schemas).
"""
from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from openapi_spec_validator import validate

from api.fallback import FALLBACK_ENDPOINT
from api.openapi import openapi_path

IGNORED_METHODS = {"HEAD", "OPTIONS"}  # Flask adds these to every rule by itself


@pytest.fixture
def app(sqlite_url, make_app):
    return make_app(sqlite_url)


def _document(app) -> dict:
    resp = app.server.test_client().get("/api/openapi.json")  # no sign-in needed
    assert resp.status_code == 200 and resp.mimetype == "application/json"
    return resp.get_json()


def test_every_api_route_is_in_the_document_with_its_methods(app):
    paths = _document(app)["paths"]
    served = [(rule, method) for rule in app.server.url_map.iter_rules()
              if rule.rule.startswith("/api") and rule.endpoint != FALLBACK_ENDPOINT
              for method in sorted(rule.methods - IGNORED_METHODS)]
    assert ("/api/v1/production", "GET") in [(r.rule, m) for r, m in served]
    missing = [f"{method} {rule.rule}" for rule, method in served
               if method.lower() not in paths.get(openapi_path(rule.rule), {})]
    assert missing == [], f"declare these routes with api.declare.route: {missing}"
    # and nothing is documented that is not served
    served_ops = {(openapi_path(rule.rule), method.lower()) for rule, method in served}
    documented = {(path, method) for path, ops in paths.items() for method in ops}
    assert documented == served_ops


def test_the_document_is_valid_openapi_3_1(app):
    doc = _document(app)
    assert doc["openapi"].startswith("3.1")
    validate(doc)  # raises on any violation of the OpenAPI 3.1 schema


def test_the_document_says_parameters_errors_and_auth(app):
    doc = _document(app)
    production = doc["paths"]["/api/v1/production"]["get"]
    params = {p["name"]: p for p in production["parameters"]}
    assert set(params) == {"start", "end", "line", "shift", "style", "group_by"}
    assert params["start"]["schema"] == {"type": "string", "format": "date"}
    assert params["line"]["schema"]["type"] == "array" and params["line"]["explode"] is True
    assert "hour" in params["group_by"]["schema"]["items"]["pattern"]
    bad = production["responses"]["400"]["content"]["application/json"]["schema"]
    assert set(bad["properties"]["error"]["properties"]["code"]["enum"]) == {
        "bad_filter", "bad_group_by"}
    assert {"200", "400", "401", "403"} <= set(production["responses"])
    row = doc["components"]["schemas"]["ProductionRow"]
    assert {"output", "efficiency_pct", "line_code", "hour"} <= set(row["properties"])
    orders = {p["name"]: p for p in doc["paths"]["/api/v1/orders"]["get"]["parameters"]}
    assert "IN_PROGRESS" in orders["status"]["schema"]["items"]["enum"]
    events = doc["paths"]["/api/v1/events"]["post"]
    item = events["requestBody"]["content"]["application/json"]["schema"]["anyOf"][0]
    assert set(item["required"]) == {"ts", "emp_code", "station_code", "event_type"}
    assert events["responses"]["413"]
    # signed-in routes need a bearer token or the session; health and the docs do not
    assert doc["security"] == [{"bearer": []}, {"session": []}]
    assert doc["paths"]["/api/health"]["get"]["security"] == []
    assert "security" not in production


def test_a_parameter_is_parsed_by_its_declaration(app, sqlite_url):
    """The Query model that documents a parameter is the one that refuses it, with its code."""
    from auth import users
    from data import db
    with db.get_engine(sqlite_url).begin() as conn:
        token = users.create_token(conn, users.create_user(conn, "u", "pw-123456789", "viewer"))
    client = app.server.test_client()
    auth = {"Authorization": f"Bearer {token}"}
    resp = client.get("/api/v1/orders?status=shipped", headers=auth)
    err = resp.get_json()["error"]
    assert resp.status_code == 400 and err["code"] == "bad_status"
    assert "DRAFT" in err["details"]["allowed"]
    resp = client.get("/api/v1/quality?group_by=line,colour", headers=auth)
    err = resp.get_json()["error"]
    assert resp.status_code == 400 and err["code"] == "bad_group_by"
    assert err["message"] == "group_by 'colour' is not one of line, date, shift, style, " \
                             "reason, operation."
    resp = client.get("/api/v1/orders?due_from=2026-13-01", headers=auth)
    assert resp.status_code == 400 and resp.get_json()["error"]["code"] == "bad_filter"
    assert "due_from must be a date" in resp.get_json()["error"]["message"]


def test_what_the_document_calls_public_is_what_the_gate_lets_through(app):
    """Each operation without sign-in answers without a token, and every other one asks for one."""
    import re
    client = app.server.test_client()
    for path, operations in _document(app)["paths"].items():
        for method, op in operations.items():
            url = re.sub(r"\{[^}]+\}", "swagger-ui.css", path)
            status = client.open(url, method=method.upper()).status_code
            if op.get("security") == []:
                assert status != 401, (method, path)
            else:
                assert status == 401, (method, path)


def test_a_body_model_parses_a_json_body_whole():
    """A `Body` route gets its body parsed, or a 400 naming every bad field (bad_json when the
    body is not JSON at all)."""
    from pydantic import Field

    from api.params import Body, IsoDate
    from core.errors import ApiError

    class Issue(Body):
        error_code = "bad_material_issue"
        material_code: str = Field(max_length=10)
        qty: float = Field(gt=0)
        on: IsoDate = None

    assert Issue.from_json({"material_code": "THR-1", "qty": "2.5"}).qty == 2.5
    with pytest.raises(ApiError) as err:
        Issue.from_json({"material_code": "THR-1", "qty": 0, "on": "2026-02-30"})
    assert err.value.status == 400 and err.value.code == "bad_material_issue"
    assert err.value.message.startswith("qty: ")
    assert [e["field"] for e in err.value.details["errors"]] == ["qty", "on"]
    assert "on must be a date like 2026-01-31" in err.value.details["errors"][1]["reason"]
    with pytest.raises(ApiError) as err:
        Issue.from_json(None)
    assert err.value.code == "bad_json"


def test_docs_are_served_locally_without_sign_in(app):
    client = app.server.test_client()
    page = client.get("/api/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert "http" not in html.replace("http-equiv", "")  # no CDN: every file is ours
    for name in ("swagger-ui.css", "swagger-ui-bundle.js", "floorpulse-docs.js"):
        assert f"/api/docs/{name}" in html
        resp = client.get(f"/api/docs/{name}")
        assert resp.status_code == 200 and resp.content_length or resp.get_data()
    missing = client.get("/api/docs/secret.txt")
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"
    assert client.get("/api/docs/..%2Fapp.py").status_code == 404


# --- what the fuzz run found -------------------------------------------------------------------

@pytest.mark.parametrize("query", ["line=L01%00", "emp=E%00", "department=Cut%00ting",
                                   "group_by=line%00"])
def test_a_nul_character_in_a_parameter_is_a_400_not_a_500(api_client, query):
    # PostgreSQL refuses a NUL in a bind parameter: it was a 500 for emp and department
    resp = api_client.get(f"/api/v1/attendance?{query}")
    err = resp.get_json()["error"]
    assert resp.status_code == 400 and err["code"] == "bad_filter"
    assert "contains a NUL character" in err["message"]


def test_a_nul_character_in_an_ingested_item_rejects_that_item(api_client, engine):
    from tests.camera_plant import cameras
    cameras(engine)
    good = {"ts": "2026-03-02T10:00:00", "emp_code": "W1", "station_code": "ST1",
            "event_type": "working"}
    resp = api_client.post("/api/v1/events", json=[{**good, "model_version": "v1\x00"}, good])
    body = resp.get_json()
    assert resp.status_code == 200 and body["accepted"] == 1
    assert body["rejected"] == [{"index": 0, "reason": "model_version: contains a NUL "
                                                       "character: 'v1\\0'"}]
    resp = api_client.post("/api/v1/punches", json=[
        {"emp_code": "W1\x00", "ts": "2026-03-02T08:00:00"},
        {"device_user_id": "7\x00", "ts": "2026-03-02T08:00:00"},
        {"emp_code": "W1", "ts": "2026-03-02T08:00:00", "device_id": "D\x001"},
        {"emp_code": "W1", "ts": "2026-03-02T08:00:00"}])
    body = resp.get_json()
    assert resp.status_code == 200 and body["accepted"] == 1
    assert [r["reason"] for r in body["rejected"]] == [
        "emp_code: contains a NUL character: 'W1\\0'",
        "device_user_id: contains a NUL character: '7\\0'",
        "device_id: contains a NUL character: 'D\\01'"]


def test_a_nul_character_in_an_order_number_is_no_order(api_client):
    resp = api_client.post("/api/v1/orders/bulk", json={"action": "hold",
                                                         "wo_numbers": ["WO\x00A"]})
    assert resp.status_code == 200
    assert [f["code"] for f in resp.get_json()["failed"]] == ["not_found"]
    resp = api_client.patch("/api/v1/orders/WO%00A", json={"order_qty": 5})
    assert resp.status_code == 404 and resp.get_json()["error"]["code"] == "not_found"


# --- the fuzz run ---------------------------------------------------------------------------

# per operation and mode: ~400 requests in all, well under a minute (FUZZ_MAX_EXAMPLES=200 for a
# deeper run by hand)
MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "12"))


@pytest.fixture
def fuzz_target(database_url, make_app):
    """The app on each backend with the small plant and its orders, and an admin bearer token
    (PostgreSQL too: it refuses values SQLite lets by, and a refusal must not be a 500)."""
    from auth import users
    from data import db
    from tests.order_plant import order_plant
    engine = db.get_engine(database_url)
    order_plant(engine)
    app = make_app(database_url)
    with engine.begin() as conn:
        token = users.create_token(conn, users.create_user(conn, "fuzz", "pw-123456789",
                                                           role="admin"))
    return app, token


def test_fuzzing_every_operation_finds_no_server_error_and_no_broken_promise(fuzz_target):
    import schemathesis
    from schemathesis import GenerationMode
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance, response_schema_conformance, status_code_conformance,
    )
    app, token = fuzz_target
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app.server)
    checks = [not_a_server_error, status_code_conformance, content_type_conformance,
              response_schema_conformance]
    headers = {"Authorization": f"Bearer {token}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    documented = {f"{method.upper()} {path}" for path, ops in schema.raw_schema["paths"].items()
                  for method in ops}
    # every operation but the document itself (which schemathesis loaded it from)
    assert {op.label for op in operations} == documented - {"GET /api/openapi.json"}
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None,
                      suppress_health_check=list(HealthCheck))
            def call(case):
                case.call_and_validate(headers=headers, checks=checks)
            try:
                call()
            except Unsatisfiable:  # nothing invalid to send (no parameters, or any string goes)
                assert mode == GenerationMode.NEGATIVE, operation.label
