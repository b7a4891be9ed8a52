"""/api/v1/line-balance and /api/v1/changeovers on SQLite and PostgreSQL, with the numbers of
tests/engineering_plant.py (worked out by hand there)."""
from __future__ import annotations

import pytest

from auth import users
from tests.engineering_plant import D1, LAST, engineering_plant

DAY1 = f"start={D1}&end={D1}"
ALL = f"start={D1}&end={LAST}"


@pytest.fixture
def client(engine, database_url, make_app):
    """A client with tokens of a plant head and of a line manager of E1."""
    engineering_plant(engine)
    app = make_app(database_url)
    with engine.begin() as conn:
        head = users.create_token(conn, users.create_user(conn, "head", "long-password",
                                                          role="plant_head"))
        manager = users.create_token(conn, users.create_user(
            conn, "manager", "long-password", role="line_manager", lines=("E1",)))
    c = app.server.test_client()
    c.tokens = {"head": head, "manager": manager}
    return c


def _get(client, url, who="head"):
    return client.get(url, headers={"Authorization": f"Bearer {client.tokens[who]}"})


def test_line_balance_of_the_spec_example(client):
    resp = _get(client, f"/api/v1/line-balance?{DAY1}&line=E1")
    assert resp.status_code == 200
    body = resp.get_json()
    rows = {r["operation"]: r for r in body["rows"]}
    assert [r["operation"] for r in body["rows"]] == ["O1", "O2", "O3"]
    assert [rows[o]["pieces_per_hour"] for o in ("O1", "O2", "O3")] == [62.5, 50.0, 65.0]
    assert rows["O2"]["balance_pct"] == pytest.approx(83.3333, abs=1e-4)
    assert rows["O2"]["bottleneck"] is True and rows["O1"]["bottleneck"] is False
    assert [rows[o]["standard_capacity_per_hour"] for o in ("O1", "O2", "O3")] == \
        pytest.approx([120.0, 60.0, 120.0])
    assert [rows[o]["operators"] for o in ("O1", "O2", "O3")] == pytest.approx([2, 2, 1])
    assert rows["O1"]["smv"] == pytest.approx(1.0) and rows["O1"]["operator_minutes"] == 960
    total = body["total"]
    assert total["lbe_pct"] == pytest.approx(70.0) and total["bottleneck"] == "O2"
    assert total["target_per_hour"] == 60.0 and total["working_hours"] == 8.0
    assert total["line_code"] == "E1"
    assert "bottleneck: O2, 83 % of target" in body["reading"]
    assert "pace gap" in body["reading"]


def test_line_balance_reads_only_its_line(client):
    body = _get(client, f"/api/v1/line-balance?{DAY1}&line=E2").get_json()
    assert [(r["operation"], r["pieces_per_hour"]) for r in body["rows"]] == [("O1", 12.5)]


def test_line_balance_without_a_plan_is_null_not_zero(client):
    body = _get(client, f"/api/v1/line-balance?{DAY1}&line=E3").get_json()
    row = body["rows"][0]
    assert row["pieces_per_hour"] is None and row["balance_pct"] is None
    assert row["operators"] is None and row["bottleneck"] is False
    assert body["total"]["lbe_pct"] is None and body["total"]["bottleneck"] is None
    assert "No plan" in body["reading"]


def test_line_balance_of_a_window_without_output(client):
    body = _get(client, "/api/v1/line-balance?start=2025-01-01&end=2025-01-02&line=E1").get_json()
    assert body["rows"] == [] and body["total"]["lbe_pct"] is None
    assert body["total"]["target_per_hour"] is None


@pytest.mark.parametrize("query, code", [
    (DAY1, "line_required"), (f"{DAY1}&line=E1&line=E2", "line_required"),
    (f"{DAY1}&line=L99", "bad_filter"), ("start=2026-03-05&end=2026-03-01&line=E1",
                                         "bad_filter"),
])
def test_line_balance_bad_parameters(client, query, code):
    resp = _get(client, f"/api/v1/line-balance?{query}")
    assert resp.status_code == 400
    err = resp.get_json()["error"]
    assert err["code"] == code and err["message"]


def test_changeovers_and_learning_curve(client):
    body = _get(client, f"/api/v1/changeovers?{ALL}&line=E1").get_json()
    assert body["rows"] == [{
        "line_code": "E1", "date": "2026-03-03", "style_code": "S2", "previous_style": "S1",
        "days": 9, "earned_minutes": 17280.0, "available_minutes": 21600.0,
        "efficiency_pct": pytest.approx(80.0), "day1_pct": pytest.approx(50.0),
        "days_to_90": 6}]
    curve = {p["k"]: p for p in body["curve"]}
    assert [curve[k]["efficiency_pct"] for k in range(1, 10)] == pytest.approx(
        [50, 60, 70, 80, 85, 90, 90, 95, 100])
    assert [curve[k]["changeovers"] for k in (1, 9, 10)] == [1, 1, 0]
    assert curve[10]["efficiency_pct"] is None and len(curve) == 15
    assert [curve[k]["target_pct"] for k in range(1, 10)] == [50, 60, 70, 80, 85, 90, 90, 95, 105]
    assert body["total"] == {"changeovers": 1, "steady_pct": pytest.approx(97.5),
                             "days_to_90": 6}


def test_changeover_on_the_windows_first_day_looks_back(client):
    # the window starts on the changeover day: S1 ran on the line's previous production day
    body = _get(client, f"/api/v1/changeovers?start=2026-03-03&end={LAST}&line=E1").get_json()
    assert [r["previous_style"] for r in body["rows"]] == ["S1"]
    # a window that ends on day 5 has no steady state yet
    body = _get(client, "/api/v1/changeovers?start=2026-03-01&end=2026-03-07").get_json()
    assert body["total"]["steady_pct"] is None and body["total"]["days_to_90"] is None
    assert body["rows"][0]["days"] == 5
    assert all(p["target_pct"] is None for p in body["curve"])


def test_a_line_manager_reads_only_their_line(client):
    resp = _get(client, f"/api/v1/line-balance?{DAY1}&line=E2", who="manager")
    assert resp.status_code == 400 and "access" in resp.get_json()["error"]["message"]
    resp = _get(client, f"/api/v1/changeovers?{ALL}&line=E2", who="manager")
    assert resp.status_code == 400
    body = _get(client, f"/api/v1/changeovers?{ALL}", who="manager").get_json()
    assert {r["line_code"] for r in body["rows"]} == {"E1"}
    body = _get(client, f"/api/v1/line-balance?{DAY1}&line=E1", who="manager").get_json()
    assert body["total"]["bottleneck"] == "O2"
