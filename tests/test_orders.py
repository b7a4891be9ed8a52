"""Orders on SQLite and PostgreSQL: reports, /api/v1/orders, the Overview card and the page's
content, with the hand-worked numbers of tests/order_plant.py (today pinned to 2026-03-04)."""
from __future__ import annotations

from datetime import date

import pytest

from auth import users
from reports import orders as r
from core.context import Context
from core.filters import Filters
from reports.overview import extra_overview_kpis
from settings import Settings
from tests.order_plant import NOW, TODAY, order_plant

WINDOW = Filters(start=date(2026, 2, 23), end=TODAY)  # 10 days: on-time by day


@pytest.fixture
def pinned(monkeypatch):
    monkeypatch.setattr(Context, "now", lambda self: NOW)


@pytest.fixture
def ctx(engine, database_url, tmp_path, pinned):
    order_plant(engine)
    return Context.create(Settings(database_url=database_url, cache_dir=str(tmp_path / "c")))


@pytest.fixture
def client(engine, database_url, make_app, pinned):
    order_plant(engine)
    app = make_app(database_url)
    with engine.begin() as conn:
        token = users.create_token(conn, users.create_user(conn, "admin", "admin-pw",
                                                           role="admin"))
        l02 = users.create_token(conn, users.create_user(conn, "l2", "l2-password",
                                                         role="line_manager", lines=("L02",)))
    c = app.server.test_client()
    c.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    c.l02_token = l02
    return c


def test_orders_report_has_every_metric(ctx):
    rows = r.orders(ctx, TODAY)["rows"].set_index("wo_number")
    a = rows.loc["WO-A"]
    assert a["progress_pct"] == pytest.approx(40.0) and a["remaining"] == 3600
    assert a["daily_rate"] == pytest.approx(1200.0)  # (1600 + 800) / 2 days with output
    assert a["projected_completion"] == date(2026, 3, 7)  # 3600 / 1200 = 3 days
    assert bool(a["at_risk"]) and not bool(a["late"])
    b = rows.loc["WO-B"]
    assert b["daily_rate"] == pytest.approx(300.0) and b["rate_basis"] == "line"
    assert b["projected_completion"] == date(2026, 3, 7) and not bool(b["at_risk"])
    c = rows.loc["WO-C"]
    assert bool(c["late"]) and bool(c["at_risk"])  # due 03-03; 700 / 300 -> 03-06
    assert c["projected_completion"] == date(2026, 3, 6)
    d = rows.loc["WO-D"]
    assert not bool(d["late"]) and not bool(d["at_risk"]) and d["projected_completion"] is None
    assert rows.loc["WO-A", "materials_short"] == 1 and rows.loc["WO-C", "materials_short"] == 1


def test_orders_totals(ctx):
    total = r.orders(ctx, TODAY)["total"]
    assert {k: total[k] for k in ("orders", "open", "late", "at_risk", "cancelled", "completed",
                                  "completed_on_time", "on_time_pct", "short_of_material")} == {
        "orders": 7, "open": 4, "late": 1, "at_risk": 2, "cancelled": 1, "completed": 2,
        "completed_on_time": 1, "on_time_pct": 50.0, "short_of_material": 2}


def test_orders_page_puts_late_and_at_risk_first(ctx):
    data = r.orders_page(ctx, WINDOW, None)
    assert list(data["open"]["wo_number"]) == ["WO-C", "WO-A", "WO-B", "WO-G"]
    assert list(data["open"]["risk_label"]) == ["Late", "At risk", "On track", "On track"]
    total = data["total"]
    assert (total["risk_late"], total["risk_at_risk"], total["risk_on_track"]) == (1, 1, 2)
    # completed in the window: WO-F (02-28, a day late) and WO-E (03-01, on its due day)
    assert total["on_time_pct"] == pytest.approx(50.0)
    assert data["previous"]["on_time_pct"] is None  # 02-13..02-22: nothing completed
    on_time = data["on_time"]
    assert data["on_time_freq"] == "D"
    assert list(on_time["period"].dt.date) == [date(2026, 2, 28), date(2026, 3, 1)]
    assert list(on_time["late"]) == [1, 0] and list(on_time["on_time"]) == [0, 1]
    short = data["shortages"]
    assert list(zip(short["wo_number"], short["material_code"], short["shortage"])) == [
        ("WO-C", "THR-01", 30.0), ("WO-A", "FAB-01", 2000.0)]  # late order first
    cards = {k["key"]: k["value"] for k in r.page_kpis(data)}
    assert cards == {"open_orders": 4, "orders_late": 1, "orders_at_risk": 1,
                     "on_time_pct": 50.0, "short_of_material": 2}


def test_a_window_without_completed_orders_has_null_on_time(ctx):
    data = r.orders_page(ctx, Filters(start=date(2026, 1, 1), end=date(2026, 1, 31)), None)
    assert data["total"]["on_time_pct"] is None and data["on_time"].empty
    assert len(data["open"]) == 4  # open orders are as of today, whatever the dates


def test_line_and_style_filters_and_scope(ctx):
    data = r.orders_page(ctx, WINDOW.with_lines(["L02"]), None)
    assert list(data["open"]["wo_number"]) == ["WO-C", "WO-B"]
    assert data["total"]["on_time_pct"] == 0.0  # WO-F only, a day late
    scoped = r.orders_page(ctx, WINDOW, ("L01",))
    assert set(scoped["open"]["wo_number"]) == {"WO-A", "WO-G"}
    styled = r.orders_page(ctx, Filters(start=WINDOW.start, end=WINDOW.end, styles=("S1",)), None)
    assert set(styled["open"]["wo_number"]) == {"WO-A", "WO-B", "WO-G"}


def test_overview_gets_an_orders_at_risk_card(ctx):
    cards = {k["key"]: k for k in extra_overview_kpis(ctx, WINDOW, None)}
    card = cards["orders_at_risk"]
    assert card["value"] == 2  # WO-C late, WO-A at risk
    assert card["note"] == "1 late · 4 open now"


def test_api_orders(client):
    body = client.get("/api/v1/orders").get_json()
    rows = {row["wo_number"]: row for row in body["rows"]}
    assert list(rows) == ["WO-A", "WO-B", "WO-C", "WO-D", "WO-E", "WO-F", "WO-G"]
    a = rows["WO-A"]
    assert a["progress_pct"] == pytest.approx(40.0) and a["remaining"] == 3600
    assert a["daily_rate"] == pytest.approx(1200.0)
    assert a["projected_completion"] == "2026-03-07" and a["due_date"] == "2026-03-06"
    assert a["at_risk"] is True and a["late"] is False
    assert a["started_at"] == "2026-03-02T08:05:00"
    assert rows["WO-D"]["projected_completion"] is None and rows["WO-D"]["late"] is False
    assert rows["WO-G"]["due_date"] is None and rows["WO-G"]["at_risk"] is False
    assert body["total"]["on_time_pct"] == pytest.approx(50.0)
    assert body["total"]["open"] == 4 and body["total"]["at_risk"] == 2
    assert body["today"] == "2026-03-04"


@pytest.mark.parametrize("query, expected", [
    ("status=COMPLETED", ["WO-E", "WO-F"]),
    ("status=in_progress&status=ON_HOLD", ["WO-A", "WO-C"]),
    ("status=RELEASED,DRAFT", ["WO-B", "WO-G"]),
    ("line=L02", ["WO-B", "WO-C", "WO-F"]),
    ("due_from=2026-03-05&due_to=2026-03-10", ["WO-A", "WO-B"]),
    ("due_to=2026-02-28", ["WO-F"]),
    ("style=S2&line=L01", ["WO-D"]),
])
def test_api_orders_filters(client, query, expected):
    body = client.get(f"/api/v1/orders?{query}").get_json()
    assert [row["wo_number"] for row in body["rows"]] == expected
    assert body["total"]["orders"] == len(expected)


def test_api_on_time_is_null_without_completed_orders(client):
    total = client.get("/api/v1/orders?status=IN_PROGRESS").get_json()["total"]
    assert total["completed"] == 0 and total["on_time_pct"] is None


def test_api_orders_scope_of_a_line_manager(client):
    headers = {"Authorization": f"Bearer {client.l02_token}"}
    body = client.get("/api/v1/orders", headers=headers).get_json()
    assert [row["wo_number"] for row in body["rows"]] == ["WO-B", "WO-C", "WO-F"]
    answer = client.get("/api/v1/orders?line=L01", headers=headers)
    assert answer.status_code == 400 and answer.get_json()["error"]["code"] == "bad_filter"


@pytest.mark.parametrize("query, code", [
    ("status=SHIPPED", "bad_status"),
    ("line=L99", "bad_filter"),
    ("due_from=03/05/2026", "bad_filter"),
    ("due_from=2026-03-10&due_to=2026-03-01", "bad_filter"),
])
def test_api_orders_bad_parameters(client, query, code):
    answer = client.get(f"/api/v1/orders?{query}")
    assert answer.status_code == 400
    assert answer.get_json()["error"]["code"] == code


def test_api_orders_needs_a_user(client):
    client.environ_base.pop("HTTP_AUTHORIZATION")
    answer = client.get("/api/v1/orders")
    assert answer.status_code == 401
