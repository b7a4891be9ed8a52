"""Running orders over the API (SPEC section 13) on SQLite and PostgreSQL, on the orders of
tests/order_plant.py, with the clock pinned at NOW = 2026-03-04 10:30 plant-local.

The transition table is written out here by hand (not read from metrics.order_status), so a
change to the module's table fails these tests.
"""
from __future__ import annotations

import json
import threading
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from auth import users
from core.context import Context
from data import db, schema
from ingest import orders as ops
from ingest.importer import import_folder
from tests.order_plant import NOW, order_plant

WO, MI, A = schema.work_orders, schema.material_issues, schema.audit_log
STATUSES = ("DRAFT", "RELEASED", "IN_PROGRESS", "ON_HOLD", "COMPLETED", "CANCELLED")
# action -> {status it may start from: status it leads to}; every other status is a 409
TABLE = {
    "release": {"DRAFT": "RELEASED"},
    "start": {"RELEASED": "IN_PROGRESS"},
    "hold": {"IN_PROGRESS": "ON_HOLD"},
    "resume": {"ON_HOLD": "IN_PROGRESS"},
    "complete": {"IN_PROGRESS": "COMPLETED"},
    "cancel": {"DRAFT": "CANCELLED", "RELEASED": "CANCELLED", "IN_PROGRESS": "CANCELLED",
               "ON_HOLD": "CANCELLED"},
}
STAMP = {"release": "released_at", "start": "started_at", "hold": "held_at",
         "complete": "completed_at", "cancel": "cancelled_at"}
# what an order in each status already carries (SPEC section 2)
EARLIER = datetime(2026, 3, 1, 9)
TIMES = {"DRAFT": {}, "RELEASED": {"released_at": EARLIER},
         "IN_PROGRESS": {"released_at": EARLIER, "started_at": EARLIER},
         "ON_HOLD": {"released_at": EARLIER, "started_at": EARLIER},
         "COMPLETED": {"released_at": EARLIER, "started_at": EARLIER,
                       "completed_at": EARLIER + timedelta(hours=5)},
         "CANCELLED": {}}


@pytest.fixture
def plant(engine, database_url, make_app, monkeypatch):
    monkeypatch.setattr(Context, "now", lambda self: NOW)
    order_plant(engine)
    app = make_app(database_url)
    tokens = {}
    with engine.begin() as conn:
        for role in users.ROLES:
            user = users.create_user(conn, f"u-{role}", "long-password", role=role,
                                     lines=("L01",) if role == "line_manager" else ())
            tokens[role] = users.create_token(conn, user)
    client = app.server.test_client()

    def call(method, path, who="plant_head", body=None):
        resp = client.open(f"/api/v1/orders{path}", method=method, json=body,
                           headers={"Authorization": f"Bearer {tokens[who]}"})
        return resp.status_code, resp.get_json()
    return call


def _order(engine, wo):
    with engine.connect() as conn:
        return conn.execute(select(WO).where(WO.c.wo_number == wo)).mappings().first()


def _audit(engine, wo=None):
    stmt = select(A).order_by(A.c.id)
    if wo:
        stmt = stmt.where(A.c.wo_number == wo)
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(stmt).mappings()]


def _add(engine, wo, status, line="L01", **extra):
    with engine.begin() as conn:
        conn.execute(WO.insert().values(wo_number=wo, style_code="S1", line_code=line,
                                        order_qty=100, produced_qty=0, status=status,
                                        **TIMES[status], **extra))


def test_every_action_from_every_status(plant, engine):
    """36 moves: the allowed ones move and stamp NOW; the others are 409 with both statuses."""
    for action in TABLE:
        for status in STATUSES:
            _add(engine, f"T-{action}-{status}", status)
    for action, allowed in TABLE.items():
        for status in STATUSES:
            wo = f"T-{action}-{status}"
            code, body = plant("POST", f"/{wo}/{action}")
            if status in allowed:
                assert code == 200, (action, status, body)
                assert body["status"] == allowed[status]
                row = _order(engine, wo)
                assert row["status"] == allowed[status]
                if action in STAMP:
                    assert row[STAMP[action]] == NOW, (action, status)
                    assert body[STAMP[action]] == "2026-03-04T10:30:00"
            else:
                assert code == 409, (action, status, body)
                err = body["error"]
                assert err["code"] == f"WORK_ORDER_CANNOT_{action.upper()}"
                assert err["details"]["current_status"] == status
                assert err["details"]["required_status"] == sorted(
                    allowed, key=STATUSES.index)
                assert _order(engine, wo)["status"] == status  # nothing applied
    # one audit row per allowed move, none for a refused one
    moves = [r for r in _audit(engine) if r["wo_number"] and r["wo_number"].startswith("T-")]
    assert len(moves) == sum(len(a) for a in TABLE.values()) == 9
    assert {(r["action"], r["status_before"], r["status_after"]) for r in moves} == {
        (f"order {a}", s, t) for a, allowed in TABLE.items() for s, t in allowed.items()}


def test_resume_keeps_the_first_start_and_the_actions_offered(plant, engine):
    code, body = plant("POST", "/WO-C/resume")  # ON_HOLD since 03-02 08:00
    assert code == 200 and body["status"] == "IN_PROGRESS"
    assert body["started_at"] == "2026-03-02T08:00:00"
    assert body["actions"] == ["hold", "complete", "cancel"]


def test_a_bulk_action_answers_per_order(plant, engine):
    code, body = plant("POST", "/bulk", body={
        "action": "start", "wo_numbers": ["WO-B", "WO-G", "WO-NOPE", "WO-B", "WO-A"]})
    assert code == 200
    assert body["done"] == [{"wo_number": "WO-B", "status": "IN_PROGRESS"}]
    failed = {f["wo_number"]: f for f in body["failed"]}
    assert list(failed) == ["WO-G", "WO-NOPE", "WO-A"]  # each once, in the order sent
    assert failed["WO-G"]["code"] == "WORK_ORDER_CANNOT_START"
    assert failed["WO-G"]["details"] == {"current_status": "DRAFT",
                                         "required_status": ["RELEASED"]}
    assert failed["WO-NOPE"]["code"] == "not_found"
    assert failed["WO-A"]["details"]["current_status"] == "IN_PROGRESS"
    assert _order(engine, "WO-B")["status"] == "IN_PROGRESS"
    assert _order(engine, "WO-G")["status"] == "DRAFT"
    assert [r["wo_number"] for r in _audit(engine)] == ["WO-B"]


def test_bulk_as_a_line_manager_fails_only_the_other_lines_orders(plant, engine):
    code, body = plant("POST", "/bulk", who="line_manager",
                       body={"action": "cancel", "wo_numbers": ["WO-G", "WO-B"]})
    assert code == 200
    assert body["done"] == [{"wo_number": "WO-G", "status": "CANCELLED"}]
    assert [(f["wo_number"], f["code"]) for f in body["failed"]] == [("WO-B", "forbidden")]
    assert _order(engine, "WO-B")["status"] == "RELEASED"


@pytest.mark.parametrize("body, field", [
    ({"action": "launch", "wo_numbers": ["WO-B"]}, "action"),
    ({"action": "start", "wo_numbers": []}, "wo_numbers"),
    ({"action": "start", "wo_numbers": "WO-B"}, "wo_numbers"),
    ({"action": "start", "wo_numbers": [7]}, "wo_numbers"),
])
def test_a_bad_bulk_body_is_422_and_moves_nothing(plant, engine, body, field):
    code, answer = plant("POST", "/bulk", body=body)
    assert code == 422 and answer["error"]["details"]["field"] == field
    assert _order(engine, "WO-B")["status"] == "RELEASED" and _audit(engine) == []


def test_roles(plant, engine):
    # a viewer runs nothing, not even on a known order
    code, body = plant("POST", "/WO-G/release", who="viewer")
    assert code == 403 and body["error"]["code"] == "forbidden"
    # a line manager of L01: another line's order is 403 and unchanged; their own line's moves
    code, body = plant("POST", "/WO-B/start", who="line_manager")
    assert code == 403 and body["error"]["details"] == {"line_code": "L02"}
    assert _order(engine, "WO-B")["status"] == "RELEASED"
    assert plant("PATCH", "/WO-C", who="line_manager", body={"order_qty": 5})[0] == 403
    assert plant("POST", "/WO-C/materials", who="line_manager",
                 body={"material_code": "THR-01", "qty": 1})[0] == 403
    assert plant("POST", "", who="line_manager", body={
        "wo_number": "WO-X", "style_code": "S1", "line_code": "L02", "order_qty": 10})[0] == 403
    assert plant("POST", "/WO-G/release", who="line_manager")[0] == 200
    # plant heads and admins run every line's orders
    assert plant("POST", "/WO-B/start", who="plant_head")[0] == 200
    assert plant("POST", "/WO-C/resume", who="admin")[0] == 200
    assert [(r["username"], r["wo_number"]) for r in _audit(engine)] == [
        ("u-line_manager", "WO-G"), ("u-plant_head", "WO-B"), ("u-admin", "WO-C")]


def test_create_edit_and_their_audit_rows(plant, engine):
    code, body = plant("POST", "", body={
        "wo_number": " WO-N ", "style_code": "S2", "line_code": "L02", "order_qty": 1200,
        "planned_start": "2026-03-05", "due_date": "2026-03-12"})
    assert code == 201, body
    assert body["status"] == "DRAFT" and body["wo_number"] == "WO-N"
    assert body["produced_qty"] == 0 and body["actions"] == ["release", "cancel"]
    code, body = plant("PATCH", "/WO-N", body={"order_qty": 1500, "due_date": "2026-03-14"})
    assert code == 200 and body["order_qty"] == 1500 and body["due_date"] == "2026-03-14"
    # the new order is in the read API with its metrics (the data version moved on)
    code, listed = plant("GET", "?line=L02")
    row = next(r for r in listed["rows"] if r["wo_number"] == "WO-N")
    assert row["remaining"] == 1500 and row["status"] == "DRAFT"
    created, edited = _audit(engine, "WO-N")
    assert (created["action"], created["status_before"], created["status_after"]) == (
        "order create", None, "DRAFT")
    assert json.loads(created["details"])["order_qty"] == 1200
    assert (edited["action"], edited["username"], edited["ts"]) == ("order edit",
                                                                     "u-plant_head", NOW)
    assert json.loads(edited["details"]) == {"order_qty": [1200, 1500],
                                             "due_date": ["2026-03-12", "2026-03-14"]}
    # an edit that changes nothing writes no audit row
    assert plant("PATCH", "/WO-N", body={"order_qty": 1500})[0] == 200
    assert len(_audit(engine, "WO-N")) == 2


def test_a_closed_order_cannot_be_edited(plant, engine):
    code, body = plant("PATCH", "/WO-E", body={"order_qty": 1})
    assert code == 409 and body["error"]["code"] == "WORK_ORDER_CANNOT_EDIT"
    assert body["error"]["details"]["current_status"] == "COMPLETED"
    assert _order(engine, "WO-E")["order_qty"] == 1500


@pytest.mark.parametrize("body, field, code", [
    ({"order_qty": -5}, "order_qty", "invalid_order"),
    ({"order_qty": 12.5}, "order_qty", "invalid_order"),
    ({"order_qty": "many"}, "order_qty", "invalid_order"),
    ({"order_qty": True}, "order_qty", "invalid_order"),
    ({"style_code": "S9"}, "style_code", "invalid_order"),
    ({"line_code": "L99"}, "line_code", "invalid_order"),
    ({"planned_start": "2026-03-10", "due_date": "2026-03-09"}, "due_date",
     "WORK_ORDER_DUE_BEFORE_START"),
    ({"due_date": "9 March"}, "due_date", "invalid_order"),
    ({"status": "SHIPPED"}, "status", "WORK_ORDER_BAD_STATUS"),
    ({"status": "RELEASED"}, "status", "WORK_ORDER_BAD_STATUS"),
    ({"started_at": "2026-03-04T08:00"}, "started_at", "invalid_order"),
    ({"colour": "red"}, "colour", "invalid_order"),
    ({"wo_number": ""}, "wo_number", "invalid_order"),
])
def test_a_bad_new_order_is_422_naming_the_field_and_writes_nothing(plant, engine, body,
                                                                      field, code):
    good = {"wo_number": "WO-N", "style_code": "S1", "line_code": "L01", "order_qty": 100}
    status, answer = plant("POST", "", body={**good, **body})
    assert status == 422, answer
    assert answer["error"]["code"] == code
    assert answer["error"]["details"]["field"] == field
    assert field in answer["error"]["message"]
    assert _order(engine, "WO-N") is None and _audit(engine) == []


def test_a_duplicate_order_number_is_409(plant, engine):
    status, answer = plant("POST", "", body={"wo_number": "WO-A", "style_code": "S1",
                                             "line_code": "L01", "order_qty": 1})
    assert status == 409 and answer["error"]["code"] == "WORK_ORDER_EXISTS"
    assert _order(engine, "WO-A")["order_qty"] == 6000


@pytest.mark.parametrize("body, field", [
    ({"order_qty": -1}, "order_qty"),
    ({"due_date": "2026-03-01"}, "due_date"),  # WO-A planned to start 03-02
    ({"status": "COMPLETED"}, "status"),
    ({"line_code": "L02"}, "line_code"),
    ({"produced_qty": None}, "produced_qty"),
    ({"order_qty": None}, "order_qty"),
])
def test_a_bad_edit_is_422_and_changes_nothing(plant, engine, body, field):
    status, answer = plant("PATCH", "/WO-A", body={"produced_qty": 2500, **body})
    assert status == 422 and answer["error"]["details"]["field"] == field
    row = _order(engine, "WO-A")
    assert (row["produced_qty"], row["order_qty"], row["due_date"]) == (2400, 6000,
                                                                        date(2026, 3, 6))
    assert _audit(engine) == []


def test_unknown_order_or_action(plant):
    for method, path, body in (("POST", "/WO-NOPE/start", None), ("PATCH", "/WO-NOPE",
                                                                 {"order_qty": 1}),
                               ("POST", "/WO-NOPE/materials", {"material_code": "X", "qty": 1})):
        status, answer = plant(method, path, body=body)
        assert status == 404 and answer["error"]["code"] == "not_found", path
    status, answer = plant("POST", "/WO-A/launch")
    assert status == 404 and answer["error"]["code"] == "unknown_action"


def test_material_issue_grows_and_flags_over_issue(plant, engine):
    # WO-A FAB-01: 9,000 m required, 7,000 issued
    status, body = plant("POST", "/WO-A/materials", body={"material_code": "FAB-01",
                                                          "qty": 1500})
    assert status == 200
    assert (body["issued_qty"], body["shortage"], body["over_issued"]) == (8500, 500, False)
    status, body = plant("POST", "/WO-A/materials", body={"material_code": "FAB-01",
                                                          "qty": 1000.5})
    assert (body["issued_qty"], body["shortage"], body["over_issued"],
            body["over_issued_by"]) == (9500.5, 0, True, 500.5)
    issued = [json.loads(r["details"]) for r in _audit(engine, "WO-A")]
    assert [d["issued_qty"] for d in issued] == [[7000, 8500], [8500, 9500.5]]
    assert [d["over_issued"] for d in issued] == [False, True]
    # WO-A no longer short of anything
    _code, listed = plant("GET", "?line=L01")
    assert next(r for r in listed["rows"] if r["wo_number"] == "WO-A")["materials_short"] == 0


@pytest.mark.parametrize("wo, body, status, code, field", [
    ("WO-A", {"material_code": "ZIP-9", "qty": 1}, 422, "invalid_order", "material_code"),
    ("WO-A", {"material_code": "FAB-01", "qty": 0}, 422, "invalid_order", "qty"),
    ("WO-A", {"material_code": "FAB-01", "qty": "5"}, 422, "invalid_order", "qty"),
    ("WO-A", {"qty": 5}, 422, "invalid_order", "material_code"),
    ("WO-E", {"material_code": "FAB-01", "qty": 5}, 409, "WORK_ORDER_CANNOT_ISSUE_MATERIAL",
     None),
])
def test_a_bad_material_issue_changes_nothing(plant, engine, wo, body, status, code, field):
    got, answer = plant("POST", f"/{wo}/materials", body=body)
    assert got == status and answer["error"]["code"] == code
    if field:
        assert answer["error"]["details"]["field"] == field
    with engine.connect() as conn:
        assert conn.execute(select(func.sum(MI.c.issued_qty))).scalar() == 38520
    assert _audit(engine) == []


def test_a_body_that_is_not_json_is_400(plant):
    status, answer = plant("POST", "/bulk")
    assert status == 400 and answer["error"]["code"] == "bad_json"


# --- one place for the rules: the import and the API refuse the same things with the same code --

IMPORT_HEADER = ("wo_number,style_code,line_code,order_qty,produced_qty,status,planned_start,"
                 "due_date,released_at,started_at,completed_at\n")


def _import(engine, tmp_path, row):
    folder = tmp_path / "import"
    folder.mkdir(exist_ok=True)
    (folder / "work_orders.csv").write_text(IMPORT_HEADER + row + "\n")
    return import_folder(engine, folder)


def test_import_and_api_refuse_a_due_date_before_the_start_alike(plant, engine, tmp_path):
    report = _import(engine, tmp_path, "WO-Z,S1,L01,10,0,DRAFT,2026-03-10,2026-03-09,,,")
    assert report.errors == ["work_orders.csv:2: due_date: WORK_ORDER_DUE_BEFORE_START: "
                             "due_date before planned_start"]
    status, answer = plant("POST", "", body={
        "wo_number": "WO-Z", "style_code": "S1", "line_code": "L01", "order_qty": 10,
        "planned_start": "2026-03-10", "due_date": "2026-03-09"})
    assert status == 422 and answer["error"]["code"] == "WORK_ORDER_DUE_BEFORE_START"
    assert answer["error"]["details"]["fields"]["due_date"] == report.errors[0].split(
        "due_date: ", 1)[1]


def test_a_start_the_import_would_refuse_is_refused_with_its_code(plant, engine, tmp_path):
    """Released (by the ERP) for tomorrow: starting it now would put started_at before
    released_at, which the import refuses as WORK_ORDER_TIMESTAMPS_OUT_OF_ORDER; so does the API."""
    report = _import(engine, tmp_path, "WO-Z,S1,L01,10,0,IN_PROGRESS,,,2026-03-05T08:00,"
                                       "2026-03-04T10:30,")
    assert [e.split(": ", 2)[2].split(":")[0] for e in report.errors] == [
        "WORK_ORDER_TIMESTAMPS_OUT_OF_ORDER"]
    _add(engine, "WO-Z", "RELEASED")
    with engine.begin() as conn:
        conn.execute(WO.update().where(WO.c.wo_number == "WO-Z").values(
            released_at=datetime(2026, 3, 5, 8)))
    status, answer = plant("POST", "/WO-Z/start")
    assert status == 409 and answer["error"]["code"] == "WORK_ORDER_TIMESTAMPS_OUT_OF_ORDER"
    assert answer["error"]["details"]["field"] == "started_at"
    assert _order(engine, "WO-Z")["status"] == "RELEASED"


def test_the_import_refuses_a_status_the_api_refuses(plant, engine, tmp_path):
    report = _import(engine, tmp_path, "WO-Z,S1,L01,10,0,SHIPPED,,,,,")
    assert report.errors[0].startswith("work_orders.csv:2: status: WORK_ORDER_BAD_STATUS: ")
    status, answer = plant("POST", "", body={"wo_number": "WO-Z", "style_code": "S1",
                                             "line_code": "L01", "order_qty": 10,
                                             "status": "SHIPPED"})
    assert answer["error"]["details"]["fields"]["status"] == report.errors[0].split(
        "status: ", 1)[1]


# --- concurrency: separate connections on real threads ---------------------------------------

def test_concurrent_starts_of_one_order_let_exactly_one_win(engine):
    order_plant(engine)
    threads_per_order = 4
    for round_no in range(5):
        wo = f"RACE-{round_no}"
        _add(engine, wo, "RELEASED", line="L02")
        barrier = threading.Barrier(threads_per_order)
        outcomes = []

        def start(who):
            barrier.wait()
            try:
                ops.run(engine, ops.Actor(who), wo, "start", NOW)
                outcomes.append(("done", who))
            except ops.OrderError as err:
                outcomes.append((err.code, err.details.get("current_status")))
        threads = [threading.Thread(target=start, args=(f"planner-{i}",))
                   for i in range(threads_per_order)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert len(outcomes) == threads_per_order
        assert sum(1 for o in outcomes if o[0] == "done") == 1, outcomes
        assert sorted(o for o in outcomes if o[0] != "done") == [
            ("WORK_ORDER_CANNOT_START", "IN_PROGRESS")] * (threads_per_order - 1)
        rows = _audit(engine, wo)
        assert len(rows) == 1 and rows[0]["status_after"] == "IN_PROGRESS"
        winner = next(o[1] for o in outcomes if o[0] == "done")
        assert rows[0]["username"] == winner


def test_moves_are_stamped_in_plant_local_time(engine, database_url, make_ctx):
    """Unpinned clock: started_at is the wall clock in PLANT_TZ (Asia/Dhaka, UTC+6), not UTC."""
    order_plant(engine)
    ctx = make_ctx(plant_tz="Asia/Dhaka")
    order = ops.run(ctx.engine, ops.Actor("planner"), "WO-B", "start", ctx.now())
    dhaka = datetime.now(ZoneInfo("Asia/Dhaka")).replace(tzinfo=None)
    assert abs(order["started_at"] - dhaka) < timedelta(minutes=1)
    assert order["started_at"].microsecond == 0
    with engine.connect() as conn:
        assert db.get_data_version(conn) >= 2


# --- the audit log on the Admin page, filtered by order ------------------------------------------

def test_admin_reads_one_orders_operations(engine, database_url, make_app, make_ctx,
                                           monkeypatch):
    from reports.admin import audit_table
    monkeypatch.setattr(Context, "now", lambda self: NOW)
    order_plant(engine)
    actor = ops.Actor("planner")
    ops.run(engine, actor, "WO-B", "start", NOW)
    ops.edit(engine, actor, "WO-A", {"order_qty": 6500}, NOW)
    ops.issue(engine, actor, "WO-A", {"material_code": "FAB-01", "qty": 2500}, NOW)
    table = audit_table(make_ctx(), "WO-A")
    assert list(table["action"]) == ["order issue material", "order edit"]  # newest first
    assert list(table["move"]) == ["IN_PROGRESS → IN_PROGRESS"] * 2
    assert "order_qty: 6000 → 6500" in table["summary"].iloc[1]
    assert "issued_qty: 7000.0 → 9500.0" in table["summary"].iloc[0]
    assert "over_issued: True" in table["summary"].iloc[0]
    assert list(audit_table(make_ctx(), "WO-B")["move"]) == ["RELEASED → IN_PROGRESS"]
    assert len(audit_table(make_ctx())) == 3

    # the Admin page's filter callback: admins only
    app = make_app(database_url)
    with engine.begin() as conn:
        tokens = {role: users.create_token(conn, users.create_user(
            conn, f"u-{role}", "long-password", role=role)) for role in ("admin", "plant_head")}
    client = app.server.test_client()
    client.get("/login")
    (key,) = [k for k in app.callback_map if k.startswith("admin-audit-grid.rowData@")]
    body = {"output": key, "outputs": {"id": "admin-audit-grid",
                                       "property": key.split(".", 1)[1]},
            "inputs": [{"id": "admin-audit-order", "property": "value", "value": " WO-A "}],
            "changedPropIds": ["admin-audit-order.value"], "state": []}
    resp = client.post("/_dash-update-component", json=body,
                       headers={"Authorization": f"Bearer {tokens['admin']}"})
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    rows = resp.get_json()["response"]["admin-audit-grid"]["rowData"]
    assert [(r["wo_number"], r["action"]) for r in rows] == [
        ("WO-A", "order issue material"), ("WO-A", "order edit")]
    assert client.post("/_dash-update-component", json=body, headers={
        "Authorization": f"Bearer {tokens['plant_head']}"}).status_code == 403
    # a refresh of the admin tables (after a user change, say) keeps the order filter
    outputs = [("admin-imports-grid", "rowData"), ("admin-users-grid", "rowData"),
               ("admin-tokens-grid", "rowData"), ("admin-audit-grid", "rowData"),
               ("admin-token-user", "options")]
    refresh = {"output": "..." .join(f"{i}.{p}" for i, p in outputs).join(("..", "..")),
               "outputs": [{"id": i, "property": p} for i, p in outputs],
               "inputs": [{"id": "admin-refresh", "property": "data", "value": 1}],
               "state": [{"id": "admin-audit-order", "property": "value", "value": "WO-B"}],
               "changedPropIds": ["admin-refresh.data"]}
    resp = client.post("/_dash-update-component", json=refresh,
                       headers={"Authorization": f"Bearer {tokens['admin']}"})
    assert [r["wo_number"] for r in resp.get_json()["response"]["admin-audit-grid"]["rowData"]
            ] == ["WO-B"]


# --- the Orders page's action callback, called as the browser calls it ---------------------------

def _page_action(plant_app, who, pending, trigger="orders-pending.data"):
    app, client, tokens = plant_app
    (key,) = [k for k in app.callback_map if "orders-confirm-text.children" in k]
    spec = app.callback_map[key]
    outputs = [{"id": o.strip(".").rsplit(".", 1)[0], "property": o.strip(".").rsplit(".", 1)[1]}
               for o in key.split("...")]
    values = {"orders-pending.data": pending, "filter-dates.start_date": "2026-02-23",
              "filter-dates.end_date": "2026-03-04"}
    fill = lambda items: [{"id": i["id"], "property": i["property"],  # noqa: E731
                           "value": values.get(f"{i['id']}.{i['property']}",
                                               1 if f"{i['id']}.{i['property']}" == trigger
                                               else None)} for i in items]
    body = {"output": key, "outputs": outputs, "inputs": fill(spec["inputs"]),
            "state": fill(spec["state"]), "changedPropIds": [trigger]}
    resp = client.post("/_dash-update-component", json=body,
                       headers={"Authorization": f"Bearer {tokens[who]}"})
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    return resp.get_json()["response"]


@pytest.fixture
def plant_app(engine, database_url, make_app, monkeypatch):
    monkeypatch.setattr(Context, "now", lambda self: NOW)
    order_plant(engine)
    app = make_app(database_url)
    with engine.begin() as conn:
        tokens = {role: users.create_token(conn, users.create_user(
            conn, f"u-{role}", "long-password", role=role,
            lines=("L01",) if role == "line_manager" else ())) for role in users.ROLES}
    client = app.server.test_client()
    client.get("/login")
    return app, client, tokens


def test_the_page_runs_a_bulk_action_and_shows_each_orders_answer(plant_app, engine):
    answer = _page_action(plant_app, "plant_head",
                          {"action": "start", "wo_numbers": ["WO-B", "WO-G"], "asked": 1})
    text = json.dumps(answer["orders-action-result"])
    assert "WO-B: started" in text
    assert "WO-G: Work order WO-G cannot be started in status DRAFT; it must be RELEASED." in text
    assert answer["orders-action-result"]["header"] == "Start: 1 done · 1 refused"
    assert answer["orders-action-result"]["icon"] == "warning"
    # the content is built again: WO-B now reads "In progress" in the open-orders grid
    grid = json.dumps(answer["orders-content"])
    assert '"wo_number": "WO-B"' in grid and "In progress" in grid
    assert _order(engine, "WO-B")["status"] == "IN_PROGRESS"
    assert _order(engine, "WO-G")["status"] == "DRAFT"


def test_the_page_asks_before_a_cancel(plant_app, engine):
    pending = {"action": "cancel", "wo_numbers": ["WO-G"], "asked": 1}
    answer = _page_action(plant_app, "plant_head", pending)
    assert answer["orders-confirm"]["is_open"] is True
    assert "Cancel WO-G?" in answer["orders-confirm-text"]["children"]
    assert _order(engine, "WO-G")["status"] == "DRAFT"  # asked, not done
    answer = _page_action(plant_app, "plant_head", pending, trigger="orders-confirm-yes.n_clicks")
    assert "WO-G: cancelled" in json.dumps(answer["orders-action-result"])
    assert _order(engine, "WO-G")["status"] == "CANCELLED"


def test_the_page_runs_nothing_for_a_viewer(plant_app, engine):
    answer = _page_action(plant_app, "viewer",
                          {"action": "start", "wo_numbers": ["WO-B"], "asked": 1})
    assert "may read orders, not run them" in json.dumps(answer)
    assert _order(engine, "WO-B")["status"] == "RELEASED"
